"""The documented response envelope of /api/v1/, checked in one place:
`{"success": true, "data": ..., "meta": {...}}` or `{"success": false, "error": {...}, "meta": {...}}`,
always JSON, with `meta.request_id` equal to the X-Request-ID header."""

import re

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def assert_meta(response, body: dict) -> None:
    """meta is exactly {timestamp, request_id}, well formed, and the request id is the response header's."""
    assert set(body["meta"]) == {"timestamp", "request_id"}, body["meta"]
    assert TIMESTAMP.match(body["meta"]["timestamp"]), body["meta"]
    assert REQUEST_ID.match(body["meta"]["request_id"]), body["meta"]
    assert response["X-Request-ID"] == body["meta"]["request_id"]


def envelope(response) -> dict:
    """The body as the envelope, whatever the status: JSON, never HTML, `success` true exactly below 400,
    exactly the documented keys and a well-formed meta."""
    assert response["Content-Type"] == "application/json", (response.status_code, response.content[:200])
    assert b"<html" not in response.content.lower()
    body = response.json()
    assert body["success"] is (response.status_code < 400), body
    assert set(body) == ({"success", "data", "meta"} if body["success"] else {"success", "error", "meta"}), body
    assert_meta(response, body)
    return body


def assert_success(response, status: int = 200):
    """A successful envelope with the given status; returns its `data`."""
    assert response.status_code == status, response.content[:500]
    return envelope(response)["data"]


def assert_error(response, status: int, code: str | None = None) -> dict:
    """An error envelope with the given status (and code, when given), a non-empty message and no traceback;
    returns the error object."""
    assert response.status_code == status, response.content[:500]
    error = envelope(response)["error"]
    if code is not None:
        assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    assert "Traceback" not in response.content.decode("utf-8", "replace")
    return error


def assert_validation_error(response, fields: set[str], status: int = 400) -> dict:
    """A VALIDATION_ERROR (400: a parameter that does not parse; 422: a value out of range, a body's content)
    whose details name exactly `fields`, each with a non-empty message; returns the details."""
    details = assert_error(response, status, "VALIDATION_ERROR")["details"]
    assert set(details) == fields, details
    for field in fields:
        assert isinstance(details[field], str) and details[field], details
    return details


def without_stats(answer: dict) -> dict:
    """An event carries the customer's record; the answer adds `stats`, which invoices change, not the record."""
    assert "stats" in answer
    return {key: value for key, value in answer.items() if key != "stats"}
