"""Listing invoices through HTTP: `GET /api/v1/invoices` (shape, paging, filters, order, account isolation).
Every test checks the response envelope."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from customers.representations import customer_representation
from invoices.models import Invoice, InvoiceStatus
from tests.envelope import assert_validation_error
from tests.factories import CustomerFactory
from tests.invoices.helpers import INVOICE_KEYS, URL, get_list, ids, invoice_for, walk_pages
from tests.spec import SPEC_ID_0

pytestmark = pytest.mark.django_db


# --- GET /invoices: shape --------------------------------------------------------------------------------


def test_list_holds_invoices_and_the_documented_pagination(api, account):
    invoice_for(account)
    data = get_list(api)
    assert len(data["invoices"]) == 1
    assert data["pagination"] == {
        "current_page": 1,
        "items_per_page": 20,
        "total_items": 1,
        "total_pages": 1,
        "has_next": False,
        "has_previous": False,
        "next_cursor": None,
    }


def test_each_listed_invoice_has_exactly_the_documented_keys_and_values(api, account, customer):
    invoice = invoice_for(
        account,
        customer=customer,
        series="A",
        number=7,
        status=InvoiceStatus.ISSUED,
        issue_date=date(2024, 5, 1),
        currency="EUR",
        subtotal=Decimal("100"),
        tax_total=Decimal("21"),
        total=Decimal("121"),
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        created_at=datetime(2024, 5, 1, 9, 30, tzinfo=UTC), updated_at=datetime(2024, 6, 2, 10, 0, tzinfo=UTC)
    )

    [item] = get_list(api)["invoices"]

    assert set(item) == INVOICE_KEYS
    full_number = item.pop("full_number")
    assert full_number.startswith("A-")
    assert int(full_number.removeprefix("A-")) == 7
    assert item == {
        "id": str(invoice.pk),
        "company_id": str(customer.company_id),
        "customer_id": str(customer.pk),
        "issuer": {
            "legal_name": customer.company.legal_name,
            "trade_name": None,
            "nif": customer.company.nif,
            "address": {
                "street": "Calle Mayor",
                "number": "1",
                "postal_code": "28013",
                "city": "Madrid",
                "province": "Madrid",
                "country_code": "ES",
            },
        },
        "recipient": {
            "legal_name": customer.legal_name,
            "nif": customer.nif,
            "alternative_id": None,
            "address": customer_representation(customer)["address"],
        },
        "series": "A",
        "number": 7,
        "status": "issued",
        "issue_date": "2024-05-01",
        "issued_at": None,
        "currency": "EUR",
        "subtotal": "100.00",
        "tax_total": "21.00",
        "total": "121.00",
        "due_date": None,
        "payment_date": None,
        "paid_at": None,
        "amount_paid": "0.00",
        "amount_due": "121.00",
        "overdue": False,
        "payments": [],
        "created_at": "2024-05-01T09:30:00Z",
        "updated_at": "2024-06-02T10:00:00Z",
    }


# --- GET /invoices: order --------------------------------------------------------------------------------


def test_newest_issue_date_comes_first(api, account, customer):
    for issue_date in [date(2024, 3, 1), date(2025, 1, 15), date(2023, 12, 31), date(2024, 11, 30)]:
        invoice_for(account, customer=customer, issue_date=issue_date)
    data = get_list(api)
    assert [invoice["issue_date"] for invoice in data["invoices"]] == [
        "2025-01-15",
        "2024-11-30",
        "2024-03-01",
        "2023-12-31",
    ]


def test_order_by_issue_date_holds_across_pages(api, account, customer):
    dates = [date(2024, month, day) for month in (2, 9, 5) for day in (3, 28, 14)]
    for issue_date in dates:
        invoice_for(account, customer=customer, issue_date=issue_date)
    first = get_list(api, limit=4, page=1)
    second = get_list(api, limit=4, page=2)
    third = get_list(api, limit=4, page=3)
    listed = [invoice["issue_date"] for page in (first, second, third) for invoice in page["invoices"]]
    assert listed == [day.isoformat() for day in sorted(dates, reverse=True)]


@pytest.mark.parametrize("limit", [1, 3, 4])
def test_paging_through_invoices_with_the_same_issue_date_never_repeats_or_skips(api, account, limit):
    customers = [CustomerFactory(account=account) for _ in range(3)]
    invoices = [
        invoice_for(account, customer=customers[n % 3], series=["F", "G"][n % 2], issue_date=date(2024, 6, 1))
        for n in range(11)
    ]
    seen = walk_pages(api, limit)
    assert len(seen) == len(set(seen)) == 11
    assert set(seen) == {str(invoice.pk) for invoice in invoices}
    assert walk_pages(api, limit) == seen  # the same order on every request


# --- GET /invoices: filters ------------------------------------------------------------------------------


def test_customer_id_filter_lists_only_that_customers_invoices(api, account):
    wanted, other = CustomerFactory(account=account), CustomerFactory(account=account)
    mine = {str(invoice_for(account, customer=wanted).pk) for _ in range(3)}
    invoice_for(account, customer=other)
    invoice_for(account, customer=other)

    data = get_list(api, customer_id=str(wanted.pk))

    assert set(ids(data)) == mine
    assert data["pagination"]["total_items"] == 3
    assert {invoice["customer_id"] for invoice in data["invoices"]} == {str(wanted.pk)}


@pytest.mark.parametrize("value", ["abc", "123", SPEC_ID_0[:-1] + "Z"])
def test_malformed_customer_id_filter_is_400_naming_it(api, account, value):
    invoice_for(account)
    assert_validation_error(api.get(URL, {"customer_id": value}), {"customer_id"})


@pytest.mark.parametrize("status", [choice.value for choice in InvoiceStatus])
def test_status_filter_lists_only_invoices_in_that_status(api, account, customer, status):
    expected = {}
    for choice in InvoiceStatus:
        invoice = invoice_for(account, customer=customer, status=choice)
        expected[choice.value] = str(invoice.pk)
    invoice_for(account, customer=customer, status=InvoiceStatus.PAID)
    invoice_for(account, customer=customer, status=InvoiceStatus.PAID)

    data = get_list(api, status=status)

    assert {invoice["status"] for invoice in data["invoices"]} == {status}
    assert expected[status] in ids(data)
    assert data["pagination"]["total_items"] == (3 if status == "paid" else 1)


@pytest.mark.parametrize("value", ["open", "DRAFTS", "1"])
def test_invalid_status_filter_is_400_naming_it(api, account, value):
    invoice_for(account)
    assert_validation_error(api.get(URL, {"status": value}), {"status"})


@pytest.fixture
def dated_invoices(account, customer):
    """One invoice per date, keyed by ISO date."""
    dates = [date(2024, 1, 31), date(2024, 2, 1), date(2024, 2, 15), date(2024, 2, 29), date(2024, 3, 1)]
    return {day.isoformat(): str(invoice_for(account, customer=customer, issue_date=day).pk) for day in dates}


def test_issue_date_from_is_inclusive(api, dated_invoices):
    data = get_list(api, issue_date_from="2024-02-15")
    assert [invoice["issue_date"] for invoice in data["invoices"]] == ["2024-03-01", "2024-02-29", "2024-02-15"]
    assert data["pagination"]["total_items"] == 3


def test_issue_date_to_is_inclusive(api, dated_invoices):
    data = get_list(api, issue_date_to="2024-02-01")
    assert [invoice["issue_date"] for invoice in data["invoices"]] == ["2024-02-01", "2024-01-31"]
    assert data["pagination"]["total_items"] == 2


def test_issue_date_range_includes_both_ends(api, dated_invoices):
    data = get_list(api, issue_date_from="2024-02-01", issue_date_to="2024-02-29")
    assert ids(data) == [dated_invoices["2024-02-29"], dated_invoices["2024-02-15"], dated_invoices["2024-02-01"]]
    same_day = get_list(api, issue_date_from="2024-02-15", issue_date_to="2024-02-15")
    assert ids(same_day) == [dated_invoices["2024-02-15"]]


@pytest.mark.parametrize("parameter", ["issue_date_from", "issue_date_to"])
@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-02-30", "2024-1-1x", "01/02/2024"])
def test_malformed_issue_date_filter_is_400_naming_it(api, dated_invoices, parameter, value):
    assert_validation_error(api.get(URL, {parameter: value}), {parameter})


def test_filters_combine_and_paging_counts_only_matches(api, account):
    wanted, other = CustomerFactory(account=account), CustomerFactory(account=account)
    match = [
        invoice_for(account, customer=wanted, status=InvoiceStatus.ISSUED, issue_date=date(2024, 4, day))
        for day in (1, 2, 3)
    ]
    invoice_for(account, customer=wanted, status=InvoiceStatus.DRAFT, issue_date=date(2024, 4, 2))
    invoice_for(account, customer=wanted, status=InvoiceStatus.ISSUED, issue_date=date(2024, 5, 1))
    invoice_for(account, customer=other, status=InvoiceStatus.ISSUED, issue_date=date(2024, 4, 2))

    params = {
        "customer_id": str(wanted.pk),
        "status": "issued",
        "issue_date_from": "2024-04-01",
        "issue_date_to": "2024-04-30",
    }
    first = get_list(api, limit=2, **params)
    second = get_list(api, limit=2, page=2, **params)

    assert first["pagination"]["total_items"] == 3
    assert first["pagination"]["total_pages"] == 2
    assert ids(first) + ids(second) == [str(invoice.pk) for invoice in reversed(match)]


def test_every_bad_list_parameter_is_reported_together(api, account):
    invoice_for(account)
    response = api.get(
        URL,
        {
            "page": "0",
            "limit": "101",
            "customer_id": "nope",
            "status": "open",
            "issue_date_from": "x",
            "issue_date_to": "2024-02-30",
        },
    )
    assert_validation_error(response, {"page", "limit", "customer_id", "status", "issue_date_from", "issue_date_to"})


# --- GET /invoices: account isolation --------------------------------------------------------------------


def test_other_accounts_invoices_are_never_listed(api, account, other_account):
    mine = {str(invoice_for(account).pk) for _ in range(2)}
    for _ in range(3):
        invoice_for(other_account)
    data = get_list(api)
    assert set(ids(data)) == mine
    assert data["pagination"]["total_items"] == 2


def test_filtering_by_another_accounts_customer_lists_nothing(api, account, other_account):
    invoice_for(account)
    stranger = CustomerFactory(account=other_account)
    invoice_for(other_account, customer=stranger)
    data = get_list(api, customer_id=str(stranger.pk))
    assert data["invoices"] == []
    assert data["pagination"]["total_items"] == 0
