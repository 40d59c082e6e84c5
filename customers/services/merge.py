"""Merging a duplicate customer into the one that survives."""

from django.db import transaction
from django.utils import timezone

from beel.actors import Actor
from beel.errors import ValidationFailed
from beel.events.models import EventType, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from customers.errors import CustomerInactive, CustomerNotFound
from customers.models import AuditEntry, Customer
from customers.services import dependents
from customers.services.base import customer_event, get_customer, parse_customer_id
from customers.services.lifecycle import ensure_lifecycle_allows_changes
from customers.services.reports import MergePreview


def merge_preview(*, scope: DataScope, customer_id: str, into_id: str) -> MergePreview:
    duplicate = get_customer(scope=scope, customer_id=customer_id)
    survivor = get_customer(scope=scope, customer_id=into_id)
    share = dependents.merge_share(duplicate)
    return MergePreview(
        duplicate=duplicate, survivor=survivor, drafts_moving=share.moving, issued_staying=share.staying
    )


def merge_customers(*, scope: DataScope, customer_id: str, into_id: str, actor: Actor) -> Customer:
    """Merge a duplicate into the customer that survives (same account and mode): its draft invoices move to
    the survivor, its issued invoices stay where they are (legal documents name the recipient they were
    issued to), and it becomes inactive with `merged_into`, still answering with its record. Idempotent."""
    duplicate_pk = parse_customer_id(customer_id)
    survivor_pk = parse_uuid(into_id, field="into")
    if duplicate_pk == survivor_pk:
        raise ValidationFailed(details={"into": "A customer cannot be merged into itself."})
    with transaction.atomic():
        # Locked in the model's order, as every multi-customer lock is taken (deactivate_customers).
        locked = {
            customer.pk: customer
            for customer in Customer.objects.within(scope)
            .filter(pk__in=[duplicate_pk, survivor_pk])
            .select_for_update()
        }
        duplicate, survivor = locked.get(duplicate_pk), locked.get(survivor_pk)
        if duplicate is None:
            raise CustomerNotFound()
        if survivor is None:
            raise CustomerNotFound("The customer to merge into was not found", details={"into": "Not found."})
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
    return duplicate
