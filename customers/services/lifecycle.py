"""Deactivation (the soft delete), reactivation and its undo, and what a customer's lifecycle refuses."""

import uuid
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from beel.actors import Actor
from beel.errors import DomainError
from beel.events.models import EventType, record_events
from beel.tenancy import DataScope
from customers.errors import (
    CustomerAnonymized,
    CustomerErasurePending,
    CustomerHasInvoices,
    CustomerMerged,
    CustomerNotFound,
)
from customers.models import AuditEntry, Customer, CustomerQuerySet
from customers.services.base import customer_event, parse_customer_id, parse_ids, sort_failures
from customers.services.identity import identities_taken, identity_taken, nif_taken, owned_identity
from customers.services.reports import DeactivationFailure, DeactivationReport, ReactivationFailure, ReactivationReport

MAX_BULK_IDS = 100


def deactivate_customers(
    *, scope: DataScope, ids: Iterable[str], actor: Actor, dry_run: bool = False
) -> DeactivationReport:
    """Soft-delete each customer that can be: malformed ids, ids unknown to the account and customers with
    invoices are reported, the rest deactivated. Already inactive customers count as deactivated
    (idempotent). A fixed number of queries whatever the number of ids. With `dry_run`, the same report
    is computed and nothing is written.

    The customer rows are locked before their invoices are counted, and invoice creation locks the same
    row (invoices.services.create_invoice), so no invoice can appear under a customer being deactivated.
    Every use case takes the customer's lock before an invoice's or a series counter's (the whole order is
    written down in invoices.services).
    """
    report = DeactivationReport(requested_ids=[], batch=None if dry_run else uuid.uuid4())
    parsed = parse_ids(ids, report)

    with transaction.atomic():
        customers = _locked(scope, parsed)
        # Taken once the locks are held: a deactivation that waited behind a reactivation happened after it.
        now = timezone.now()
        # A separate statement after the lock, so it sees invoices committed while we waited for it.
        invoice_counts = dict(
            Customer.objects.filter(pk__in=list(customers), invoices__isnull=False)
            .with_invoice_count()
            .values_list("pk", "invoice_count")
        )
        to_deactivate = _to_deactivate(report, parsed, customers, invoice_counts)
        if to_deactivate and not dry_run:
            _set_active(customers, to_deactivate, active=False, actor=actor, at=now, batch=report.batch)
    sort_failures(report)
    return report


def _to_deactivate(
    report: DeactivationReport,
    parsed: dict[str, uuid.UUID],
    customers: dict[uuid.UUID, Customer],
    invoice_counts: dict[uuid.UUID, int],
) -> list[uuid.UUID]:
    """Report each requested customer; the active ones that can be deactivated are returned."""
    to_deactivate: list[uuid.UUID] = []
    for raw, customer_uuid in parsed.items():
        customer = customers.get(customer_uuid)
        if customer is None:
            report.failures.append(DeactivationFailure(customer_id=raw, error=CustomerNotFound()))
        elif invoice_counts.get(customer_uuid, 0):
            report.failures.append(
                DeactivationFailure(
                    customer_id=raw,
                    error=CustomerHasInvoices(),
                    customer=customer,
                    invoice_count=invoice_counts[customer_uuid],
                )
            )
        else:
            if customer.active:
                to_deactivate.append(customer_uuid)
            else:
                report.already_inactive_ids.append(str(customer_uuid))
            report.deactivated_ids.append(str(customer_uuid))
    return to_deactivate


def _locked(scope: DataScope, parsed: dict[str, uuid.UUID]) -> dict[uuid.UUID, Customer]:
    """The requested customers of `scope`, their rows locked until the transaction ends (in the lock order)."""
    return {
        customer.pk: customer
        for customer in Customer.objects.within(scope).filter(pk__in=set(parsed.values())).locked()
    }


def _set_active(
    customers: dict[uuid.UUID, Customer], pks: list[uuid.UUID], *, active: bool, actor: Actor, at, batch: uuid.UUID
) -> None:
    """Deactivate or reactivate these locked customers, with their audit entries (one batch) and events."""
    deactivated_at = None if active else at
    Customer.objects.filter(pk__in=pks).update(active=active, deactivated_at=deactivated_at, updated_at=at)
    AuditEntry.record(
        customer_ids=pks,
        action=AuditEntry.Action.REACTIVATED if active else AuditEntry.Action.DEACTIVATED,
        actor=actor,
        at=at,
        batch=batch,
    )
    for pk in pks:
        # What the UPDATE above wrote, so the events need no query of their own.
        customer = customers[pk]
        customer.active, customer.deactivated_at, customer.updated_at = active, deactivated_at, at
    event_type = EventType.CUSTOMER_REACTIVATED if active else EventType.CUSTOMER_DEACTIVATED
    record_events([customer_event(event_type, customers[pk]) for pk in pks], at=at)


