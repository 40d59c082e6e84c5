from beel.errors import BadRequest, Conflict, ErrorCode

# BeeL's: a client retrying while the first request runs is told to come back in two seconds.
PROCESSING_RETRY_AFTER_SECONDS = 2


class IdempotencyKeyMalformed(BadRequest):
    code = ErrorCode.INVALID_IDEMPOTENCY_KEY
    default_message = "Idempotency-Key must be 1 to 255 letters, digits, '_' or '-'"


class IdempotencyKeyMismatch(Conflict):
    code = ErrorCode.IDEMPOTENCY_KEY_MISMATCH
    default_message = "This Idempotency-Key was already used with a different request"


class IdempotencyKeyProcessing(Conflict):
    code = ErrorCode.IDEMPOTENCY_KEY_PROCESSING
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly"
    headers = {"Retry-After": str(PROCESSING_RETRY_AFTER_SECONDS)}


class IdempotencyKeyRequired(BadRequest):
    """BeeL's RequiredIdempotencyKeyHeader: an operation that writes many rows per call (the canonical
    customer import) is refused without a key, as a retry without one would write them twice."""

    code = ErrorCode.IDEMPOTENCY_KEY_REQUIRED
    default_message = "This operation requires an Idempotency-Key header"
