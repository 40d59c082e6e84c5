"""Validate a response body against a schema transcribed in tests/contract/schemas.py."""

from datetime import datetime

from jsonschema import Draft202012Validator, FormatChecker

_formats = FormatChecker(formats=("uuid", "email"))


@_formats.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    # RFC 3339 as 1.9.0's `format: date-time` means it: a date, a time and an offset (or Z).
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.tzinfo is not None and "T" in value


def violations(instance, schema) -> list[str]:
    """Every place where `instance` breaks `schema`, as `path: message` lines (empty when it conforms)."""
    validator = Draft202012Validator(schema, format_checker=_formats)
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    ]


def assert_conforms(response, status: int, schema) -> dict:
    """The response has `status`, a JSON body, and the body satisfies `schema`; returns the body."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    problems = violations(body, schema)
    assert not problems, "\n".join(problems)
    return body
