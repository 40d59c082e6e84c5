"""Invoices through HTTP: `GET /api/v1/invoices` (paging, filters, order, account isolation),
`GET /api/v1/invoices/{id}` and `POST /api/v1/invoices` (draft creation, numbering per account and series,
validation, inactive and foreign customers), the invoices scopes, and the customer DELETE refused once an
invoice exists. Every test checks the response envelope and, where something may be written, the database."""

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from unittest.mock import ANY

import pytest
from django.utils import timezone

from customers.models import Customer
from invoices.models import Invoice, InvoiceStatus
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

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
PAGINATION_KEYS = {
    "current_page",
    "items_per_page",
    "total_items",
    "total_pages",
    "has_next",
    "has_previous",
    "next_cursor",
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
MONEY = re.compile(r"^\d+\.\d{2}$")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


# --- helpers ---------------------------------------------------------------------------------------------


def url_of(invoice_or_id) -> str:
    return f"{URL}/{getattr(invoice_or_id, 'pk', invoice_or_id)}"


def assert_meta(response, body: dict) -> None:
    assert set(body["meta"]) == {"timestamp", "request_id"}
    assert TIMESTAMP.match(body["meta"]["timestamp"])
    assert REQUEST_ID.match(body["meta"]["request_id"])
    assert response["X-Request-ID"] == body["meta"]["request_id"]


def assert_success(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"success", "data", "meta"}
    assert body["success"] is True
    assert_meta(response, body)
    return body["data"]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"success", "error", "meta"}
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert_meta(response, body)
    return body["error"]


def assert_validation_error(response, fields: set[str]) -> dict:
    error = assert_error(response, 400, "VALIDATION_ERROR")
    details = error["details"]
    assert set(details) == fields
    for field in fields:
        assert isinstance(details[field], str) and details[field]
    return details


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


@pytest.fixture
def customer(account):
    return CustomerFactory(account=account)


@pytest.fixture
def inactive_customer(account):
    return CustomerFactory(account=account, active=False, deactivated_at=timezone.now())


@pytest.fixture
def other_account():
    return AccountFactory()


@pytest.fixture
def other_api(client_for, other_account):
    return client_for(APIKeyFactory(account=other_account))


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
        "customer_id": str(customer.pk),
        "series": "A",
        "number": 7,
        "status": "issued",
        "issue_date": "2024-05-01",
        "currency": "EUR",
        "subtotal": "100.00",
        "tax_total": "21.00",
        "total": "121.00",
        "created_at": "2024-05-01T09:30:00Z",
        "updated_at": "2024-06-02T10:00:00Z",
    }


def test_nothing_to_list_is_an_empty_page_with_zero_totals(api, account):
    data = get_list(api)
    assert data["invoices"] == []
    assert data["pagination"] == {
        "current_page": 1,
        "items_per_page": 20,
        "total_items": 0,
        "total_pages": 0,
        "has_next": False,
        "has_previous": False,
        "next_cursor": None,
    }


# --- GET /invoices: pagination ---------------------------------------------------------------------------


def test_list_defaults_to_first_page_of_twenty(api, account, customer):
    for _ in range(25):
        invoice_for(account, customer=customer)
    data = get_list(api)
    assert len(data["invoices"]) == 20
    assert data["pagination"] == {
        "current_page": 1,
        "items_per_page": 20,
        "total_items": 25,
        "total_pages": 2,
        "has_next": True,
        "has_previous": False,
        "next_cursor": ANY,
    }


