"""The documented response envelope, built in one place.

Success: {"success": true, "data": ..., "meta": {"timestamp", "request_id"}}
Error:   {"success": false, "error": {"code", "message", "details"?}, "meta": {...}}
"""

from datetime import UTC, datetime
from typing import Any

from django.http import JsonResponse

from beel.api.context import current_request_id
from beel.errors import ErrorCode


def utc_timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta() -> dict[str, str]:
    return {"timestamp": utc_timestamp(), "request_id": current_request_id.get()}


def error_payload(code: ErrorCode, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": str(code), "message": str(message)}
    # None leaves `details` out; an empty one is sent as such (BeeL's CLIENT_DUPLICATE answers `details: {}`).
    if details is not None:
        error["details"] = details
    return error


def success_body(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data, "meta": meta()}


def error_body(error: dict[str, Any]) -> dict[str, Any]:
    return {"success": False, "error": error, "meta": meta()}


def error_response(code: ErrorCode, message: str, details: dict[str, Any] | None = None) -> JsonResponse:
    """For answers made outside DRF (middleware): the envelope, written as compactly as the renderer does."""
    return JsonResponse(
        error_body(error_payload(code, message, details)),
        status=code.status,
        json_dumps_params={"separators": (",", ":"), "ensure_ascii": False},
    )
