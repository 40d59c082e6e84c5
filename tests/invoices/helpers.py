"""What the invoice endpoint tests share: URLs, the documented invoice keys and small builders."""

import re

from invoices.models import Invoice
from tests.envelope import assert_success
from tests.factories import CustomerFactory, InvoiceFactory

URL = "/api/v1/invoices"
INVOICE_KEYS = {
    "id",
    "customer_id",
    "series",
    "number",
    "full_number",
    "status",
    "issue_date",
    "currency",
    "subtotal",
    "tax_total",
    "total",
    "created_at",
    "updated_at",
}
PAGINATION_KEYS = {"current_page", "items_per_page", "total_items", "total_pages", "has_next", "has_previous"}
MONEY = re.compile(r"^\d+\.\d{2}$")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def url_of(invoice_or_id) -> str:
    return f"{URL}/{getattr(invoice_or_id, 'pk', invoice_or_id)}"


def get_list(client, **params) -> dict:
    data = assert_success(client.get(URL, params))
    assert set(data) == {"invoices", "pagination"}
    assert set(data["pagination"]) == PAGINATION_KEYS
    return data


def ids(data) -> list[str]:
    return [invoice["id"] for invoice in data["invoices"]]


def walk_pages(client, limit: int, **params) -> list[str]:
    """Every listed id, in order, following has_next from page 1."""
    seen: list[str] = []
    page = 1
    while True:
        data = get_list(client, page=page, limit=limit, **params)
        seen.extend(ids(data))
        if not data["pagination"]["has_next"]:
            return seen
        page += 1
        assert page < 1000, "has_next never became false"


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