def test_middle_and_last_pages_report_their_neighbours(api, account, customer):
    for _ in range(7):
        invoice_for(account, customer=customer)
    middle = get_list(api, page=2, limit=3)
    assert len(middle["invoices"]) == 3
    assert middle["pagination"] == {
        "current_page": 2,
        "items_per_page": 3,
        "total_items": 7,
        "total_pages": 3,
        "has_next": True,
        "has_previous": True,
        "next_cursor": ANY,
    }
    last = get_list(api, page=3, limit=3)
    assert len(last["invoices"]) == 1
    assert last["pagination"]["has_next"] is False
    assert last["pagination"]["has_previous"] is True


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_bounds_1_and_100_are_honoured(api, account, customer, limit):
    for _ in range(101):
        invoice_for(account, customer=customer)
    data = get_list(api, limit=limit)
    assert len(data["invoices"]) == limit
    assert data["pagination"]["items_per_page"] == limit
    assert data["pagination"]["total_items"] == 101
    assert data["pagination"]["has_next"] is True


def test_page_past_the_end_is_an_empty_list_with_true_totals(api, account, customer):
    for _ in range(3):
        invoice_for(account, customer=customer)
    data = get_list(api, page=5, limit=2)
    assert data["invoices"] == []
    assert data["pagination"] == {
        "current_page": 5,
        "items_per_page": 2,
        "total_items": 3,
        "total_pages": 2,
        "has_next": False,
        "has_previous": True,
        "next_cursor": None,
    }


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", "1.5"),
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "-5"),
        ("limit", "ten"),
    ],
)
def test_malformed_or_out_of_range_paging_is_400_naming_the_parameter(api, account, parameter, value):
    invoice_for(account)
    assert_validation_error(api.get(URL, {parameter: value}), {parameter})


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


@pytest.mark.parametrize("value", ["abc", "123", "550e8400-e29b-41d4-a716-44665544000Z"])
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


# --- GET /invoices/{id} ----------------------------------------------------------------------------------


def test_retrieve_returns_the_invoice_as_listed(api, account):
    invoice = invoice_for(account, subtotal=Decimal("80.50"), tax_total=Decimal("16.91"), total=Decimal("97.41"))
    data = assert_success(api.get(url_of(invoice)))
    assert set(data) == INVOICE_KEYS
    assert data["id"] == str(invoice.pk)
    assert data["total"] == "97.41"
    [listed] = get_list(api)["invoices"]
    assert data == listed


@pytest.mark.parametrize("value", ["abc", "123", "550e8400-e29b-41d4-a716-44665544zzzz"])
def test_retrieve_with_a_malformed_id_is_400_naming_invoice_id(api, account, value):
    invoice_for(account)
    assert_validation_error(api.get(url_of(value)), {"invoice_id"})


def test_retrieve_unknown_invoice_is_404(api, account):
    invoice_for(account)
    assert_error(api.get(url_of(UNKNOWN_ID)), 404, "NOT_FOUND")


def test_retrieve_another_accounts_invoice_is_404_not_403(api, other_api, other_account):
    foreign = invoice_for(other_account)
    assert_error(api.get(url_of(foreign)), 404, "NOT_FOUND")
    assert assert_success(other_api.get(url_of(foreign)))["id"] == str(foreign.pk)


# --- POST /invoices: the draft -------------------------------------------------------------------------


def test_customer_id_alone_creates_a_draft_a1_in_eur_with_zero_totals_dated_today(api, account, customer):
    data = created(api, customer)

    assert set(data) == INVOICE_KEYS
    assert str(uuid.UUID(data["id"])) == data["id"]
    assert data["customer_id"] == str(customer.pk)
    assert data["series"] == "A"
    assert data["number"] == 1
    assert data["full_number"].startswith("A-")
    assert int(data["full_number"].removeprefix("A-")) == 1
    assert data["status"] == "draft"
    assert data["currency"] == "EUR"
    assert data["issue_date"] == timezone.localdate().isoformat()
    assert (data["subtotal"], data["tax_total"], data["total"]) == ("0.00", "0.00", "0.00")
    assert TIMESTAMP.match(data["created_at"])
    assert TIMESTAMP.match(data["updated_at"])

    stored = Invoice.objects.get(pk=data["id"])
    assert stored.account_id == account.pk
    assert stored.customer_id == customer.pk
    assert (stored.series, stored.number, stored.status, stored.currency) == ("A", 1, "draft", "EUR")
    assert stored.issue_date == timezone.localdate()
    assert (stored.subtotal, stored.tax_total, stored.total) == (Decimal("0"), Decimal("0"), Decimal("0"))


