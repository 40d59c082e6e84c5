"""The one exception handler: every exception raised while serving an API request becomes the error
envelope with a stable code, the right HTTP status and no traceback."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFilesSent
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from kombu.exceptions import OperationalError as BrokerUnavailable
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from beel.api.envelope import error_payload
from beel.errors import DomainError, ErrorCode
from beel.metrics import DATABASE_ERRORS

logger = logging.getLogger("beel.api")

# (code, message) for DRF's own exceptions; the message is the public one, the exception's own detail is
# used where it says something useful to the caller (see `_describe`).
_DRF_ERRORS: list[tuple[type[exceptions.APIException], ErrorCode, str]] = [
    (exceptions.ValidationError, ErrorCode.VALIDATION_ERROR, "The provided data is not valid"),
    # The JSON parser raises InvalidJsonFormat itself; what is left is a multipart or form body DRF cannot read.
    (exceptions.ParseError, ErrorCode.BAD_REQUEST, "Malformed request body"),
    (exceptions.NotAuthenticated, ErrorCode.UNAUTHORIZED, "Authentication required"),
    (exceptions.AuthenticationFailed, ErrorCode.UNAUTHORIZED, "Authentication required"),
    (exceptions.PermissionDenied, ErrorCode.INSUFFICIENT_SCOPE, "You do not have permission to perform this action"),
    (exceptions.NotFound, ErrorCode.NOT_FOUND, "Resource not found"),
    (exceptions.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed"),
    (exceptions.NotAcceptable, ErrorCode.NOT_ACCEPTABLE, "The requested response format is not available"),
    (exceptions.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    (exceptions.Throttled, ErrorCode.RATE_LIMIT_EXCEEDED, "Too many requests"),
]

INTERNAL_ERROR_MESSAGE = "Internal server error"


class EndpointNotFound(DomainError):
    """A path under /api/ that no route claims (BeeL: 404 ENDPOINT_NOT_FOUND, not a resource's 404)."""

    code = ErrorCode.ENDPOINT_NOT_FOUND
    default_message = "No operation at this path"


def body_too_large(limit: int, declared: int | None) -> dict[str, Any]:
    """413 REQUEST_BODY_TOO_LARGE's error, with the limit and the size the request declared (as BeeL)."""
    details: dict[str, Any] = {"max_size_bytes": limit}
    if declared is not None:
        details["declared_size_bytes"] = declared
    return error_payload(ErrorCode.REQUEST_BODY_TOO_LARGE, f"The request body is larger than {limit} bytes", details)


# A restarting or failed-over database is usually back within seconds; the client retries, no sooner.
DATABASE_RETRY_AFTER_SECONDS = 5
# SQLSTATE query_canceled: PostgreSQL stopped a statement at DB_STATEMENT_TIMEOUT_MS.
_QUERY_CANCELED = "57014"


def describe_database_failure(exc: Exception, request: Any) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    """A database that cannot answer (down, restarting, unreachable, or past the statement timeout) is the
    service being unavailable, not a bug: 503 with Retry-After, and one warning line without a traceback,
    since every request fails the same way during an outage. None for any other exception."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return None
    timed_out = getattr(exc.__cause__, "sqlstate", None) == _QUERY_CANCELED
    DATABASE_ERRORS.labels(kind="statement_timeout" if timed_out else "unavailable").inc()
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    logger.warning(
        "Database %s serving %s %s: %s",
        "statement timeout" if timed_out else "unavailable",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        reason,
    )
    message = (
        "The database took too long to answer; retry shortly"
        if timed_out
        else "The database is unavailable; retry shortly"
    )
    code = ErrorCode.SERVICE_UNAVAILABLE
    return code.status, error_payload(code, message), {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}


# The task queue's broker (Redis or RabbitMQ) is restarted like the database: the client retries after this.
BROKER_RETRY_AFTER_SECONDS = 5


def describe_broker_failure(exc: Exception, request: Any) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    """A task that could not be queued because the broker is unreachable (kombu's OperationalError) is the
    service being unavailable: 503 with Retry-After (a request with an `Idempotency-Key` runs in a transaction,
    rolled back with it). Work that must survive a broker outage is made durable first and handed over after the
    commit, the sweep sending what the broker missed (webhooks.tasks.queue_delivery); this is for any other task
    a view queues."""
    if not isinstance(exc, BrokerUnavailable):
        return None
    logger.warning(
        "Broker unavailable serving %s %s: %s", getattr(request, "method", "?"), getattr(request, "path", "?"), exc
    )
    code = ErrorCode.SERVICE_UNAVAILABLE
    payload = error_payload(code, "The task queue is unavailable; retry shortly")
    return code.status, payload, {"Retry-After": str(BROKER_RETRY_AFTER_SECONDS)}


def flatten_validation_errors(detail: Any, prefix: str = "") -> dict[str, str]:
    """DRF nests errors as {field: [messages]} or {field: {subfield: [...]}}; the contract wants one
    message per field, with dotted paths for nested objects."""
    if isinstance(detail, dict):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_validation_errors(value, path))
        return flat
    if isinstance(detail, list):
        if not detail:
            return {}
        if all(isinstance(item, (dict, list)) for item in detail):
            flat = {}
            for index, item in enumerate(detail):
                flat.update(flatten_validation_errors(item, f"{prefix}[{index}]" if prefix else str(index)))
            return flat
        return {prefix or "non_field_errors": str(detail[0])}
    return {prefix or "non_field_errors": str(detail)}


def _describe(exc: Exception) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, error payload and extra headers for an exception."""
    if isinstance(exc, DomainError):
        return exc.status_code, error_payload(exc.code, exc.message, exc.details), dict(getattr(exc, "headers", {}))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return ErrorCode.REQUEST_BODY_TOO_LARGE.status, body_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, None), {}
    elif isinstance(exc, TooManyFilesSent):
        message = f"An upload takes at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} file"
        return ErrorCode.BAD_REQUEST.status, error_payload(ErrorCode.BAD_REQUEST, message), {}
    elif isinstance(exc, SuspiciousOperation):
        # E.g. more query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS: the request is at fault.
        return ErrorCode.BAD_REQUEST.status, error_payload(ErrorCode.BAD_REQUEST, "The request is malformed"), {}
    known = next(((code, message) for exc_class, code, message in _DRF_ERRORS if isinstance(exc, exc_class)), None)
    if known is None:
        raise LookupError(exc)
    code, message = known

    headers: dict[str, str] = {}
    details = None
    if isinstance(exc, exceptions.ValidationError):
        details = flatten_validation_errors(exc.detail)
    elif isinstance(exc, (exceptions.AuthenticationFailed, exceptions.PermissionDenied, exceptions.ParseError)):
        # These details are written by us (which scope is missing, why a key was refused) or by the parser
        # (where the JSON breaks): worth telling the caller.
        if str(exc.detail) != str(exc.default_detail):
            message = str(exc.detail)
    elif isinstance(exc, exceptions.MethodNotAllowed):
        message = str(exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        message = getattr(exc, "public_message", message)
        if exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait))
        headers.update(getattr(exc, "rate_limit_headers", {}))
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    return code.status, error_payload(code, message, details), headers


def envelope_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    set_rollback()
    request = context.get("request")
    unavailable = describe_database_failure(exc, request) or describe_broker_failure(exc, request)
    if unavailable is not None:
        status_code, payload, headers = unavailable
        response = Response(payload, status=status_code, headers=headers)
        response._has_been_logged = True  # logged above; Django would add an ERROR line for every 5xx
        return response
    try:
        status_code, payload, headers = _describe(exc)
    except LookupError:
        if isinstance(exc, DatabaseError):
            DATABASE_ERRORS.labels(kind="other").inc()
        logger.exception(
            "Unhandled exception serving %s %s",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc_info=exc,
        )
        code = ErrorCode.INTERNAL_ERROR
        status_code, payload, headers = code.status, error_payload(code, INTERNAL_ERROR_MESSAGE), {}
    return Response(payload, status=status_code, headers=headers)
