import logging

from beel.api.context import current_request_id


class RequestIdFilter(logging.Filter):
    """Stamps every log record with the id of the request being served, so a support ticket quoting a
    `request_id` leads straight to its log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True
