"""Creating invoices through HTTP: `POST /api/v1/invoices` (draft creation, numbering per account and series,
validation, inactive and foreign customers). Every test checks the response envelope and the database."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Customer
from invoices.models import Invoice
from tests.envelope import TIMESTAMP, assert_error, assert_success, assert_validation_error
from tests.factories import CustomerFactory
from tests.invoices.helpers import INVOICE_KEYS, MONEY, UNKNOWN_ID, URL, create, created, get_list, issued, url_of

pytestmark = pytest.mark.django_db


# --- POST /invoices: the draft -------------------------------------------------------------------------


def test_customer_id_alone_creates_a_draft_a1_in_eur_with_zero_totals_dated_today(api, account, customer):
    data = created(api, customer)

    assert set(data) == INVOICE_KEYS
    assert str(uuid.UUID(data["id"])) == data["id"]
    assert data["customer_id"] == str(customer.pk)
    assert data["series"] == "A"
    # A draft takes its number when issued, so a discarded draft never leaves a gap.
    assert (data["number"], data["full_number"], data["issued_at"]) == (None, None, None)
    assert data["status"] == "draft"
    assert data["currency"] == "EUR"
    assert data["issue_date"] == timezone.localdate().isoformat()
    assert (data["subtotal"], data["tax_total"], data["total"]) == ("0.00", "0.00", "0.00")
    assert TIMESTAMP.match(data["created_at"])
    assert TIMESTAMP.match(data["updated_at"])

    stored = Invoice.objects.get(pk=data["id"])
    assert stored.account_id == account.pk
    assert stored.customer_id == customer.pk
    assert (stored.series, stored.number, stored.status, stored.currency) == ("A", None, "draft", "EUR")
    assert stored.recipient is None
    assert stored.issue_date == timezone.localdate()
    assert (stored.subtotal, stored.tax_total, stored.total) == (Decimal("0"), Decimal("0"), Decimal("0"))


def test_created_invoice_can_be_retrieved_and_is_listed(api, account, customer):
    data = created(api, customer)
    assert assert_success(api.get(url_of(data["id"]))) == data
    assert get_list(api)["invoices"] == [data]


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
    assert (data["series"], data["number"], data["issue_date"], data["currency"]) == (
        "2025-R",
        None,
        "2025-01-15",
        "USD",
    )
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
        ({"subtotal": "80", "tax_total": "16.8"}, ("80.00", "16.80", "96.80")),
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


def test_amounts_given_as_json_numbers_are_refused_as_the_schema_says(api, account, customer):
    # Amounts are decimal strings (a JSON number is a binary float: 16.8 is not exactly 16.80).
    response = api.post(
        "/api/v1/invoices", {"customer_id": str(customer.pk), "subtotal": 80, "tax_total": 16.8}, format="json"
    )
    details = assert_error(response, 422, "VALIDATION_ERROR")["details"]
    assert details == {"subtotal": "Must be a string.", "tax_total": "Must be a string."}
    assert not Invoice.objects.exists()


# Each amount alone fits (12 digits, 2 decimals), but their sum has 13 digits.
OVERSIZED_AMOUNTS = {"subtotal": "9999999999.99", "tax_total": "9999999999.99"}


def test_amounts_whose_total_has_too_many_digits_are_stored_or_refused_never_a_server_error(api, account, customer):
    response = create(api, customer, **OVERSIZED_AMOUNTS)
    assert response.status_code in (201, 422), response.content
    if response.status_code == 201:
        data = assert_success(response, 201)
        assert data["total"] == "19999999999.98"
        assert Invoice.objects.get(pk=data["id"]).total == Decimal("19999999999.98")
    else:
        assert_error(response, 422, "VALIDATION_ERROR")
        assert not Invoice.objects.exists()


def test_list_and_numbering_are_intact_after_a_request_with_oversized_amounts(api, account, customer):
    response = create(api, customer, **OVERSIZED_AMOUNTS)
    accepted = response.status_code == 201
    data = get_list(api)
    assert data["pagination"]["total_items"] == (1 if accepted else 0)
    assert issued(api, customer)["number"] == 1


# --- POST /invoices: validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{}, {"series": "A"}, {"customer_id": None}, {"customer_id": ""}, {"customer_id": "abc"}],
    ids=["empty", "missing", "null", "blank", "not-a-uuid"],
)
def test_missing_or_malformed_customer_id_is_422_and_writes_nothing(api, account, customer, body):
    assert_validation_error(api.post(URL, body, format="json"), {"customer_id"}, status=422)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("value", [0, 12345, True])
def test_customer_id_that_is_not_a_string_is_422_not_looked_up(api, account, customer, value):
    assert_validation_error(api.post(URL, {"customer_id": value}, format="json"), {"customer_id"}, status=422)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("series", ["b", "a", "Ab", "A B", "-A", "A/1", "", "ABCDEFGHIJKLMNOPQRSTU", "Ñ"])
def test_lowercase_or_invalid_series_is_422_and_writes_nothing(api, account, customer, series):
    assert_validation_error(create(api, customer, series=series), {"series"}, status=422)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("currency", ["eur", "Eur", "EU", "EURO", "E1R", "", "€€€"])
def test_currency_not_three_upper_case_letters_is_422_and_writes_nothing(api, account, customer, currency):
    assert_validation_error(create(api, customer, currency=currency), {"currency"}, status=422)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("field", ["subtotal", "tax_total"])
@pytest.mark.parametrize("value", ["-0.01", "-100.00", -5, "1.234", "abc", "", "NaN"])
def test_negative_or_malformed_amount_is_422_naming_it(api, account, customer, field, value):
    assert_validation_error(create(api, customer, **{field: value}), {field}, status=422)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("value", ["2025-02-30", "15/01/2025", "today", "", 20250115])
def test_malformed_issue_date_is_422_naming_it(api, account, customer, value):
    assert_validation_error(create(api, customer, issue_date=value), {"issue_date"}, status=422)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"number": 42}, {"total": "5.00"}, {"status": "paid"}, {"account": 1}, {"customer": "x"}, {"notes": "hola"}],
    ids=lambda extra: next(iter(extra)),
)
def test_unknown_fields_are_422_naming_them_and_write_nothing(api, account, customer, extra):
    assert_validation_error(create(api, customer, **extra), set(extra), status=422)
    assert not Invoice.objects.exists()


def test_json_list_body_is_422_and_writes_nothing(api, account, customer):
    error = assert_error(api.post(URL, [{"customer_id": str(customer.pk)}], format="json"), 422)
    assert error["code"] == "VALIDATION_ERROR"
    assert not Invoice.objects.exists()


def test_every_invalid_field_is_reported_together(api, account):
    response = api.post(
        URL,
        {"customer_id": "nope", "series": "a", "currency": "eur", "subtotal": "-1", "tax_total": "x", "foo": 1},
        format="json",
    )
    assert_validation_error(response, {"customer_id", "series", "currency", "subtotal", "tax_total", "foo"}, status=422)
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
