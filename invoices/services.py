"""Invoice use cases, shared by the API, the admin and the commands.

Lock order, the same in every use case that takes more than one of these locks, so none can deadlock
another (docs/api.md, "Merging customers"): the customer rows, in ascending id, then the invoice rows, then
the series counter, then the customers' counter rows.
- Customers are locked through `CustomerQuerySet.locked()`, one statement for all a use case needs, in
  ascending id (`deactivate_customers`, `reactivate_customers`, `delete_customers`, `merge_customers`); not in
  the list's order, which a rename may change between two transactions' sorts.
- A use case that learns which rows to lock only from rows that may change until they are locked takes them
  through `beel.db.locking.lock_settled`: when what it finds under its locks shows it locked the wrong rows, it
  lets go of them all and starts over, rather than wait for another customer while holding one.
- `create_invoice` locks the customer (as `deactivate_customers` and `merge_customers` do) and writes a
  draft, which takes no number.
- `issue_invoice` locks the invoice's customer, then the invoice, then its series' counter: a merge (which
  locks the customers and then moves their drafts) or a deactivation never runs half-way through an issue.
  If a merge moved the draft to another customer meanwhile, it lets go and starts over with that one.
- `merge_customers` locks the duplicate, the survivor and the customers merged into the duplicate (which it
  re-points at the survivor), then moves the drafts.
- `cancel_invoice` locks only the invoice; so do `record_payment` and `undo_payment` (invoices.payments).
- Then the customer's balance lock (invoices.balances.refresh_balance), taken by every use case above that
  changes what a customer was billed or owes, after its invoice and counter rows; nothing is locked after it.
- Last, taken by PostgreSQL triggers rather than by a use case: the customers' counter rows
  (`customers_customercount`, one per company, mode and active), locked by every statement that writes
  customers, in (company, mode, active) order within the statement, and held until commit. Since they also
  carry the version of the account's customers (customers/migrations/0013), every customer write takes one,
  renames included: writers of one account and mode serialise on it from their first customer write to
  their commit. Use cases lock every customer row they need before writing any customer, so no transaction
  holds a counter row while it waits for a customer or invoice row.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from beel.actors import Actor
from beel.clock import today as clock_today
from beel.db.locking import lock_settled
from beel.errors import ValidationFailed
from beel.events.models import EventType, NewEvent, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from companies.models import Company
from customers.errors import CustomerNotFound
from customers.models import Customer, TaxIdStatus
from customers.representations import fiscal_identity
from customers.services import ensure_lifecycle_allows_changes, get_customer
from customers.validators import DEFAULT_PAYMENT_TERM_DAYS
from invoices.balances import refresh_balance
from invoices.errors import (
    CustomerCannotBeInvoiced,
    EmissionNotReady,
    InvoiceNotCancellable,
    InvoiceNotDraft,
    InvoiceNotFound,
    RecipientTaxIdInvalid,
)
from invoices.models import DEFAULT_SERIES, Invoice, InvoiceSeriesCounter, InvoiceStatus
from invoices.representations import invoice_representation


def get_invoice(*, scope: DataScope, invoice_id: str, for_update: bool = False) -> Invoice:
    invoice_uuid = parse_uuid(invoice_id, field="invoice_id")
    invoices = Invoice.objects.within(scope).filter(pk=invoice_uuid).select_related("customer", "company")
    invoice = (invoices.select_for_update(of=("self",)) if for_update else invoices).first()
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


def _next_number(*, company_id, mode: str, series: str) -> int:
    """Reserve the next number of the company's series; the caller's transaction holds the counter row's lock.
    Each company numbers its own series; test-mode invoices have their own counters, so they never consume
    live numbers."""
    counters = InvoiceSeriesCounter.objects.select_for_update()
    counter = counters.filter(company_id=company_id, mode=mode, series=series).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = InvoiceSeriesCounter.objects.create(company_id=company_id, mode=mode, series=series)
        except IntegrityError:
            # Another transaction created the counter first: wait for and take its lock instead.
            counter = counters.get(company_id=company_id, mode=mode, series=series)
        else:
            counter = counters.get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _ensure_can_be_invoiced(customer) -> None:
    """A merged, anonymised or to-be-forgotten customer, or a deactivated one, takes no new invoice."""
    ensure_lifecycle_allows_changes(customer)
    if not customer.active:
        raise CustomerCannotBeInvoiced()


def _ensure_recipient_tax_id(invoice: Invoice, customer, *, actor: Actor, override_reason: str) -> None:
    """A customer whose tax id its registry says is not valid takes no invoice, unless staff give a reason."""
    if customer.tax_id_status != TaxIdStatus.INVALID:
        return
    if not override_reason.strip():
        raise RecipientTaxIdInvalid(
            f"The tax id of customer {customer.legal_name} ({customer.tax_id}) is not in its registry",
            details={"customer_id": str(customer.pk), "tax_id": customer.tax_id},
        )
    invoice.tax_id_override_reason, invoice.tax_id_override_by = override_reason.strip(), actor.name


def invoice_event(event_type: EventType, invoice: Invoice) -> NewEvent:
    return NewEvent(
        account_id=invoice.account_id,
        mode=invoice.mode,
        type=event_type,
        data=invoice_representation(invoice),
        company_id=invoice.company_id,
    )


def create_invoice(
    *, scope: DataScope, customer_id: str, data: Mapping[str, Any] | None = None, actor: Actor
) -> Invoice:
    """Create a draft invoice, without a number (it takes one when issued), for an active customer.

    The customer row is locked first, the same lock `deactivate_customers` takes, so an invoice is never
    created under a customer that is being (or has just been) deactivated."""
    account, mode = scope.owner()
    data = dict(data or {})
    series = data.pop("series", None) or DEFAULT_SERIES
    with transaction.atomic():
        customer = get_customer(scope=scope, customer_id=customer_id, for_update=True)
        if not customer.active:
            raise CustomerCannotBeInvoiced()
        # The customer's company issues it: a flat route's scope may span the account's companies (staff).
        invoice = Invoice.objects.create(
            account=account, company_id=customer.company_id, mode=mode, customer=customer, series=series, **data
        )
        record_events([invoice_event(EventType.INVOICE_CREATED, invoice)])
        return invoice


def _lock_with_its_customer(scope: DataScope, invoice_id: str) -> tuple[Customer, Invoice] | None:
    """The invoice and its customer, locked in the module's order: the customer first. None when a merge moved
    the draft to another customer before the invoice's own lock was taken; lock_settled then lets go of both
    locks and starts over with the new customer, rather than wait for it while holding the old one (which a
    bulk deletion or another merge holding the new one and waiting for the old one would deadlock with)."""
    customer_id = get_invoice(scope=scope, invoice_id=invoice_id).customer_id
    try:
        customer = get_customer(scope=scope, customer_id=customer_id, for_update=True)
    except CustomerNotFound:
        # Deleted while we waited for its lock, by a deletion that came after a merge had moved the draft away.
        if get_invoice(scope=scope, invoice_id=invoice_id).customer_id != customer_id:
            return None
        raise
    invoice = get_invoice(scope=scope, invoice_id=invoice_id, for_update=True)
    return (customer, invoice) if invoice.customer_id == customer.pk else None


def _due_date(invoice: Invoice, customer: Customer, *, issue_date: date, given: date | None) -> date:
    """The date given, else the draft's, else the issue date plus the customer's payment term at this moment
    (its preferred_payment_method.payment_term_days; BeeL's 30 days without one)."""
    due_date = given or invoice.due_date
    if due_date is None:
        term = customer.payment_term_days
        due_date = issue_date + timedelta(days=DEFAULT_PAYMENT_TERM_DAYS if term is None else term)
    if due_date < issue_date:
        raise ValidationFailed(details={"due_date": f"Must be on or after the issue date, {issue_date.isoformat()}."})
    return due_date


def issue_invoice(
    *,
    scope: DataScope,
    invoice_id: str,
    actor: Actor,
    tax_id_override_reason: str = "",
    due_date: date | None = None,
) -> Invoice:
    """Turn a draft into an issued invoice: it takes the next number of its series now (so numbers follow
    the order of issue, without gaps), is dated today, and keeps a copy of its customer's fiscal identity,
    which later changes of the customer never touch. Refused for an invoice that is not a draft
    (INVOICE_NOT_DRAFT) and for a customer that can take no invoice (deactivated, merged, anonymised or
    waiting to be), and for a customer whose tax id its registry says is not valid (RECIPIENT_TAX_ID_INVALID)
    unless `tax_id_override_reason` is given (staff, in the admin), which the invoice records with the actor.
    It falls due on `due_date` when given (_due_date: else the draft's, else the customer's payment term)."""
    with transaction.atomic():
        customer, invoice = lock_settled(lambda: _lock_with_its_customer(scope, invoice_id))
        if invoice.status != InvoiceStatus.DRAFT:
            raise InvoiceNotDraft(details={"status": invoice.status})
        _ensure_can_be_invoiced(customer)
        _ensure_recipient_tax_id(invoice, customer, actor=actor, override_reason=tax_id_override_reason)
        issuer = Company.objects.get(pk=invoice.company_id)
        if missing := issuer.missing_fiscal_fields():
            raise EmissionNotReady(details={"missing_fields": ", ".join(missing)})
        invoice.number = _next_number(company_id=invoice.company_id, mode=invoice.mode, series=invoice.series)
        invoice.status = InvoiceStatus.ISSUED
        invoice.issue_date = clock_today()
        invoice.due_date = _due_date(invoice, customer, issue_date=invoice.issue_date, given=due_date)
        invoice.issued_at = timezone.now()
        invoice.recipient = fiscal_identity(customer)
        invoice.issuer = issuer.fiscal_identity()
        invoice.customer = customer
        invoice.save(
            update_fields=[
                *("number", "status", "issue_date", "due_date", "issued_at", "recipient", "issuer", "updated_at"),
                *("tax_id_override_reason", "tax_id_override_by"),
            ]
        )
        refresh_balance(invoice.customer_id)
        record_events([invoice_event(EventType.INVOICE_ISSUED, invoice)])
        return invoice


def cancellation_refusal(invoice: Invoice) -> InvoiceNotCancellable | None:
    """Why this invoice cannot be cancelled (a paid invoice is final); None when it can, or is cancelled
    already. The admin's confirmation page previews with it."""
    if invoice.status == InvoiceStatus.PAID:
        return InvoiceNotCancellable()
    return None


def cancel_invoice(*, scope: DataScope, invoice_id: str, actor: Actor) -> Invoice:
    """Cancel a draft or an issued invoice. An issued one keeps its number and recipient (the series stays
    correlative and the document stays on record); a draft never took a number and takes none. A paid
    invoice cannot be cancelled (INVOICE_NOT_CANCELLABLE). Cancelling again answers the same."""
    with transaction.atomic():
        invoice = get_invoice(scope=scope, invoice_id=invoice_id, for_update=True)
        if invoice.status == InvoiceStatus.CANCELLED:
            return invoice
        if (refusal := cancellation_refusal(invoice)) is not None:
            raise refusal
        was_issued = invoice.status == InvoiceStatus.ISSUED
        invoice.status = InvoiceStatus.CANCELLED
        invoice.save(update_fields=["status", "updated_at"])
        if was_issued:
            refresh_balance(invoice.customer_id)
        record_events([invoice_event(EventType.INVOICE_CANCELLED, invoice)])
        return invoice
