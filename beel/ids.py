import uuid

from beel.errors import InvalidParameter, ValidationFailed


def parse_uuid(raw: object, *, field: str, error_class: type[ValidationFailed] = InvalidParameter) -> uuid.UUID:
    """An id from a path or a body; anything but a UUID is a VALIDATION_ERROR naming the field (400: a path
    parameter that does not parse, as BeeL)."""
    try:
        return uuid.UUID(str(raw).strip())
    except ValueError:
        raise error_class(details={field: "Must be a valid UUID."}) from None