def test_created_invoice_can_be_retrieved_and_is_listed(api, account, customer):
    data = created(api, customer)
    assert assert_success(api.get(url_of(data["id"]))) == data
    assert get_list(api)["invoices"] == [data]


def test_numbers_are_consecutive_within_the_accounts_series(api, account):
    first, second = CustomerFactory(account=account), CustomerFactory(account=account)
    numbers = [created(api, customer)["number"] for customer in (first, second, first, second)]
    assert numbers == [1, 2, 3, 4]
    assert sorted(Invoice.objects.filter(account=account, series="A").values_list("number", flat=True)) == [1, 2, 3, 4]


def test_series_b_is_numbered_independently_of_series_a(api, account, customer):
    assert created(api, customer)["number"] == 1
    assert created(api, customer)["number"] == 2
    b1 = created(api, customer, series="B")
    assert (b1["series"], b1["number"]) == ("B", 1)
    assert b1["full_number"].startswith("B-")
    assert created(api, customer, series="B")["number"] == 2
    assert created(api, customer)["number"] == 3
    assert created(api, customer, series="A")["number"] == 4
    stored = sorted(Invoice.objects.filter(account=account).values_list("series", "number"))
    assert stored == [("A", 1), ("A", 2), ("A", 3), ("A", 4), ("B", 1), ("B", 2)]


def test_another_accounts_series_a_starts_at_1_too(api, other_api, account, customer, other_account):
    created(api, customer)
    created(api, customer)
    stranger = CustomerFactory(account=other_account)
    theirs = created(other_api, stranger)
    assert (theirs["series"], theirs["number"]) == ("A", 1)
    assert created(api, customer)["number"] == 3
    assert Invoice.objects.get(pk=theirs["id"]).account_id == other_account.pk


def test_given_series_issue_date_currency_and_amounts_are_stored_with_total_as_their_sum(api, account, customer):
    data = created(
        api,
        customer,
        series="2025-R",
        issue_date="2025-01-15",
        currency="USD",
        subtotal="100.00",
        tax_total="21.00",
    )
    assert (data["series"], data["number"], data["issue_date"], data["currency"]) == ("2025-R", 1, "2025-01-15", "USD")
    assert (data["subtotal"], data["tax_total"], data["total"]) == ("100.00", "21.00", "121.00")
    stored = Invoice.objects.get(pk=data["id"])
    assert stored.issue_date == date(2025, 1, 15)
    assert stored.currency == "USD"
    assert (stored.subtotal, stored.tax_total, stored.total) == (Decimal("100"), Decimal("21"), Decimal("121"))


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ({"subtotal": "100.5"}, ("100.50", "0.00", "100.50")),
        ({"tax_total": "4.2"}, ("0.00", "4.20", "4.20")),
        ({"subtotal": 80, "tax_total": 16.8}, ("80.00", "16.80", "96.80")),
        ({"subtotal": "0.01", "tax_total": "0.99"}, ("0.01", "0.99", "1.00")),
        ({"subtotal": "1234.56", "tax_total": "259.26"}, ("1234.56", "259.26", "1493.82")),
    ],
)
def test_amounts_are_rendered_with_two_decimals_and_total_is_their_sum(api, account, customer, amounts, expected):
    data = created(api, customer, **amounts)
    assert (data["subtotal"], data["tax_total"], data["total"]) == expected
    for value in expected:
        assert MONEY.match(value)
    stored = Invoice.objects.get(pk=data["id"])
    assert (stored.subtotal, stored.tax_total, stored.total) == tuple(Decimal(value) for value in expected)


# Each amount alone fits (12 digits, 2 decimals), but their sum has 13 digits.
OVERSIZED_AMOUNTS = {"subtotal": "9999999999.99", "tax_total": "9999999999.99"}


