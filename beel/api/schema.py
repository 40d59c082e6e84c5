"""OpenAPI (drf-spectacular) for the envelope, the bearer keys and the error codes.

Views describe only their payload (`data`) and which error statuses they can answer; the post-processing
hook below wraps every response in the envelope, in one place, like the renderer does at run time."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from beel.api.views import ACTIVE_COMPANY_HEADER
from beel.errors import ErrorCode

# An instant with its UTC offset, no further from UTC than any time zone (Kiribati, +14:00): what
# beel.api.filters.AwareDateTimeField takes.
AWARE_INSTANT_PATTERN = r"(Z|z|[+-](0\d|1[0-3]):?[0-5]\d|[+-]14:?00)$"

_STATUS_TITLES = {
    400: "Bad request or invalid data",
    401: "Authentication required",
    403: "Missing scope",
    404: "Resource not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Body too large",
    414: "Query string too long",
    415: "Unsupported media type",
    422: "The request parsed, but a value is not acceptable",
    429: "Rate limit exceeded",
    500: "Internal server error",
}


def _status_description(status: int, codes: list[ErrorCode] | None = None) -> str:
    """'Conflict (`CLIENT_HAS_INVOICES`)': the title of the status and the codes answered with it."""
    codes = codes or [code for code in ErrorCode if code.status == status and code != ErrorCode.CONFLICT]
    return f"{_STATUS_TITLES[status]} ({', '.join(f'`{code}`' for code in codes)})"


# Every authenticated operation can answer these; the hook adds them so views need not repeat them.
_ALWAYS_POSSIBLE = (401, 403, 429, 500)
IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9_-]+$"},
    "description": "Any unique client string (a UUID works, but is not required) that makes the POST safe to "
    "retry: a 2xx is stored for 24 hours and replayed (with `Idempotency-Replay: true`) for a retry with the "
    "same body; a 4xx or 5xx is not stored, so the corrected request may reuse the key. Another body with the "
    "same key is 409 IDEMPOTENCY_KEY_MISMATCH, a retry while the first is running 409 "
    "IDEMPOTENCY_KEY_PROCESSING (`Retry-After: 2`), a malformed key 400 INVALID_IDEMPOTENCY_KEY.",
}
# BeeL's ActiveCompanyHeader, on every operation that acts on one company named by no path parameter.
ACTIVE_COMPANY_HEADER_PARAMETER = {
    "in": "header",
    "name": ACTIVE_COMPANY_HEADER,
    "required": False,
    "schema": {"type": "string", "format": "uuid"},
    "description": "Which company (its `id`, not its NIF) the request acts on, as `GET "
    "/v1/accounts/{account_id}/companies` lists them. May be omitted on an account with one company (that "
    "company is used); required on an account with several: 403 ACTIVE_COMPANY_REQUIRED without it. A company "
    "the key cannot reach (another account's, one that does not exist, one a restricted key is not allowed) "
    "is 403 ACTIVE_COMPANY_NOT_ACCESSIBLE; a value that is not a UUID, 400 ACTIVE_COMPANY_HEADER_INVALID. "
    "Not read on the `/v1/companies/{company_id}/...` routes, where the path names the company.",
}
_INTEGER_HEADER = {"schema": {"type": "integer"}}
# BeeL's TooManyRequests response headers.
RATE_LIMITED_HEADERS = {
    "Retry-After": {"description": "Seconds until a request may be accepted again", **_INTEGER_HEADER},
    "RateLimit-Limit": {"description": "Maximum requests allowed in the window", **_INTEGER_HEADER},
    "RateLimit-Remaining": {"description": "Remaining requests in the current window", **_INTEGER_HEADER},
    "RateLimit-Reset": {"description": "Seconds until the window has room again", **_INTEGER_HEADER},
}


def error_responses(*statuses: int, conflict: ErrorCode | None = None) -> dict[int, OpenApiResponse]:
    """Declares the error statuses an operation answers (and which 409 it can give); the hook gives each
    the ErrorEnvelope schema."""
    return {
        status: OpenApiResponse(
            description=_status_description(status, [conflict] if status == 409 and conflict else None)
        )
        for status in statuses
    }


def envelope_example(data: Any, request_id: str = "4bf92f3577b34da6a3ce929d0e0e4736") -> dict[str, Any]:
    return {"success": True, "data": data, "meta": {"timestamp": "2025-01-15T10:30:00Z", "request_id": request_id}}


def page_example(results_key: str, item: dict[str, Any]) -> dict[str, Any]:
    """A list's answer holding one item, in the envelope: the example every paginated operation shows."""
    pagination = {
        "current_page": 1,
        "items_per_page": 20,
        "total_items": 1,
        "total_pages": 1,
        "has_next": False,
        "has_previous": False,
        "next_cursor": None,
    }
    return envelope_example({results_key: [item], "pagination": pagination})


