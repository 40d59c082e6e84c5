"""Merging a duplicate customer into the one that survives.

A merge carries the duplicate's own duplicates along: merging B into C re-points every customer merged into B
(A, say) at C in the same transaction, so every merged customer points at a live survivor, never at another
merged one (no chains to follow). A merged customer can be neither merged again nor merged into, so no merge
can make a cycle.

Locks: the duplicate, the survivor and the customers merged into the duplicate, all in one statement in the
lock order (ascending id, invoices.services writes the whole order down), then the duplicate's drafts, then
the customers' counter rows (the triggers of the UPDATEs). Which customers are merged into the duplicate is
read before their locks are held: one merged into it meanwhile (by a merge that held the duplicate's lock)
makes the merge let go of its locks and take them again, never take that one out of order."""

import uuid

from django.db import transaction
from django.utils import timezone

from beel.actors import Actor
from beel.db.locking import lock_settled
from beel.errors import ValidationFailed
from beel.events.models import EventType, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from customers.errors import CustomerInactive, CustomerNotFound
from customers.models import AuditEntry, Customer, CustomerQuerySet
from customers.services import dependents
from customers.services.base import customer_event, get_customer, parse_customer_id
from customers.services.lifecycle import ensure_lifecycle_allows_changes
from customers.services.reports import MergePreview


def merge_preview(*, scope: DataScope, customer_id: str, into_id: str) -> MergePreview:
    duplicate = get_customer(scope=scope, customer_id=customer_id)
    survivor = get_customer(scope=scope, customer_id=into_id)
    share = dependents.merge_share(duplicate)
    return MergePreview(
        duplicate=duplicate,
        survivor=survivor,
        drafts_moving=share.moving,
        issued_staying=share.staying,
        duplicates_following=_merged_into(duplicate.pk).count(),
    )


def merge_customers(*, scope: DataScope, customer_id: str, into_id: str, actor: Actor) -> Customer:
    """Merge a duplicate into the customer that survives (same account and mode): its draft invoices move to
    the survivor, its issued invoices stay where they are (legal documents name the recipient they were
    issued to), the customers merged into it earlier now point at the survivor too, and it becomes inactive
    with `merged_into`, still answering with its record. Idempotent. Refused (409 CUSTOMER_MERGED) when
    either customer was itself merged, so of two merges racing in opposite directions exactly one wins."""
    duplicate_pk = parse_customer_id(customer_id)
    survivor_pk = parse_uuid(into_id, field="into")
    if duplicate_pk == survivor_pk:
        raise ValidationFailed(details={"into": "A customer cannot be merged into itself."})
    with transaction.atomic():
        duplicate, survivor, followers = lock_settled(lambda: _lock(scope, duplicate_pk, survivor_pk))
        if duplicate.merged_into_id == survivor.pk:
            return duplicate
        ensure_lifecycle_allows_changes(duplicate)
        ensure_lifecycle_allows_changes(survivor)
        if not survivor.active:
            raise CustomerInactive("The customer to merge into is deactivated; reactivate it first")
        now = timezone.now()
        dependents.move_to_survivor(duplicate, survivor, at=now)
        duplicate.merged_into = survivor
        changed = ["merged_into"]
        if duplicate.active:
            duplicate.active, duplicate.deactivated_at = False, now
            changed += ["active", "deactivated_at"]
        duplicate.save(update_fields=[*changed, "updated_at"])
        AuditEntry.record(customer_ids=[duplicate.pk], action=AuditEntry.Action.MERGED, actor=actor, at=now)
        AuditEntry.record(customer_ids=[survivor.pk], action=AuditEntry.Action.ABSORBED, actor=actor, at=now)
        record_events([customer_event(EventType.CUSTOMER_MERGED, duplicate)], at=now)
        _repoint(followers, survivor, actor=actor, at=now)
    return duplicate


def _lock(
    scope: DataScope, duplicate_pk: uuid.UUID, survivor_pk: uuid.UUID
) -> tuple[Customer, Customer, list[Customer]] | None:
    """The duplicate, the survivor and the customers merged into the duplicate, locked in the lock order; None
    when a customer was merged into the duplicate after it was read here (lock_settled then starts over)."""
    expected = set(_merged_into(duplicate_pk).values_list("pk", flat=True))
    pair = Customer.objects.within(scope).filter(pk__in=[duplicate_pk, survivor_pk])
    locked = {customer.pk: customer for customer in (pair | Customer.objects.filter(pk__in=expected)).locked()}
    duplicate, survivor = locked.get(duplicate_pk), locked.get(survivor_pk)
    if duplicate is None or duplicate.deleted_at is not None:
        raise CustomerNotFound()
    if survivor is None or survivor.deleted_at is not None:
        raise CustomerNotFound("The customer to merge into was not found", details={"into": "Not found."})
    # Read again now that the duplicate's lock is held: no merge into it can commit any more.
    followers = set(_merged_into(duplicate_pk).values_list("pk", flat=True))
    if not followers <= locked.keys():
        return None
    return duplicate, survivor, [locked[pk] for pk in sorted(followers)]


def _merged_into(duplicate_pk: uuid.UUID) -> CustomerQuerySet:
    """The customers merged into this one, which a merge of it carries along (deleted ones too: a deleted
    customer's record is kept, and it must not point at a merged one either)."""
    return Customer.objects.filter(merged_into_id=duplicate_pk)


def _repoint(followers: list[Customer], survivor: Customer, *, actor: Actor, at) -> None:
    """The customers merged into the duplicate now point at its survivor (their drafts moved with them when
    they were merged), with an audit entry and a `customer.merged` event each, naming the new survivor."""
    if not followers:
        return
    pks = [customer.pk for customer in followers]
    Customer.objects.filter(pk__in=pks).update(merged_into=survivor, updated_at=at)
    AuditEntry.record(
        customer_ids=pks, action=AuditEntry.Action.MERGED, actor=actor, at=at, changed_fields=["merged_into"]
    )
    for customer in followers:
        # What the UPDATE above wrote, so the events need no query of their own.
        customer.merged_into, customer.updated_at = survivor, at
    record_events([customer_event(EventType.CUSTOMER_MERGED, customer) for customer in followers], at=at)
