from beel.errors import BadRequest, Conflict, ErrorCode


class IdempotencyKeyMalformed(BadRequest):
    pass


class IdempotencyKeyReused(Conflict):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED
    default_message = "This Idempotency-Key was already used with a different request"


class IdempotencyKeyInProgress(Conflict):
    code = ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly"
