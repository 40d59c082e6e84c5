"""Payments of issued invoices, shared by the API (mark-paid, the undo), the admin and the overdue command.

An invoice's payments (InvoicePayment) are recorded and undone under the invoice's row lock (the one lock
these use cases take; `cancel_invoice` takes the same, so a payment and a cancellation never interleave):
`amount_paid` is read and written in the transaction that holds it, so two payments recorded at once for the
same invoice are serialised and never pay more than its total nor lose one another's amount
(tests/invoices/test_payment_concurrency.py). An invoice becomes `paid` when its payments cover its total,
and returns to `issued` when an undo uncovers it.

"Overdue" is never stored: `Invoice.is_overdue(today)` (issued, unpaid, past `due_date`) is derived on each
read from the service's clock. Only the fact that `invoice.overdue` was sent is stored, so it goes out once.

Money: amounts are Decimals with two places end to end (the API takes and answers decimal strings, the
database stores NUMERIC(12, 2)); a payment has no rounding of its own, as it may not exceed what is due.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from beel.actors import Actor
from beel.clock import today as clock_today
from beel.errors import ValidationFailed
from beel.events.models import EventType, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from invoices.balances import refresh_balance
from invoices.errors import InvoiceNotPayable, PaymentNotFound
from invoices.models import Invoice, InvoicePayment, InvoiceStatus
from invoices.services import get_invoice, invoice_event

ZERO = Decimal("0.00")


def _locked_invoice(scope: DataScope, invoice_id: str) -> Invoice:
    return get_invoice(scope=scope, invoice_id=invoice_id, for_update=True)


def record_payment(
    *,
    scope: DataScope,
    invoice_id: str,
    actor: Actor,
    payment_date: date | None = None,
    amount: Decimal | None = None,
    method: str = "",
) -> Invoice:
    """Record a payment received for an issued invoice (BeeL's markInvoicePaid): `amount` omitted pays what
    is still due; a smaller one is a partial payment, and the invoice becomes `paid` (with BeeL's
    `payment_date` and `paid_at`) when its payments cover its total. `payment_date` omitted is today; it may
    not be later than today. Refused with INVOICE_NOT_PAYABLE for a draft, cancelled or paid invoice, and
    with VALIDATION_ERROR for an amount that is not positive or exceeds what is due."""
    today = clock_today()
    payment_date = payment_date or today
    if payment_date > today:
        raise ValidationFailed(details={"payment_date": "Must not be later than today."})
    with transaction.atomic():
        invoice = _locked_invoice(scope, invoice_id)
        if invoice.status != InvoiceStatus.ISSUED:
            raise InvoiceNotPayable(details={"status": invoice.status})
        due = invoice.total - invoice.amount_paid
        amount = due if amount is None else amount
        if amount > due:
            raise ValidationFailed(details={"amount": f"Must not exceed the amount due, {due:.2f}."})
        if amount <= ZERO and due > ZERO:
            raise ValidationFailed(details={"amount": "Must be greater than 0."})
        InvoicePayment.objects.create(
            invoice=invoice, amount=amount, payment_date=payment_date, method=method or "", recorded_by=str(actor)
        )
        invoice.amount_paid += amount
        fields = ["amount_paid", "updated_at"]
        if invoice.amount_paid >= invoice.total:
            invoice.status = InvoiceStatus.PAID
            invoice.payment_date, invoice.paid_at = payment_date, timezone.now()
            fields += ["status", "payment_date", "paid_at"]
        invoice.save(update_fields=fields)
        refresh_balance(invoice.customer_id)
        if invoice.status == InvoiceStatus.PAID:
            record_events([invoice_event(EventType.INVOICE_PAID, invoice)])
        return invoice


def undo_payment(*, scope: DataScope, invoice_id: str, payment_id: str, actor: Actor) -> Invoice:
    """Delete a payment recorded by mistake: the invoice's `amount_paid` drops by its amount, and a paid
    invoice its payments no longer cover is `issued` again (its `payment_date` and `paid_at` cleared, and
    overdue again if past its due date). Refused with INVOICE_NOT_PAYABLE for a cancelled invoice (its
    payments are its record) and NOT_FOUND for a payment that is not the invoice's."""
    payment_uuid = parse_uuid(payment_id, field="payment_id")
    with transaction.atomic():
        invoice = _locked_invoice(scope, invoice_id)
        payment = InvoicePayment.objects.filter(invoice=invoice, pk=payment_uuid).first()
        if payment is None:
            raise PaymentNotFound()
        if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
            raise InvoiceNotPayable(
                "Only a payment of an issued or paid invoice can be undone", details={"status": invoice.status}
            )
        payment.delete()
        invoice.amount_paid -= payment.amount
        fields = ["amount_paid", "updated_at"]
        if invoice.status == InvoiceStatus.PAID and invoice.amount_paid < invoice.total:
            invoice.status = InvoiceStatus.ISSUED
            invoice.payment_date = invoice.paid_at = None
            fields += ["status", "payment_date", "paid_at"]
        invoice.save(update_fields=fields)
        refresh_balance(invoice.customer_id)
        return invoice


def notify_overdue_invoices(*, batch_size: int = 500) -> int:
    """Send `invoice.overdue` for every invoice that is overdue today (the service's clock) and was never
    notified, once per invoice: run daily by beat (invoices.tasks) or `manage.py notifyoverdueinvoices`.
    Each batch is its own transaction; rows another run holds are skipped (PostgreSQL), never sent twice.
    Returns how many were notified."""
    today, notified = clock_today(), 0
    while True:
        with transaction.atomic():
            pending = Invoice.objects.filter(
                status=InvoiceStatus.ISSUED, overdue_notified_at__isnull=True, due_date__lt=today
            )
            invoices = list(
                pending.select_for_update(skip_locked=True, of=("self",))
                .select_related("customer", "company")
                .order_by("due_date", "id")[:batch_size]
            )
            if not invoices:
                return notified
            now = timezone.now()
            Invoice.objects.filter(pk__in=[invoice.pk for invoice in invoices]).update(overdue_notified_at=now)
            record_events([invoice_event(EventType.INVOICE_OVERDUE, invoice) for invoice in invoices])
            notified += len(invoices)
