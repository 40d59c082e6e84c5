import io
import logging
import re
import time
import uuid
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from beel.api.context import current_request_id
from beel.api.envelope import error_response
from beel.api.exceptions import INTERNAL_ERROR_MESSAGE, body_too_large, describe_database_failure
from beel.client_address import client_address
from beel.errors import ErrorCode

logger = logging.getLogger("beel.api")
access_logger = logging.getLogger("beel.access")

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED_REQUEST_ID = re.compile(r"^[0-9a-fA-F]{32}$")


# For errors answered outside the views: the first (most general) code of each status, but for a 404, which
# outside a view means no route (a resource's 404 is answered by its view), and a 413, the body's size.
_CODE_FOR_STATUS: dict[int, ErrorCode] = {404: ErrorCode.ENDPOINT_NOT_FOUND, 413: ErrorCode.REQUEST_BODY_TOO_LARGE}
for _code in ErrorCode:
    _CODE_FOR_STATUS.setdefault(_code.status, _code)


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


class RequestIdMiddleware:
    """Gives every request a 32-hex id (reusing a well-formed incoming X-Request-ID, so a caller can trace
    its own calls), exposes it to logs and the envelope, and echoes it in the response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming.lower() if _WELL_FORMED_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Not reset on the way out: Django logs a failed response after the middleware chain returns,
        # and that line must carry the id too. The next request on this thread sets its own.
        current_request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        if is_api_path(request.path):
            response = self.in_envelope(response)
            response[REQUEST_ID_HEADER] = request_id
            # API answers carry customers' personal data: no browser or proxy may keep a copy. Views whose
            # answer is public (the schema) say otherwise themselves.
            response.setdefault("Cache-Control", "no-store")
            self.log_access(request, response, time.perf_counter() - started)
        else:
            response[REQUEST_ID_HEADER] = request_id
        return response

    @staticmethod
    def in_envelope(response: HttpResponse) -> HttpResponse:
        """An error that Django answered itself, outside any view (a Host header not in ALLOWED_HOSTS, a
        failure in a middleware), is HTML; under /api/ every answer is the envelope, so it is rewritten
        with the code of its status."""
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        code = _CODE_FOR_STATUS.get(response.status_code, ErrorCode.INTERNAL_ERROR)
        enveloped = error_response(code, HTTPStatus(code.status).phrase)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                enveloped[header] = response[header]
        return enveloped

    @staticmethod
    def log_access(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
        """One line per API request, enough to trace a support ticket: never the key itself, its prefix."""
        api_key = getattr(request, "auth", None)
        client = client_address(request)
        access_logger.info(
            "%s %s %s %.1fms from %s",
            request.method,
            request.path,
            response.status_code,
            seconds * 1000,
            client,
            extra={
                "client": client,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "api_key": getattr(api_key, "display_prefix", None),
            },
        )


def body_limit(content_type: str) -> tuple[int, ErrorCode]:
    """The largest body accepted for this media type, and the code of its refusal (413)."""
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        # An upload up to 12 MB is read, for the import to answer its own limit with its figures.
        return max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.MAX_UPLOAD_BODY_SIZE), ErrorCode.FILE_TOO_LARGE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE, ErrorCode.REQUEST_BODY_TOO_LARGE


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body then


# Set in the WSGI environ when a chunked body went past its limit (see ChunkedRequestBodies).
CHUNKED_BODY_OVER_LIMIT = "beel.chunked_body_over_limit"


class ChunkedRequestBodies:
    """WSGI middleware (beel.wsgi): a body sent with `Transfer-Encoding: chunked` and no Content-Length is
    read, up to its limit, before Django sees the request. gunicorn decodes the chunks but passes no
    CONTENT_LENGTH (WSGI cannot say "until the end"), and Django reads exactly CONTENT_LENGTH bytes: the
    body was silently dropped, and a valid customer answered "legal_name required". HTTP/1.1 clients
    streaming a body of unknown length (Go, Node, curl -T -) send it so. A body past its limit is handed on
    with a length one past it, for ApiErrorMiddleware to refuse as it refuses a declared one (413)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            limit, _ = body_limit(environ.get("CONTENT_TYPE", ""))
            body = environ["wsgi.input"].read(limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            if len(body) > limit:
                environ[CHUNKED_BODY_OVER_LIMIT] = True
        return self.application(environ, start_response)


class ApiErrorMiddleware:
    """Last line of defence for API paths: an exception that escaped DRF's handler (raised outside a DRF
    view) still becomes a logged 500 in the envelope, never an HTML traceback page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request.path):
            refusal = self.refuse_oversized(request)
            if refusal is not None:
                return refusal
        elif _content_length(request) > settings.MAX_UPLOAD_BODY_SIZE:
            # The admin's forms: Django caps their fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not their files,
            # and the CSRF check parses a form before any login is asked for: without this, anyone holding
            # a CSRF cookie could have any size of file written to the temporary directory.
            return HttpResponse("Request body too large", status=413, content_type="text/plain")
        return self.get_response(request)

    @staticmethod
    def refuse_oversized(request: HttpRequest) -> HttpResponse | None:
        """Bodies and query strings past their limits are refused before anything reads them: DRF's parsers
        would otherwise read a body of any size into memory."""
        try:
            content_length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(ErrorCode.BAD_REQUEST, "Content-Length must be a number")
        limit, code = body_limit(request.content_type or "")
        if content_length > limit:
            # A chunked body declared no size: what was read of it says only that it is too large.
            declared = None if request.META.get(CHUNKED_BODY_OVER_LIMIT) else content_length
            refusal = body_too_large(limit, declared)
            return error_response(code, refusal["message"], refusal["details"])
        if len(request.META.get("QUERY_STRING", "")) > settings.MAX_QUERY_STRING_LENGTH:
            return error_response(
                ErrorCode.URI_TOO_LONG,
                f"The query string is longer than {settings.MAX_QUERY_STRING_LENGTH} characters",
            )
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        database_failure = describe_database_failure(exception, request)
        if database_failure is not None:
            _, payload, headers = database_failure
            response = error_response(ErrorCode.SERVICE_UNAVAILABLE, payload["message"])
            for header, value in headers.items():
                response[header] = value
            response._has_been_logged = True  # logged once already, without Django's extra ERROR line
            return response
        logger.error("Unhandled exception serving %s %s", request.method, request.path, exc_info=exception)
        return error_response(ErrorCode.INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE)
