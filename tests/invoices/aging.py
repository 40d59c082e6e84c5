"""What the aging report tests share: its URLs, and issued invoices stored as they would be after the
issue and payments, owing what a test needs (the frozen today is tests.invoices.payments.TODAY)."""

from datetime import date, timedelta
from decimal import Decimal

from beel.clock import today
from invoices.models import Invoice
from tests.envelope import assert_success
from tests.factories import InvoiceFactory

URL = "/api/v1/customers/aging"
EXPORT_URL = f"{URL}/export"
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
ROW_KEYS = {"customer_id", "legal_name", "nif", "currency", *BUCKETS, "total"}


def company_url(company_id, export: bool = False) -> str:
    return f"/api/v1/companies/{company_id}/customers/aging" + ("/export" if export else "")


def days_ago(days: int) -> date:
    return today() - timedelta(days=days)


def owing(customer, total: str = "100.00", *, days_past_due: int = 0, paid: str = "0.00", **fields) -> Invoice:
    """An issued invoice of `customer` whose due date was `days_past_due` days ago (negative: still to come),
    of which `paid` was paid."""
    fields.setdefault("status", "issued")
    fields.setdefault("issue_date", days_ago(max(days_past_due, 0) + 30))
    return InvoiceFactory(
        customer=customer,
        series="F",
        total=Decimal(total),
        subtotal=Decimal(total),
        amount_paid=Decimal(paid),
        due_date=days_ago(days_past_due),
        **fields,
    )


def report(client, url: str = URL, **params) -> dict:
    data = assert_success(client.get(url, params))
    assert set(data) == {"as_of", "customers", "totals", "pagination"}
    for row in data["customers"]:
        assert set(row) == ROW_KEYS
    return data


def rows_by_customer(data: dict) -> dict:
    return {(row["customer_id"], row["currency"]): row for row in data["customers"]}


def buckets_of(row: dict) -> dict:
    return {key: row[key] for key in BUCKETS if row[key] != "0.00"}
