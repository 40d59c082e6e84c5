"""The copies of an object's data that the shared plumbing keeps beside the object's own row: every event of the
outbox (beel.events: the object as the API showed it then, which webhooks read again at each attempt and each
retry by hand) and every response stored for an Idempotency-Key replay (beel.idempotency, kept 24 h).

An erasure (customers.services.erasure) rewrites them with `scrub_copies`, in its own transaction. beel names
no app, so the caller says how its objects name the erased subject (`ObjectScrub.key`, e.g. a customer's `id`,
an invoice's `customer_id`) and what such an object keeps once the subject is anonymised (`ObjectScrub.scrub`).
An event is rewritten in place, not deleted: its id, type and time stay, so a receiver still gets every event
once, and a delivery still pending, or retried later, sends the scrubbed version."""

import functools
import json
import operator
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

from beel.events.models import Event
from beel.idempotency.models import IdempotencyRecord

BATCH = 500


@dataclass(frozen=True)
class ObjectScrub:
    """Every JSON object whose `key` holds the erased subject's id becomes `scrub(object)`."""

    key: str
    scrub: Callable[[dict], dict]


@dataclass(frozen=True)
class ScrubbedCopies:
    events: int
    responses: int
    # Stored responses that still held one of the subject's identifiers without naming it by id (a dry run,
    # a NIF check): forgotten, so a retry with their key runs again (they wrote nothing).
    forgotten_responses: int


def scrub_json(value: Any, subject_id: str, scrubs: Sequence[ObjectScrub]) -> Any:
    """`value` with every object that names `subject_id` (at any depth) scrubbed."""
    if isinstance(value, list):
        return [scrub_json(item, subject_id, scrubs) for item in value]
    if not isinstance(value, dict):
        return value
    scrubbed = {key: scrub_json(item, subject_id, scrubs) for key, item in value.items()}
    for scrub in scrubs:
        if scrubbed.get(scrub.key) == subject_id:
            scrubbed = scrub.scrub(scrubbed)
    return scrubbed


def scrub_copies(
    *,
    account_id: int,
    mode: str,
    subject_id: str,
    since: datetime,
    scrubs: Sequence[ObjectScrub],
    identifiers: Collection[str] = (),
) -> ScrubbedCopies:
    """Rewrite the copies of one account and mode that name `subject_id`: the events recorded since `since`
    (when the subject was created) whose `data` names it at its top level, as every event's object does, and
    the stored responses that name it anywhere. A stored response that still holds one of `identifiers`
    afterwards (the subject's NIF, email... without its id) is forgotten."""
    events = Event.objects.filter(account_id=account_id, mode=mode, created_at__gte=since).filter(
        functools.reduce(operator.or_, (models.Q(**{f"data__{scrub.key}": subject_id}) for scrub in scrubs))
    )
    changed_events = _rewritten(events.only("pk", "data"), subject_id, scrubs, field="data", as_text=False)
    Event.objects.bulk_update(changed_events, ["data"], batch_size=BATCH)

    stored = IdempotencyRecord.objects.filter(account_id=account_id, mode=mode, status_code__isnull=False)
    changed_responses = _rewritten(
        _mentioning(stored, [subject_id]), subject_id, scrubs, field="response_data", as_text=True
    )
    IdempotencyRecord.objects.bulk_update(changed_responses, ["response_data"], batch_size=BATCH)
    forgotten, _ = _mentioning(stored, [value for value in identifiers if value]).delete()
    return ScrubbedCopies(events=len(changed_events), responses=len(changed_responses), forgotten_responses=forgotten)


def _rewritten(rows: Iterable, subject_id: str, scrubs: Sequence[ObjectScrub], *, field: str, as_text: bool) -> list:
    """The rows whose JSON `field` named the subject, scrubbed. A stored response is JSON text (beel.idempotency
    keeps the rendered bytes): it is written back in the same compact form, keys in their order, so a replay
    still answers what the API renders."""
    changed = []
    for row in rows:
        stored = getattr(row, field)
        original = json.loads(stored) if as_text else stored
        scrubbed = scrub_json(original, subject_id, scrubs)
        if scrubbed != original:
            setattr(
                row, field, json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":")) if as_text else scrubbed
            )
            changed.append(row)
    return changed


def _mentioning(records: models.QuerySet, texts: Sequence[str]) -> models.QuerySet:
    """The records whose stored response holds one of `texts` anywhere (as JSON text: a day's responses of one
    account, read once)."""
    if not texts:
        return records.none()
    as_text = records.annotate(response_text=models.functions.Cast("response_data", models.TextField()))
    return as_text.filter(functools.reduce(operator.or_, (models.Q(response_text__contains=text) for text in texts)))
