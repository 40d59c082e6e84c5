import uuid

from beel.errors import ValidationFailed


def parse_uuid(raw: object, *, field: str, error_class: type[ValidationFailed] = ValidationFailed) -> uuid.UUID:
    """An id from a path or a body; anything but a UUID is a VALIDATION_ERROR naming the field."""
    try:
        return uuid.UUID(str(raw).strip())
    except ValueError:
        raise error_class(details={field: "Must be a valid UUID."}) from None