def error_example(code: str, message: str, details: dict | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {
        "success": False,
        "error": error,
        "meta": {"timestamp": "2025-01-15T10:30:00Z", "request_id": "4bf92f3577b34da6a3ce929d0e0e4736"},
    }


META_SCHEMA = {
    "type": "object",
    "required": ["timestamp", "request_id"],
    "properties": {
        "timestamp": {"type": "string", "format": "date-time", "example": "2025-01-15T10:30:00Z"},
        "request_id": {
            "type": "string",
            "pattern": "^[0-9a-f]{32}$",
            "example": "4bf92f3577b34da6a3ce929d0e0e4736",
            "description": "Also sent as the X-Request-ID header; a well-formed incoming X-Request-ID is reused.",
        },
    },
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "type": "string",
            "enum": [str(code) for code in ErrorCode],
            "description": "\n".join(f"- `{code}` ({code.status}): {code.meaning}" for code in ErrorCode),
        },
        "message": {"type": "string"},
        "details": {
            "type": "object",
            "additionalProperties": {},
            "description": "VALIDATION_ERROR: the field or parameter (dotted path) -> its message, or for an "
            "enum value BeeL's FieldDeserializationError `{field, invalid_value, expected_format, "
            "allowed_values}` (strings; `allowed_values` comma-separated). INVALID_JSON_FORMAT: a "
            "FieldDeserializationError. REQUEST_BODY_TOO_LARGE: `max_size_bytes`, `declared_size_bytes`. "
            "The CSV import's refusals: the figures named in the code's meaning (lists of headers, counts, sizes).",
        },
    },
}
ERROR_ENVELOPE_SCHEMA = {
    "type": "object",
    "required": ["success", "error", "meta"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {"$ref": "#/components/schemas/Error"},
        "meta": {"$ref": "#/components/schemas/Meta"},
    },
}
_JSON = "application/json"
_CSV = "text/csv"


def _success_envelope(data_schema: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["success", "data", "meta"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "data": data_schema or {},
            "meta": {"$ref": "#/components/schemas/Meta"},
        },
    }


def _state_what_text_refuses(prop: dict[str, Any]) -> None:
    """Two rules DRF applies to every text field and filter, stated as a pattern where it has none: no NUL
    character, and (as it trims the blanks around a string before checking it) a required string of only
    blanks is refused like an empty one."""
    if prop.get("type") != "string" or "pattern" in prop or "format" in prop or "enum" in prop:
        return
    prop["pattern"] = r"^[^\u0000]*[^\s\u0000][^\u0000]*$" if prop.get("minLength", 0) >= 1 else r"^[^\u0000]*$"


def _refusals_of_its_input(operation: dict[str, Any]) -> list[int]:
    """What BeeL 1.9.0 answers any operation whose input does not do: a body that is not JSON or has a value of
    the wrong type, a path or query parameter that does not parse, 400; a body's content or a query
    parameter out of range, 422. Declared here once for every operation that takes such input."""
    where = {parameter.get("in") for parameter in operation.get("parameters", [])}
    statuses = []
    if "requestBody" in operation or where & {"path", "query"}:
        statuses.append(400)
    if "requestBody" in operation or "query" in where:
        statuses.append(422)
    return statuses


def _takes_the_optional_idempotency_key(operation: dict[str, Any]) -> bool:
    """Every POST its view serves once per key (APIViewSet.actions_without_idempotency names the others), but
    one that declares the header itself (the canonical customer import, which requires it)."""
    declared = {(parameter.get("in"), parameter.get("name")) for parameter in operation.get("parameters", [])}
    return ("header", IDEMPOTENCY_KEY_PARAMETER["name"]) not in declared


def _posts_without_idempotency(generator) -> set[tuple[str, str]]:
    """(path, "post") of the POSTs whose view ignores `Idempotency-Key` (APIViewSet.actions_without_idempotency)."""
    found = set()
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or []:
        action = (getattr(callback, "actions", None) or {}).get(method.lower())
        if action in getattr(getattr(callback, "cls", None), "actions_without_idempotency", ()):
            found.add((path.rstrip("/") or "/", method.lower()))
    return found


