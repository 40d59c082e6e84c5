"""What the invoice endpoint tests share: URLs, the documented invoice keys and small builders."""

import re

from invoices.models import Invoice
from tests import listing
from tests.envelope import assert_success
from tests.factories import CustomerFactory, InvoiceFactory
from tests.listing import get_page

URL = "/api/v1/invoices"
INVOICE_KEYS = {
    "id",
    "company_id",
    "customer_id",
    "issuer",
    "recipient",
    "series",
    "number",
    "full_number",
    "status",
    "issue_date",
    "currency",
    "subtotal",
    "tax_total",
    "total",
    "issued_at",
    "due_date",
    "payment_date",
    "paid_at",
    "amount_paid",
    "amount_due",
    "overdue",
    "payments",
    "created_at",
    "updated_at",
}
MONEY = re.compile(r"^\d+\.\d{2}$")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def url_of(invoice_or_id) -> str:
    return f"{URL}/{getattr(invoice_or_id, 'pk', invoice_or_id)}"


def get_list(client, **params) -> dict:
    return get_page(client, URL, "invoices", **params)


def ids(data) -> list[str]:
    return [invoice["id"] for invoice in data["invoices"]]


def walk_pages(client, limit: int, **params) -> list[str]:
    """Every listed id, in order, following has_next from page 1."""
    return listing.walk_pages(client, URL, "invoices", limit, **params)


def invoice_for(account, **kwargs) -> Invoice:
    """A stored invoice of the account (for its own new customer unless one is given). Factory invoices
    use series "F" by default, so they never collide with numbers the API assigns in series A."""
    kwargs.setdefault("customer", CustomerFactory(account=account))
    kwargs.setdefault("series", "F")
    return InvoiceFactory(account=account, **kwargs)


def create(client, customer, /, **fields):
    return client.post(URL, {"customer_id": str(getattr(customer, "pk", customer)), **fields}, format="json")


def created(client, customer, /, **fields) -> dict:
    return assert_success(create(client, customer, **fields), 201)


def issue(client, invoice_or_id):
    return client.post(f"{url_of(invoice_or_id)}/issue")


def cancel(client, invoice_or_id):
    return client.post(f"{url_of(invoice_or_id)}/cancel")


def issued(client, customer, /, **fields) -> dict:
    """A draft created and issued through the API, as the issue answered it."""
    return assert_success(issue(client, created(client, customer, **fields)["id"]))
