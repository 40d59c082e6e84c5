"""An invoice as the API shows it (invoices.serializers.InvoiceSerializer), as plain data for the events
the services record, without importing the HTTP layer. tests/webhooks hold the two to the same output."""

from beel.clock import today as clock_today
from beel.timestamps import format_utc
from customers.representations import fiscal_identity
from invoices.models import Invoice


def recipient_of(invoice: Invoice) -> dict:
    """Whom the invoice is addressed to: the copy taken when it was issued, which never changes; a draft (or
    a draft cancelled before being issued) follows its customer's current details."""
    if invoice.recipient is not None:
        return invoice.recipient
    return fiscal_identity(invoice.customer)


def issuer_of(invoice: Invoice) -> dict:
    """Who issues the invoice: the copy of its company's fiscal identity taken when it was issued, which never
    changes (RD 1619/2012, art. 6: the invoice names its issuer's name, NIF and address); a draft follows its
    company's current details."""
    if invoice.issuer is not None:
        return invoice.issuer
    return invoice.company.fiscal_identity()


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


def payments_of(invoice: Invoice) -> list[dict]:
    """beel's extension: the payments recorded for it, oldest first (invoices.payments)."""
    return [
        {
            "id": str(payment.id),
            "amount": f"{payment.amount:.2f}",
            "payment_date": payment.payment_date.isoformat(),
            "method": payment.method or None,
            "created_at": format_utc(payment.created_at),
        }
        for payment in invoice.payments.all()
    ]


def invoice_representation(invoice: Invoice) -> dict:
    return {
        "id": str(invoice.id),
        "company_id": str(invoice.company_id),
        "customer_id": str(invoice.customer_id),
        "issuer": issuer_of(invoice),
        "recipient": recipient_of(invoice),
        "series": invoice.series,
        "number": invoice.number,
        "full_number": invoice.full_number,
        "status": invoice.status,
        "issue_date": invoice.issue_date.isoformat(),
        "issued_at": format_utc(invoice.issued_at),
        "currency": invoice.currency,
        # Decimals as strings with their two places, as DRF renders them: amounts never go through floats.
        "subtotal": f"{invoice.subtotal:.2f}",
        "tax_total": f"{invoice.tax_total:.2f}",
        "total": f"{invoice.total:.2f}",
        "due_date": _date(invoice.due_date),
        "payment_date": _date(invoice.payment_date),
        "paid_at": format_utc(invoice.paid_at),
        "amount_paid": f"{invoice.amount_paid:.2f}",
        "amount_due": f"{invoice.amount_due:.2f}",
        "overdue": invoice.is_overdue(clock_today()),
        "payments": payments_of(invoice),
        "created_at": format_utc(invoice.created_at),
        "updated_at": format_utc(invoice.updated_at),
    }