def _operations_on_the_active_company(generator) -> set[tuple[str, str]]:
    """(path, method) of the operations whose view acts on one company (APIViewSet.acts_on_company) and whose
    path does not name it: those take it from the BeeL-Active-Company header."""
    found = set()
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or []:
        view = getattr(callback, "cls", None)
        if getattr(view, "acts_on_company", False) and "{company_id}" not in path:
            found.add((path.rstrip("/") or "/", method.lower()))
    return found


def _document_the_active_company(operation: dict[str, Any]) -> None:
    operation.setdefault("parameters", []).insert(0, ACTIVE_COMPANY_HEADER_PARAMETER)
    responses = operation.setdefault("responses", {})
    # A malformed header is a 400 even where the operation takes no other input.
    responses.setdefault("400", {"description": _status_description(400)})


def wrap_in_envelope(result, generator, request, public):
    """drf-spectacular post-processing hook: the envelope around every response, errors included."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Meta"] = META_SCHEMA
    schemas["Error"] = ERROR_SCHEMA
    schemas["ErrorEnvelope"] = ERROR_ENVELOPE_SCHEMA
    for name, component in schemas.items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False  # unknown fields are rejected
            for prop in component.get("properties", {}).values():
                _state_what_text_refuses(prop)
    error_ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    # The routes accept an optional trailing slash; document them as the spec writes them, without.
    result["paths"] = {path.rstrip("/") or "/": item for path, item in result.get("paths", {}).items()}
    on_the_active_company = _operations_on_the_active_company(generator)
    without_idempotency = _posts_without_idempotency(generator)
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            if (path, method) in on_the_active_company:
                _document_the_active_company(operation)
            idempotent = method == "post" and (path, method) not in without_idempotency
            _describe_operation(method, operation, error_ref, idempotent=idempotent)
    return result


def _describe_operation(method: str, operation: dict[str, Any], error_ref: dict[str, str], *, idempotent: bool) -> None:
    """One operation's answers in the envelope, its refusals and its parameters' rules."""
    responses = operation.setdefault("responses", {})
    if operation.get("security"):
        for status in _ALWAYS_POSSIBLE:
            responses.setdefault(str(status), {"description": _status_description(status)})
    if idempotent and _takes_the_optional_idempotency_key(operation):
        operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
    for status in _refusals_of_its_input(operation):
        responses.setdefault(str(status), {"description": _status_description(status)})
    if "429" in responses:
        responses["429"].setdefault("headers", RATE_LIMITED_HEADERS)
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        schema = parameter.setdefault("schema", {})
        if schema.get("format") == "date-time":
            # An instant needs its UTC offset, and no time zone is further from UTC than 14 hours.
            schema["pattern"] = AWARE_INSTANT_PATTERN
        _state_what_text_refuses(schema)
    for status, response in responses.items():
        if int(status) == 204:
            # No Content (BeeL's deleteCompanyCustomer): no body, so no envelope to describe.
            response.pop("content", None)
            continue
        content = response.setdefault("content", {})
        csv = content.get(_CSV) if int(status) < 400 else None
        if csv is not None and _JSON not in content:
            # A download: the CSV itself, not the envelope (its errors are the envelope).
            response["content"] = {_CSV: csv}
            continue
        media = content.setdefault(_JSON, {})
        for other in [key for key in content if key != _JSON]:
            content.pop(other)
        if int(status) >= 400:
            media["schema"] = error_ref
        else:
            media["schema"] = _success_envelope(media.get("schema"))
        if csv is not None:
            # JSON in the envelope, or the same as CSV with `Accept: text/csv` (a customer's statement).
            content[_CSV] = csv


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.APIKeyAuthentication"
    name = "BearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "beel_sk_<key>",
            "description": (
                "API key authentication. Format: `Authorization: Bearer beel_sk_<key>`. Each key is created "
                "with scopes (customers:read, customers:write, invoices:read, invoices:write); the scope an "
                "operation needs is listed in its security requirement."
            ),
        }

    def get_security_requirement(self, auto_schema):
        view = auto_schema.view
        scopes = getattr(view, "required_scopes", {})
        scope = scopes.get(getattr(view, "action", None)) or scopes.get(auto_schema.method)
        return {self.name: [str(scope)] if scope else []}