def test_amounts_whose_total_has_too_many_digits_are_stored_or_refused_never_a_server_error(api, account, customer):
    response = create(api, customer, **OVERSIZED_AMOUNTS)
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        data = assert_success(response, 201)
        assert data["total"] == "19999999999.98"
        assert Invoice.objects.get(pk=data["id"]).total == Decimal("19999999999.98")
    else:
        assert_error(response, 400, "VALIDATION_ERROR")
        assert not Invoice.objects.exists()


def test_list_and_numbering_are_intact_after_a_request_with_oversized_amounts(api, account, customer):
    response = create(api, customer, **OVERSIZED_AMOUNTS)
    accepted = response.status_code == 201
    data = get_list(api)
    assert data["pagination"]["total_items"] == (1 if accepted else 0)
    assert created(api, customer)["number"] == (2 if accepted else 1)


# --- POST /invoices: validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{}, {"series": "A"}, {"customer_id": None}, {"customer_id": ""}, {"customer_id": "abc"}],
    ids=["empty", "missing", "null", "blank", "not-a-uuid"],
)
def test_missing_or_malformed_customer_id_is_400_and_writes_nothing(api, account, customer, body):
    assert_validation_error(api.post(URL, body, format="json"), {"customer_id"})
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("value", [0, 12345, True])
def test_customer_id_that_is_not_a_string_is_400_not_looked_up(api, account, customer, value):
    assert_validation_error(api.post(URL, {"customer_id": value}, format="json"), {"customer_id"})
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("series", ["b", "a", "Ab", "A B", "-A", "A/1", "", "ABCDEFGHIJKLMNOPQRSTU", "Ñ"])
def test_lowercase_or_invalid_series_is_400_and_writes_nothing(api, account, customer, series):
    assert_validation_error(create(api, customer, series=series), {"series"})
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("currency", ["eur", "Eur", "EU", "EURO", "E1R", "", "€€€"])
def test_currency_not_three_upper_case_letters_is_400_and_writes_nothing(api, account, customer, currency):
    assert_validation_error(create(api, customer, currency=currency), {"currency"})
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("field", ["subtotal", "tax_total"])
@pytest.mark.parametrize("value", ["-0.01", "-100.00", -5, "1.234", "abc", "", "NaN"])
def test_negative_or_malformed_amount_is_400_naming_it(api, account, customer, field, value):
    assert_validation_error(create(api, customer, **{field: value}), {field})
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("value", ["2025-02-30", "15/01/2025", "today", "", 20250115])
def test_malformed_issue_date_is_400_naming_it(api, account, customer, value):
    assert_validation_error(create(api, customer, issue_date=value), {"issue_date"})
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"number": 42}, {"total": "5.00"}, {"status": "paid"}, {"account": 1}, {"customer": "x"}, {"notes": "hola"}],
    ids=lambda extra: next(iter(extra)),
)
def test_unknown_fields_are_400_naming_them_and_write_nothing(api, account, customer, extra):
    assert_validation_error(create(api, customer, **extra), set(extra))
    assert not Invoice.objects.exists()


def test_json_list_body_is_400_and_writes_nothing(api, account, customer):
    response = api.post(URL, [{"customer_id": str(customer.pk)}], format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] in {"VALIDATION_ERROR", "BAD_REQUEST"}
    assert not Invoice.objects.exists()


def test_every_invalid_field_is_reported_together(api, account):
    response = api.post(
        URL,
        {"customer_id": "nope", "series": "a", "currency": "eur", "subtotal": "-1", "tax_total": "x", "foo": 1},
        format="json",
    )
    assert_validation_error(response, {"customer_id", "series", "currency", "subtotal", "tax_total", "foo"})
    assert not Invoice.objects.exists()


# --- POST /invoices: customers that cannot be invoiced ---------------------------------------------------


def test_unknown_customer_is_404_and_writes_nothing(api, account, customer):
    assert_error(create(api, UNKNOWN_ID), 404, "NOT_FOUND")
    assert not Invoice.objects.exists()


