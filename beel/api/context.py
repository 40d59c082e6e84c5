"""The id of the request being served, readable from anywhere (renderer, log records) without threading
the request object through every call."""

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
