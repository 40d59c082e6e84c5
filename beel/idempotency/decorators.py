"""Idempotent POSTs (as Stripe and Orb offer): a request with an `Idempotency-Key` header is served once
per (account, mode, key) within IDEMPOTENCY_TTL; a retry with the same body gets the first status and data
back with `Idempotent-Replayed: true`; the same key with another body is 409 IDEMPOTENCY_KEY_REUSED; a
retry while the first is still being served is 409 IDEMPOTENCY_KEY_IN_PROGRESS.

The key row is committed before the work starts, so two concurrent requests can never both write. The
work and the stored response then commit in one transaction: a process that dies (kill -9, a worker
timeout, OOM) mid-request leaves nothing written and the key in progress, and once its lease
(IDEMPOTENCY_LEASE_SECONDS, longer than any request may run) has passed, a retry takes the key over and
serves the request. A test key and a live key never share records: their keys are in different modes."""

import functools
import hashlib
import json
import logging

from django.core.files import File
from django.db import DatabaseError, IntegrityError, transaction
from rest_framework.response import Response

from beel.idempotency.errors import IdempotencyKeyInProgress, IdempotencyKeyMalformed, IdempotencyKeyReused
from beel.idempotency.models import IdempotencyRecord, lease, now

logger = logging.getLogger("beel.api")

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _part(value) -> str:
    """An uploaded file stands in the fingerprint for its content, not its name: the same name with other
    content is another request."""
    if isinstance(value, File):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file sha256:{digest.hexdigest()}"
    return str(value)


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=_part)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _valid_key(raw: str) -> str:
    if not raw or len(raw) > MAX_KEY_LENGTH or not raw.isascii() or not raw.isprintable():
        raise IdempotencyKeyMalformed(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters")
    return raw


def _claim(
    *, account, mode: str, key: str, request_fingerprint: str
) -> tuple[IdempotencyRecord | None, Response | None]:
    """Either the in-progress record this request now holds (serve it), or the response to give instead."""
    records = IdempotencyRecord.objects.filter(account=account, mode=mode, key=key)
    records.expired().delete()
    claimed_at = now()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                account=account, mode=mode, key=key, fingerprint=request_fingerprint, created_at=claimed_at
            )
            return record, None
    except IntegrityError:
        pass
    existing = records.first()
    if existing is None:  # finished with a 5xx and removed in between: let the caller retry
        raise IdempotencyKeyInProgress()
    if existing.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused()
    if existing.status_code is not None:
        return None, Response(
            existing.response_data, status=existing.status_code, headers={"Idempotent-Replayed": "true"}
        )
    if existing.created_at > claimed_at - lease():
        raise IdempotencyKeyInProgress()
    # The request holding the key died: take its lease over, unless another retry just did.
    taken_over = records.filter(pk=existing.pk, status_code__isnull=True, created_at=existing.created_at).update(
        created_at=claimed_at
    )
    if not taken_over:
        raise IdempotencyKeyInProgress()
    existing.created_at = claimed_at
    return existing, None


def idempotent(view_method):
    """For POST actions of an APIViewSet. Without the header the action runs as usual."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        raw_key = request.headers.get(HEADER)
        if raw_key is None:
            return view_method(view, request, *args, **kwargs)
        key = _valid_key(raw_key)
        record, replay = _claim(
            account=request.user, mode=request.auth.mode, key=key, request_fingerprint=fingerprint(request)
        )
        if replay is not None:
            return replay
        with transaction.atomic():
            try:
                with transaction.atomic():
                    response = view_method(view, request, *args, **kwargs)
            except Exception as exc:  # the handler turns any failure into the response to store
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                record.delete()  # nothing was written; the client may retry with the same key
                return response
            record.status_code = response.status_code
            record.response_data = response.data
            try:
                with transaction.atomic():
                    record.save(update_fields=["status_code", "response_data"])
            except DatabaseError:
                # The response could not be stored (e.g. jsonb refusing a value): forget the key rather
                # than leave it "in progress"; a retry runs again.
                logger.exception("Could not store the response for Idempotency-Key %r", key)
                record.delete()
        return response

    return wrapper
