"""What the statement tests share: invoices stored as they stand on a day (issued, with their payments), and
the statement's URLs."""

from datetime import date
from decimal import Decimal

from invoices.models import Invoice, InvoicePayment
from tests.factories import InvoiceFactory


def url_of(customer) -> str:
    return f"/api/v1/customers/{getattr(customer, 'pk', customer)}/statement"


def canonical_url_of(company_id, customer) -> str:
    return f"/api/v1/companies/{company_id}/customers/{getattr(customer, 'pk', customer)}/statement"


def stored_invoice(
    customer,
    *,
    issued: str,
    total: str = "100.00",
    due: str | None = None,
    currency: str = "EUR",
    status: str = "issued",
    payments: tuple[tuple[str, str], ...] = (),
    **fields,
) -> Invoice:
    """An invoice of `customer` issued on `issued` (due on `due`) with these (date, amount) payments; paid when
    they cover its total, as invoices.payments leaves it."""
    invoice = InvoiceFactory(
        customer=customer,
        status=status,
        issue_date=date.fromisoformat(issued),
        due_date=None if due is None else date.fromisoformat(due),
        currency=currency,
        subtotal=Decimal(total),
        total=Decimal(total),
        **fields,
    )
    for day, amount in payments:
        InvoicePayment.objects.create(invoice=invoice, amount=Decimal(amount), payment_date=date.fromisoformat(day))
        invoice.amount_paid += Decimal(amount)
    if status == "issued" and payments and invoice.amount_paid >= invoice.total:
        invoice.status = "paid"
    invoice.save()
    return invoice
