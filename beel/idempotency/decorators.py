"""Idempotent writes as BeeL 1.9.0 describes them (IdempotencyKeyHeader), on every POST of the API (APIViewSet
routes them here, bar the few a view exempts, each for a stated reason): a request with an `Idempotency-Key`
header (`^[a-zA-Z0-9_-]+$`, at most 255; else 400 INVALID_IDEMPOTENCY_KEY) is served once per (account, mode,
key) within IDEMPOTENCY_TTL; a retry with the same method, path, query and body gets the first 2xx status and data
back with `Idempotency-Replay: true`; the same key with another request is 409 IDEMPOTENCY_KEY_MISMATCH; a
retry while the first is still being served is 409 IDEMPOTENCY_KEY_PROCESSING with `Retry-After: 2`.

A 4xx is not stored (as BeeL): the key is released, so the corrected request may reuse it. A 5xx is not
stored either, where BeeL replays it: here the work and the stored response commit in one transaction, so a
5xx wrote nothing, and running the retry again is safe and can succeed once the fault (a database restart,
a timeout) is over, where a replay would repeat the failure for 24 hours.

The key row is committed before the work starts, so two concurrent requests can never both write. The
work and the stored response then commit in one transaction: a process that dies (kill -9, a worker
timeout, OOM) mid-request leaves nothing written and the key in progress, and once its lease
(IDEMPOTENCY_LEASE_SECONDS, longer than any request may run) has passed, a retry takes the key over and
serves the request. A test key and a live key never share records: their keys are in different modes."""

import hashlib
import json
import logging
import re
from urllib.parse import urlencode

from django.core.files import File
from django.db import DatabaseError, IntegrityError, transaction
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from beel.idempotency.errors import IdempotencyKeyMalformed, IdempotencyKeyMismatch, IdempotencyKeyProcessing
from beel.idempotency.models import IdempotencyRecord, lease, now

logger = logging.getLogger("beel.api")

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotency-Replay"
MAX_KEY_LENGTH = 255
KEY_PATTERN = r"^[a-zA-Z0-9_-]+$"
_WELL_FORMED_KEY = re.compile(KEY_PATTERN)


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


def fingerprint(request, target: str | None = None) -> str:
    """The request a key is bound to: its operation (`target`, the view's `idempotency_target(request)` when it
    has one, e.g. one for a canonical route and its flat alias; else method and path), its query string (a
    `?dry_run=true` and the real run are two requests, never a replay of each other) and its body."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=_part)
    operation = target or f"{request.method} {request.path}"
    if request.GET:
        # Appended only when there is one, so the keys claimed before it counted keep their fingerprint.
        operation += "?" + urlencode(sorted(request.GET.lists()), doseq=True)
    return hashlib.sha256(f"{operation}\n{body}".encode()).hexdigest()


def _valid_key(raw: str) -> str:
    if len(raw) > MAX_KEY_LENGTH or not _WELL_FORMED_KEY.fullmatch(raw):
        raise IdempotencyKeyMalformed()
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
    if existing is None:  # finished with a 4xx or 5xx and released in between: let the caller retry
        raise IdempotencyKeyProcessing()
    if existing.fingerprint != request_fingerprint:
        raise IdempotencyKeyMismatch()
    if existing.status_code is not None:
        replay = Response(
            json.loads(existing.response_data), status=existing.status_code, headers={REPLAY_HEADER: "true"}
        )
        return None, replay
    if existing.created_at > claimed_at - lease():
        raise IdempotencyKeyProcessing()
    # The request holding the key died: take its lease over, unless another retry just did.
    taken_over = records.filter(pk=existing.pk, status_code__isnull=True, created_at=existing.created_at).update(
        created_at=claimed_at
    )
    if not taken_over:
        raise IdempotencyKeyProcessing()
    existing.created_at = claimed_at
    return existing, None


def stored(data) -> str:
    """A response's data as the API renders it (DRF's encoder: a Decimal as its number, a UUID or a datetime as
    its text), kept as text: a JSON column would refuse a Decimal and PostgreSQL's jsonb would reorder the keys,
    where a replay is to answer the same bytes."""
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))


def serve_idempotently(view, handler, request, *args, **kwargs):
    """`handler(request, ...)` served once per key: APIViewSet routes every POST through here (bar the actions it
    exempts). Without the header the handler runs as usual."""
    raw_key = request.headers.get(HEADER)
    if raw_key is None:
        return handler(request, *args, **kwargs)
    key = _valid_key(raw_key)
    target = getattr(view, "idempotency_target", None)
    request_fingerprint = fingerprint(request, target(request) if target else None)
    record, replay = _claim(
        account=request.user, mode=request.auth.mode, key=key, request_fingerprint=request_fingerprint
    )
    if replay is not None:
        return replay
    with transaction.atomic():
        try:
            with transaction.atomic():
                response = handler(request, *args, **kwargs)
        except Exception as exc:  # the handler turns any failure into the response to store
            response = view.handle_exception(exc)
        if response.status_code >= 400:
            # Nothing was written: the key is released, and the corrected request (4xx) or the retry
            # (5xx) may use it again (see the module's docstring).
            record.delete()
            return response
        try:
            record.status_code = response.status_code
            record.response_data = stored(response.data)
            with transaction.atomic():
                record.save(update_fields=["status_code", "response_data"])
        except (DatabaseError, AttributeError, TypeError, ValueError):
            # The response could not be stored (a download has no data; a lone surrogate cannot be
            # UTF-8): forget the key rather than leave it "in progress"; a retry runs again.
            logger.exception("Could not store the response for Idempotency-Key %r", key)
            record.delete()
    return response