def test_another_accounts_customer_is_404_and_writes_nothing(api, account, other_account):
    stranger = CustomerFactory(account=other_account)
    assert_error(create(api, stranger), 404, "NOT_FOUND")
    assert not Invoice.objects.exists()


def test_inactive_customer_is_409_customer_inactive_and_writes_nothing(api, account, inactive_customer):
    assert_error(create(api, inactive_customer), 409, "CUSTOMER_INACTIVE")
    assert not Invoice.objects.exists()
    assert Customer.objects.get(pk=inactive_customer.pk).active is False


def test_customer_deactivated_through_the_api_cannot_be_invoiced(api, account, customer):
    assert assert_success(api.delete(f"/api/v1/customers/{customer.pk}"))
    assert_error(create(api, customer), 409, "CUSTOMER_INACTIVE")
    assert not Invoice.objects.exists()


def test_failed_creates_do_not_consume_numbers(api, account, customer, inactive_customer, other_account):
    stranger = CustomerFactory(account=other_account)
    assert_error(create(api, inactive_customer), 409, "CUSTOMER_INACTIVE")
    assert created(api, customer)["number"] == 1
    assert_error(create(api, inactive_customer), 409, "CUSTOMER_INACTIVE")
    assert_error(create(api, UNKNOWN_ID), 404, "NOT_FOUND")
    assert_error(create(api, stranger), 404, "NOT_FOUND")
    assert_validation_error(create(api, customer, currency="eur"), {"currency"})
    assert created(api, customer)["number"] == 2
    assert_error(create(api, inactive_customer, series="B"), 409, "CUSTOMER_INACTIVE")
    assert created(api, customer, series="B")["number"] == 1
    stored = sorted(Invoice.objects.filter(account=account).values_list("series", "number"))
    assert stored == [("A", 1), ("A", 2), ("B", 1)]


# --- scopes ----------------------------------------------------------------------------------------------


def test_read_only_invoices_key_cannot_create_and_writes_nothing(client_for, account, customer):
    client = client_for(APIKeyFactory(account=account, scopes=["invoices:read", "customers:read", "customers:write"]))
    error = assert_error(create(client, customer), 403, "FORBIDDEN")
    assert "invoices:write" in error["message"]
    assert not Invoice.objects.exists()
    assert get_list(client)["invoices"] == []  # the same key may read


@pytest.mark.parametrize("path", ["list", "detail"])
def test_customers_only_key_cannot_read_invoices(client_for, account, path):
    invoice = invoice_for(account)
    client = client_for(APIKeyFactory(account=account, scopes=["customers:read", "customers:write"]))
    response = client.get(URL if path == "list" else url_of(invoice))
    error = assert_error(response, 403, "FORBIDDEN")
    assert "invoices:read" in error["message"]
    assert str(invoice.pk) not in response.content.decode()


def test_write_only_invoices_key_can_create_but_not_read(client_for, account, customer):
    client = client_for(APIKeyFactory(account=account, scopes=["invoices:write"]))
    data = created(client, customer)
    error = assert_error(client.get(url_of(data["id"])), 403, "FORBIDDEN")
    assert "invoices:read" in error["message"]


# --- customers with invoices -----------------------------------------------------------------------------


def test_customer_with_an_invoice_cannot_be_deleted(api, account, customer):
    created(api, customer)
    assert_error(api.delete(f"/api/v1/customers/{customer.pk}"), 409, "CLIENT_HAS_INVOICES")
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.active is True
    assert stored.deactivated_at is None
    assert Invoice.objects.filter(customer=customer).count() == 1


def test_customer_without_invoices_can_still_be_deleted_when_another_has_one(api, account, customer):
    created(api, customer)
    spare = CustomerFactory(account=account)
    assert assert_success(api.delete(f"/api/v1/customers/{spare.pk}"))
    assert Customer.objects.get(pk=spare.pk).active is False
    assert Customer.objects.get(pk=customer.pk).active is True
