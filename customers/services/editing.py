"""Changing a customer's record: some fields (PATCH) or all of it (PUT)."""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from beel.actors import Actor
from beel.events.models import EventType, record_events
from beel.tenancy import DataScope
from customers.models import AuditEntry, Customer
from customers.services.base import customer_event, get_customer
from customers.services.identity import customer_identity, ensure_identity_is_free, identity_of, identity_taken
from customers.services.lifecycle import deactivate_customer, ensure_lifecycle_allows_changes, reactivate_customer
from customers.services.tax_id import Precheck, precheck_change, tax_id_of, verification_of_change


def update_customer(
    *, scope: DataScope, customer_id: str, data: Mapping[str, Any], actor: Actor, precheck: Precheck | None = None
) -> Customer:
    """Change the given fields of a customer; `data` is validated and normalised, and never holds the
    lifecycle fields (`active`, `deactivated_at`), which only deactivation and reactivation write.

    The row is locked and only the changed columns are written, so an update that races a deactivation
    can neither undo it nor be undone by it. The registry is asked before (`precheck`: given by a caller that
    holds a transaction already, see change_customer), never while the row is locked."""
    if precheck is None:
        precheck = precheck_change(scope=scope, customer_id=customer_id, data=data)
    try:
        with transaction.atomic():
            customer = get_customer(scope=scope, customer_id=customer_id, for_update=True)
            ensure_lifecycle_allows_changes(customer)
            _apply_changes(customer, data, actor=actor, precheck=precheck)
    except IntegrityError:
        raise identity_taken(identity_of(data) or customer_identity(customer)) from None
    return customer


def _apply_changes(customer: Customer, data: Mapping[str, Any], *, actor: Actor, precheck: Precheck) -> None:
    """Write the fields of `data` that differ, with their audit entry and event; the row is locked."""
    changed = [name for name, value in data.items() if getattr(customer, name) != value]
    if not changed:
        return
    if customer.active and any(name == "nif" or name.startswith("alternative_id_") for name in changed):
        values = {name: data.get(name, getattr(customer, name)) for name in IDENTITY_FIELDS}
        ensure_identity_is_free(
            company_id=customer.company_id, mode=customer.mode, values=values, exclude_pk=customer.pk
        )
    before = tax_id_of(customer)
    for name in changed:
        setattr(customer, name, data[name])
    verification = verification_of_change(customer, before, precheck)
    for name, value in verification.items():
        setattr(customer, name, value)
    customer.save(update_fields=[*changed, *verification, "updated_at"])
    AuditEntry.record(customer_ids=[customer.pk], action=AuditEntry.Action.UPDATED, actor=actor, changed_fields=changed)
    record_events([customer_event(EventType.CUSTOMER_UPDATED, customer)])


IDENTITY_FIELDS = ("nif", "alternative_id_type", "alternative_id_country", "alternative_id_number")


def change_customer(*, scope: DataScope, customer_id: str, data: Mapping[str, Any], actor: Actor) -> Customer:
    """PUT and PATCH (BeeL's updateCustomer and patchCustomer): `data` as customers.record's check_record gives
    it (for a PUT, with the fields it clears when left out); the rest of the record is kept. An `active` in it
    goes through `deactivate_customer` / `reactivate_customer`, so their rules apply (CLIENT_HAS_INVOICES, a NIF taken
    meanwhile): deactivation after the fields are written, reactivation before, so the identity checked
    for uniqueness is always the one the customer ends with. All or nothing."""
    data = dict(data)
    active = data.pop("active", None)
    precheck = precheck_change(scope=scope, customer_id=customer_id, data=data)  # before any lock is taken
    with transaction.atomic():
        customer = get_customer(scope=scope, customer_id=customer_id, for_update=True)
        ensure_lifecycle_allows_changes(customer)
        if active is False and customer.active:
            # Written first while active, so the new identity is checked against the other active customers.
            customer = update_customer(scope=scope, customer_id=customer_id, data=data, actor=actor, precheck=precheck)
            return deactivate_customer(scope=scope, customer_id=customer_id, actor=actor)
        if active is True and not customer.active:
            # Fields first (an inactive customer's identity is not checked), then the reactivation checks
            # the identity the customer ends with.
            update_customer(scope=scope, customer_id=customer_id, data=data, actor=actor, precheck=precheck)
            return reactivate_customer(scope=scope, customer_id=customer_id, actor=actor)
        return update_customer(scope=scope, customer_id=customer_id, data=data, actor=actor, precheck=precheck)
