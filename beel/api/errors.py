"""Domain errors that carry their API code and HTTP status.

Services raise these; `beel.api.exceptions.envelope_exception_handler` is the one place that turns them
(and every other exception) into the error envelope.
"""

import uuid
from typing import Any


class APIError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    default_message = "Invalid request"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class BadRequest(APIError):
    pass


class ValidationFailed(APIError):
    code = "VALIDATION_ERROR"
    default_message = "The provided data is not valid"


class NotFound(APIError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = "Resource not found"


class Conflict(APIError):
    status_code = 409
    code = "CONFLICT"
    default_message = "The request conflicts with the current state of the resource"


def parse_uuid(raw: object, *, field: str, error_class: type[ValidationFailed] = ValidationFailed) -> uuid.UUID:
    """An id from a path or a body; anything but a UUID is a VALIDATION_ERROR naming the field."""
    try:
        return uuid.UUID(str(raw).strip())
    except ValueError:
        raise error_class(details={field: "Must be a valid UUID."}) from None
