"""The refusals gunicorn answers itself, before any request reaches Django: a request line past
`limit_request_line`, more or longer headers than `limit_request_fields` / `limit_request_field_size`, a
malformed request line, header or chunk. gunicorn writes them as an HTML page; gunicorn.conf.py writes
these bytes instead, so that they too are the envelope, with a request id a caller can quote."""

import json
import logging
import uuid
from http import HTTPStatus

from beel.api.context import current_request_id
from beel.api.envelope import error_body, error_payload
from beel.errors import ErrorCode

logger = logging.getLogger("beel.api")

# gunicorn's statuses (gunicorn.workers.base.Worker.handle_error). Any other is answered with the general
# code of its class, at that code's status: a refusal the server never sends for this configuration (403
# comes only with the PROXY protocol or TLS in gunicorn, which the service does not use).
_CODE_FOR_SERVER_STATUS = {
    400: ErrorCode.BAD_REQUEST,
    414: ErrorCode.URI_TOO_LONG,
    417: ErrorCode.EXPECTATION_FAILED,
    431: ErrorCode.REQUEST_HEADERS_TOO_LARGE,
    500: ErrorCode.INTERNAL_ERROR,
    501: ErrorCode.TRANSFER_CODING_NOT_IMPLEMENTED,
}
# gunicorn's description may quote what the client sent (an invalid request line): enough of it to see
# what was wrong, not the whole line back.
_DESCRIPTION_LIMIT = 200


def refusal_bytes(status: int, description: str) -> bytes:
    """The whole HTTP response to write on the socket, which gunicorn then closes."""
    code = _CODE_FOR_SERVER_STATUS.get(status) or (ErrorCode.BAD_REQUEST if status < 500 else ErrorCode.INTERNAL_ERROR)
    request_id = uuid.uuid4().hex
    current_request_id.set(request_id)
    message = description[:_DESCRIPTION_LIMIT] or code.meaning
    # gunicorn logs the refusal too ("Invalid request from ip=..."); this line carries the request id.
    logger.warning("The server refused a request before the app: %s %s", code.status, message)
    body = json.dumps(error_body(error_payload(code, message)), separators=(",", ":"), ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {code.status} {HTTPStatus(code.status).phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-ID: {request_id}\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body
