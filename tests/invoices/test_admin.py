"""The Django admin for staff, driven through the test client as a logged-in superuser: the invoices
changelist (status filter, search by number and customer, link to the customer, queries).

Every test checks what the pages say."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoices.models import InvoiceStatus
from tests.admin_pages import INVOICES, customer_change_url, get_changelist, parse_changelist
from tests.factories import CustomerFactory, InvoiceFactory
from tests.spec import MARIA_GARCIA, TECH_SOLUTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices():
    maria = CustomerFactory(legal_name=MARIA_GARCIA["legal_name"])
    tech = CustomerFactory(legal_name=TECH_SOLUTIONS["legal_name"])
    return {
        "draft": InvoiceFactory(customer=maria, number=12, status=InvoiceStatus.DRAFT),
        "issued": InvoiceFactory(customer=maria, number=112, status=InvoiceStatus.ISSUED),
        "paid": InvoiceFactory(customer=tech, number=120, status=InvoiceStatus.PAID),
        "other_series": InvoiceFactory(customer=tech, series="B", number=12, status=InvoiceStatus.PAID),
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [("draft", ["draft"]), ("issued", ["issued"]), ("paid", ["paid", "other_series"]), ("cancelled", [])],
)
def test_invoice_filter_by_status(staff, invoices, status, expected):
    page = get_changelist(staff, INVOICES, status__exact=status)

    assert sorted(page.column("full_number")) == sorted(invoices[name].full_number for name in expected)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("A-12", ["draft"]),
        ("a-000012", ["draft"]),
        ("B-12", ["other_series"]),
        ("12", ["draft", "other_series"]),
        ("120", ["paid"]),
    ],
)
def test_invoice_search_by_number_finds_exactly_that_number(staff, invoices, term, expected):
    page = get_changelist(staff, INVOICES, q=term)

    assert sorted(page.column("full_number")) == sorted(invoices[name].full_number for name in expected)


@pytest.mark.parametrize("term", ["María García", "garcía lópez", "tech solutions"])
def test_invoice_search_by_customer_legal_name(staff, invoices, term):
    page = get_changelist(staff, INVOICES, q=term)

    customers = {invoice.customer.legal_name for invoice in invoices.values()}
    assert len(page.rows) > 0
    assert {row["customer_link"].text for row in page.rows} <= customers
    expected = [
        invoice.full_number for invoice in invoices.values() if term.lower() in invoice.customer.legal_name.lower()
    ]
    assert sorted(page.column("full_number")) == sorted(expected)


def test_invoice_changelist_links_each_invoice_to_its_customers_admin_page(staff, invoices):
    page = get_changelist(staff, INVOICES)

    assert len(page.rows) == len(invoices)
    for invoice in invoices.values():
        row = page.row("full_number", invoice.full_number)
        assert row["customer_link"].text == invoice.customer.legal_name
        assert row["customer_link"].links == [customer_change_url(invoice.customer)]
    target = page.row("full_number", invoices["paid"].full_number)["customer_link"].links[0]
    customer_page = staff.get(target)
    assert customer_page.status_code == 200
    assert customer_page.context["original"] == invoices["paid"].customer


def test_invoice_changelist_query_count_does_not_grow_with_the_number_of_invoices(staff):
    def queries_for(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff.get(INVOICES)
        assert len(parse_changelist(response).rows) == expected_rows
        return len(queries.captured_queries)

    InvoiceFactory.create_batch(3)  # each with its own customer and account
    staff.get(INVOICES)
    with_3 = queries_for(3)
    InvoiceFactory.create_batch(27)
    assert queries_for(30) == with_3
