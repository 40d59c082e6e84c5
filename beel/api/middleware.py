import logging
import re
import uuid

from django.http import HttpRequest, HttpResponse

from beel.api.context import current_request_id
from beel.api.exceptions import internal_error_response

logger = logging.getLogger("beel.api")

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED_REQUEST_ID = re.compile(r"^[0-9a-fA-F]{32}$")


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
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class ApiErrorMiddleware:
    """Last line of defence for API paths: an exception that escaped DRF's handler (raised outside a DRF
    view) still becomes a logged 500 in the envelope, never an HTML traceback page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        logger.error("Unhandled exception serving %s %s", request.method, request.path, exc_info=exception)
        return internal_error_response()