def deactivate_customer(*, scope: DataScope, customer_id: str, actor: Actor) -> Customer:
    """The single-customer case of `deactivate_customers`, raising its failure instead of reporting it."""
    parse_customer_id(customer_id)  # a malformed id is a 400 with details here, not a report entry
    report = deactivate_customers(scope=scope, ids=[customer_id], actor=actor)
    if report.failures:
        raise report.failures[0].error
    return Customer.objects.get(pk=report.deactivated_ids[0])


def reactivate_customers(
    *, scope: DataScope, ids: Iterable[str], actor: Actor, dry_run: bool = False
) -> ReactivationReport:
    """Undo the soft delete of each customer that can be: malformed or unknown ids are reported, and so is
    a customer whose NIF another active customer of its account (and mode) now holds, or an earlier
    customer of the same call takes back. Already active customers are reported apart and left alone. A
    fixed number of queries whatever the number of ids. With `dry_run`, the same report is computed (the
    admin's confirmation page) and nothing is written."""
    report = ReactivationReport(requested_ids=[])
    parsed = parse_ids(ids, report)
    try:
        with transaction.atomic():
            customers = _locked(scope, parsed)
            now = timezone.now()
            to_reactivate = _to_reactivate(report, parsed, customers)
            if to_reactivate and not dry_run:
                _set_active(customers, to_reactivate, active=True, actor=actor, at=now, batch=uuid.uuid4())
    except IntegrityError:
        # A concurrent create or reactivation took one of these NIFs after the check; nothing was written.
        raise nif_taken() from None
    sort_failures(report)
    return report


def _to_reactivate(
    report: ReactivationReport, parsed: dict[str, uuid.UUID], customers: dict[uuid.UUID, Customer]
) -> list[uuid.UUID]:
    """Report each requested customer; the inactive ones that can be reactivated are returned."""
    taken = identities_taken([customer for customer in customers.values() if not customer.active])
    to_reactivate: list[uuid.UUID] = []
    for raw, customer_uuid in parsed.items():
        customer = customers.get(customer_uuid)
        if customer is None:
            report.failures.append(ReactivationFailure(customer_id=raw, error=CustomerNotFound()))
        elif customer.active:
            report.already_active_ids.append(str(customer_uuid))
        elif (refusal := lifecycle_refusal(customer)) is not None:
            report.failures.append(ReactivationFailure(customer_id=raw, error=refusal, customer=customer))
        elif (owned := owned_identity(customer)) in taken:
            report.failures.append(
                ReactivationFailure(customer_id=raw, error=identity_taken(owned[2]), customer=customer)
            )
        else:
            taken.add(owned)
            to_reactivate.append(customer_uuid)
            report.reactivated_ids.append(str(customer_uuid))
    return to_reactivate


def customers_deactivated_by(*, scope: DataScope, batch: uuid.UUID) -> CustomerQuerySet:
    """The customers that one call of `deactivate_customers` deactivated (not those already inactive)."""
    return Customer.objects.within(scope).filter(
        audit_entries__batch=batch, audit_entries__action=AuditEntry.Action.DEACTIVATED
    )


def undo_deactivation(*, scope: DataScope, batch: uuid.UUID, actor: Actor) -> ReactivationReport:
    """Reactivate exactly the customers that the deactivation `batch` deactivated."""
    ids = [str(pk) for pk in customers_deactivated_by(scope=scope, batch=batch).values_list("pk", flat=True)]
    return reactivate_customers(scope=scope, ids=ids, actor=actor)


def reactivate_customer(*, scope: DataScope, customer_id: str, actor: Actor) -> Customer:
    """The single-customer case of `reactivate_customers`, raising its failure instead of reporting it.
    Refused when another active customer now holds the same NIF."""
    customer_uuid = parse_customer_id(customer_id)
    report = reactivate_customers(scope=scope, ids=[customer_id], actor=actor)
    if report.failures:
        raise report.failures[0].error
    return Customer.objects.get(pk=customer_uuid)


def lifecycle_refusal(customer: Customer) -> DomainError | None:
    """Why a merged, anonymised or to-be-anonymised customer can never be edited nor reactivated again."""
    if customer.merged_into_id is not None:
        return CustomerMerged(details={"merged_into": str(customer.merged_into_id)})
    if customer.anonymized_at is not None:
        return CustomerAnonymized()
    if customer.erasure_requested_at is not None:
        return CustomerErasurePending(details={"retain_until": customer.retain_until.isoformat()})
    return None


def ensure_lifecycle_allows_changes(customer: Customer) -> None:
    if (refusal := lifecycle_refusal(customer)) is not None:
        raise refusal
