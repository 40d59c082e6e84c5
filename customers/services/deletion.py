"""Deleting customers: BeeL 1.9.0's deleteCompanyCustomer and deleteCompanyCustomersBulk.

Deleting is not deactivating. A deleted customer is gone from every use case (404 CLIENT_NOT_FOUND, never
listed, not counted: `CustomerQuerySet.within` and the counting triggers leave it out) and its identifier is
free for a new customer of the company (the unique NIF and alternative-id indexes only hold active rows, so the
row is also made inactive). The row itself stays, for the tax records of what was invoiced to it. A customer
with invoices is never deleted (409 CLIENT_HAS_INVOICES, untouched): deactivate it instead.

beel has no recurring invoices, so BeeL's HAS_RECURRING_INVOICE never applies; nothing can fail half-way
(one transaction), so neither does ERROR.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from beel.actors import Actor
from beel.errors import DomainError
from beel.events.models import EventType, record_events
from beel.tenancy import DataScope
from customers.errors import ClientNotFound, CustomerHasInvoices, InvalidCustomerId
from customers.models import AuditEntry, Customer
from customers.services.base import customer_event, parse_customer_id

HAS_INVOICES_MESSAGE = "Cannot delete customer because it has associated invoices; deactivate it instead"


class DeletionStatus(StrEnum):
    """BeeL's row status of a bulk deletion (CustomerBulkDeleteItem.status)."""

    DELETED = "DELETED"
    NOT_FOUND = "NOT_FOUND"
    HAS_INVOICES = "HAS_INVOICES"
    HAS_RECURRING_INVOICE = "HAS_RECURRING_INVOICE"  # in BeeL's vocabulary; beel has no recurring invoices
    ERROR = "ERROR"


@dataclass(frozen=True)
class DeletionOutcome:
    index: int  # the id's 0-based position in the request
    customer_id: str  # as submitted
    status: DeletionStatus
    error: DomainError | None = None  # why it was not deleted


@dataclass
class DeletionReport:
    """One outcome per submitted id, in request order, never filtered (an id sent twice keeps both places)."""

    outcomes: list[DeletionOutcome] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    batch: uuid.UUID = field(default_factory=uuid.uuid4)

    def count(self, status: DeletionStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failures(self) -> list[DeletionOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status != DeletionStatus.DELETED]


def delete_customers(*, scope: DataScope, ids: Iterable[str], actor: Actor) -> DeletionReport:
    """Delete each customer of `scope` that can be; report every submitted id. A malformed id and one the
    scope does not hold (another company's, or already deleted) are NOT_FOUND; a customer with invoices is
    HAS_INVOICES and left as it was; an id repeated after it was deleted is NOT_FOUND, as a second request
    would find it. A fixed number of queries whatever the number of ids.

    Lock order as invoices.services documents it: the customer rows first (in ascending id), then their
    invoices are counted (a separate statement after the lock, so it sees an invoice committed while we
    waited). Invoice creation locks the same customer row, so no invoice can appear under a customer being
    deleted. The counter rows come last, taken by the triggers of the UPDATE."""
    submitted = [str(raw).strip() for raw in ids]
    parsed = [_parsed(raw) for raw in submitted]
    report = DeletionReport()
    with transaction.atomic():
        customers = {
            customer.pk: customer
            for customer in Customer.objects.within(scope)
            .filter(pk__in={pk for pk in parsed if pk is not None})
            .locked()
        }
        invoiced = set(
            Customer.objects.filter(pk__in=list(customers), invoices__isnull=False).values_list("pk", flat=True)
        )
        deleted: list[uuid.UUID] = []
        for index, (raw, pk) in enumerate(zip(submitted, parsed, strict=True)):
            if pk is None:
                refusal = ClientNotFound("Customer not found: the id is not a UUID")
                report.outcomes.append(DeletionOutcome(index, raw, DeletionStatus.NOT_FOUND, refusal))
            elif pk not in customers or pk in deleted:
                report.outcomes.append(DeletionOutcome(index, raw, DeletionStatus.NOT_FOUND, ClientNotFound()))
            elif pk in invoiced:
                refusal = CustomerHasInvoices(HAS_INVOICES_MESSAGE)
                report.outcomes.append(DeletionOutcome(index, raw, DeletionStatus.HAS_INVOICES, refusal))
            else:
                deleted.append(pk)
                report.outcomes.append(DeletionOutcome(index, raw, DeletionStatus.DELETED))
        if deleted:
            _delete([customers[pk] for pk in deleted], actor=actor, batch=report.batch)
    report.deleted_ids = [str(pk) for pk in deleted]
    return report


def _parsed(raw: str) -> uuid.UUID | None:
    try:
        return parse_customer_id(raw)
    except InvalidCustomerId:
        return None


def _delete(customers: list[Customer], *, actor: Actor, batch: uuid.UUID) -> None:
    """Delete these locked customers, with their audit entries (one batch) and `customer.deleted` events."""
    now = timezone.now()
    pks = [customer.pk for customer in customers]
    # Inactive too: the unique identifier indexes hold active rows only, so the NIF is free again.
    Customer.objects.filter(pk__in=pks).update(deleted_at=now, active=False, updated_at=now)
    AuditEntry.record(customer_ids=pks, action=AuditEntry.Action.DELETED, actor=actor, at=now, batch=batch)
    for customer in customers:
        # What the UPDATE above wrote, so the events need no query of their own.
        customer.deleted_at, customer.active, customer.updated_at = now, False, now
    record_events([customer_event(EventType.CUSTOMER_DELETED, customer) for customer in customers], at=now)


def delete_customer(*, scope: DataScope, customer_id: str, actor: Actor) -> None:
    """The single-customer case of `delete_customers`, raising its refusal: 404 CLIENT_NOT_FOUND, 409
    CLIENT_HAS_INVOICES. A malformed id is a 400 naming `customer_id`."""
    parse_customer_id(customer_id)
    report = delete_customers(scope=scope, ids=[customer_id], actor=actor)
    if report.failures:
        raise report.failures[0].error
