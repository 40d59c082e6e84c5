"""GET /customers/{id}/statement and its canonical route: balances, lines, aging as of `to`, currencies, the
period's defaults and refusals, tenancy and scope. Today is 2026-06-15 (tests.invoices.payments.TODAY)."""

import pytest

from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory
from tests.invoices.payments import move_days
from tests.invoices.statements import canonical_url_of, stored_invoice, url_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]

ZERO_AGING = {
    "current": "0.00",
    "days_1_30": "0.00",
    "days_31_60": "0.00",
    "days_61_90": "0.00",
    "days_over_90": "0.00",
}


def statement(client, customer, **period) -> dict:
    return assert_success(client.get(url_of(customer), period))


def a_period_with_invoices_before_within_and_after(customer) -> dict:
    """From 2026-03-01 to 2026-05-31; the invoices by name."""
    return {
        # Before the period, partly paid before it, within it and after it.
        "a": stored_invoice(
            customer,
            issued="2026-01-10",
            due="2026-02-09",
            total="100.00",
            payments=(("2026-02-01", "30.00"), ("2026-03-05", "20.00"), ("2026-06-10", "50.00")),
        ),
        # Within, paid the day it was issued.
        "b": stored_invoice(
            customer, issued="2026-03-10", due="2026-04-09", total="200.00", payments=(("2026-03-10", "200.00"),)
        ),
        # On the period's last day.
        "c": stored_invoice(customer, issued="2026-05-31", due="2026-06-30", total="50.00"),
        # After it.
        "d": stored_invoice(customer, issued="2026-06-01", due="2026-07-01", total="999.00"),
        # Never in a statement: a draft, and an invoice cancelled after a payment.
        "draft": stored_invoice(customer, issued="2026-04-01", total="77.00", status="draft", number=None),
        "cancelled": stored_invoice(
            customer, issued="2026-04-02", total="500.00", status="cancelled", payments=(("2026-04-03", "10.00"),)
        ),
    }


def test_opening_running_and_closing_balances_count_what_falls_in_the_period(api, customer):
    invoices = a_period_with_invoices_before_within_and_after(customer)
    data = statement(api, customer, **{"from": "2026-03-01", "to": "2026-05-31"})
    assert (data["customer_id"], data["from"], data["to"]) == (str(customer.pk), "2026-03-01", "2026-05-31")
    [eur] = data["currencies"]
    # Owed at the start of March 1st: A's 100 less the 30 paid in February.
    assert (eur["currency"], eur["opening_balance"]) == ("EUR", "70.00")
    lines = [
        (line["date"], line["type"], line["invoice_number"], line["amount"], line["balance"]) for line in eur["lines"]
    ]
    a, b, c = (invoices[name].full_number for name in "abc")
    assert lines == [
        ("2026-03-05", "payment", a, "20.00", "50.00"),
        ("2026-03-10", "invoice", b, "200.00", "250.00"),
        ("2026-03-10", "payment", b, "200.00", "50.00"),
        ("2026-05-31", "invoice", c, "50.00", "100.00"),
    ]
    assert (eur["invoiced"], eur["paid"], eur["closing_balance"]) == ("250.00", "220.00", "100.00")
    # A's payment of June 10th is after `to`: its 50 is still owed on May 31st, 111 days past due.
    assert eur["aging"] == {**ZERO_AGING, "current": "50.00", "days_over_90": "50.00"}


def test_an_advance_paid_before_its_invoice_is_a_movement_of_its_own_day_so_periods_chain(api, customer):
    advance = stored_invoice(
        customer, issued="2026-04-10", due="2026-05-10", total="100.00", payments=(("2026-04-01", "40.00"),)
    )

    march = statement(api, customer, **{"from": "2026-03-01", "to": "2026-03-31"})
    april_first = statement(api, customer, **{"from": "2026-04-01", "to": "2026-04-01"})
    rest_of_april = statement(api, customer, **{"from": "2026-04-02", "to": "2026-04-30"})

    assert march["currencies"] == []
    [eur] = april_first["currencies"]
    assert [(line["type"], line["invoice_number"], line["balance"]) for line in eur["lines"]] == [
        ("payment", advance.full_number, "-40.00")
    ]
    # A credit, not an aged debt: the invoice was not issued yet on April 1st.
    assert (eur["closing_balance"], eur["aging"]) == ("-40.00", ZERO_AGING)
    [eur] = rest_of_april["currencies"]
    assert (eur["opening_balance"], eur["closing_balance"]) == ("-40.00", "60.00")
    assert eur["aging"] == {**ZERO_AGING, "current": "60.00"}


def test_each_line_names_its_invoice_and_dates(api, customer):
    invoices = a_period_with_invoices_before_within_and_after(customer)
    data = statement(api, customer, **{"from": "2026-03-01", "to": "2026-05-31"})
    payment, invoice = data["currencies"][0]["lines"][:2]
    assert payment == {
        "type": "payment",
        "date": "2026-03-05",
        "invoice_id": str(invoices["a"].pk),
        "invoice_number": invoices["a"].full_number,
        "issue_date": "2026-01-10",
        "due_date": "2026-02-09",
        "payment_id": str(invoices["a"].payments.get(payment_date="2026-03-05").pk),
        "amount": "20.00",
        "balance": "50.00",
    }
    assert invoice["payment_id"] is None and invoice["invoice_id"] == str(invoices["b"].pk)
    assert invoices["b"].full_number.startswith("A-") and len(invoices["b"].full_number) == 8


def test_a_period_after_everything_opens_with_what_is_owed_and_has_no_lines(api, customer):
    a_period_with_invoices_before_within_and_after(customer)
    [eur] = statement(api, customer, **{"from": "2026-06-11", "to": "2026-06-15"})["currencies"]
    # 100 + 200 + 50 + 999 invoiced, 30 + 20 + 200 + 50 paid (the cancelled invoice and its payment left out).
    assert (eur["opening_balance"], eur["lines"], eur["closing_balance"]) == ("1049.00", [], "1049.00")


def test_partial_payments_each_credit_the_balance(api, customer):
    invoice = stored_invoice(
        customer,
        issued="2026-06-01",
        due="2026-06-10",
        total="121.00",
        payments=(("2026-06-02", "21.00"), ("2026-06-03", "0.10")),
    )
    [eur] = statement(api, customer)["currencies"]
    assert [(line["type"], line["amount"], line["balance"]) for line in eur["lines"]] == [
        ("invoice", "121.00", "121.00"),
        ("payment", "21.00", "100.00"),
        ("payment", "0.10", "99.90"),
    ]
    assert eur["aging"] == {**ZERO_AGING, "days_1_30": "99.90"}
    assert invoice.status == "issued"


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
    ],
)
def test_what_is_owed_is_aged_by_days_past_due_as_of_to(api, customer, days_past_due, bucket):
    # As of May 31st, an invoice due `days_past_due` days before; issued long before, partly paid.
    from datetime import date, timedelta

    due = date(2026, 5, 31) - timedelta(days=days_past_due)
    stored_invoice(
        customer, issued="2025-12-01", due=due.isoformat(), total="80.00", payments=(("2026-01-02", "30.00"),)
    )
    [eur] = statement(api, customer, **{"from": "2026-05-01", "to": "2026-05-31"})["currencies"]
    assert eur["aging"] == {**ZERO_AGING, bucket: "50.00"}
    assert eur["closing_balance"] == "50.00"


def test_the_aging_buckets_add_up_every_unpaid_invoice(api, customer):
    totals = {0: "1.00", 1: "2.00", 30: "4.00", 31: "8.00", 60: "16.00", 61: "32.00", 90: "64.00", 91: "128.00"}
    from datetime import date, timedelta

    for days, total in totals.items():
        due = date(2026, 6, 15) - timedelta(days=days)
        stored_invoice(customer, issued="2026-01-01", due=due.isoformat(), total=total)
    [eur] = statement(api, customer)["currencies"]
    assert eur["aging"] == {
        "current": "1.00",
        "days_1_30": "6.00",
        "days_31_60": "24.00",
        "days_61_90": "96.00",
        "days_over_90": "128.00",
    }
    assert eur["closing_balance"] == "255.00"


def test_each_currency_has_its_own_section_and_amounts_are_never_added_across(api, customer):
    stored_invoice(customer, issued="2026-02-01", due="2026-04-01", total="100.00")
    stored_invoice(customer, issued="2026-03-01", due="2026-05-31", total="40.00", currency="USD")
    stored_invoice(customer, issued="2025-03-01", total="9.00", currency="GBP", payments=(("2025-03-02", "9.00"),))
    data = statement(api, customer)
    # GBP: settled before the period, nothing moved in it: no section.
    assert [section["currency"] for section in data["currencies"]] == ["EUR", "USD"]
    eur, usd = data["currencies"]
    assert (eur["closing_balance"], eur["aging"]["days_61_90"]) == ("100.00", "100.00")
    assert (usd["closing_balance"], usd["aging"]["days_1_30"]) == ("40.00", "40.00")


def test_the_period_defaults_to_the_year_so_far(api, customer):
    stored_invoice(customer, issued="2025-12-31", total="10.00")
    stored_invoice(customer, issued="2026-01-01", total="20.00")
    data = statement(api, customer)
    assert (data["from"], data["to"]) == ("2026-01-01", "2026-06-15")
    [eur] = data["currencies"]
    assert (eur["opening_balance"], len(eur["lines"]), eur["closing_balance"]) == ("10.00", 1, "30.00")
    assert (statement(api, customer, to="2025-12-31")["from"]) == "2025-01-01"
    move_days(1)
    assert statement(api, customer)["to"] == "2026-06-16"


def test_a_customer_without_invoices_has_no_sections(api, customer):
    assert statement(api, customer)["currencies"] == []


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"from": "2026-05-02", "to": "2026-05-01"}, "from"),
        ({"from": "2026-06-16"}, "from"),
        ({"to": "2026-06-16"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"to": "20260501"}, "to"),
        ({"from": ""}, "from"),
        ({"from": "+2026-01-01"}, "from"),
        ({"from": "2026-01-01 "}, "from"),
        ({"to": "\t2026-05-01"}, "to"),
    ],
)
def test_a_bad_period_is_422_naming_the_parameter(api, customer, period, field):
    error = assert_error(api.get(url_of(customer), period), 422, "VALIDATION_ERROR")
    assert set(error["details"]) == {field}


def test_an_unknown_parameter_is_400(api, customer):
    error = assert_error(api.get(url_of(customer), {"since": "2026-01-01"}), 400, "VALIDATION_ERROR")
    assert "since" in error["details"]


def test_another_accounts_customer_is_404(api, other_account):
    stranger = CustomerFactory(account=other_account)
    stored_invoice(stranger, issued="2026-02-01")
    assert_error(api.get(url_of(stranger)), 404, "CLIENT_NOT_FOUND")


def test_it_needs_the_invoices_read_scope(client_for, account, customer):
    reader = client_for(APIKeyFactory(account=account, scopes=["invoices:read"]))
    assert_success(reader.get(url_of(customer)))
    customers_only = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))
    assert_error(customers_only.get(url_of(customer)), 403, "INSUFFICIENT_SCOPE")


def test_the_canonical_route_answers_the_same_within_the_paths_company(api, account, customer):
    stored_invoice(customer, issued="2026-02-01", total="10.00")
    canonical = assert_success(api.get(canonical_url_of(customer.company_id, customer)))
    assert canonical == statement(api, customer)


def test_the_canonical_route_with_another_company_of_the_account_is_404(api, account, customer):
    other_company = CompanyFactory(account=account)
    assert_error(api.get(canonical_url_of(other_company.pk, customer)), 404, "CLIENT_NOT_FOUND")


def test_the_canonical_route_with_another_accounts_company_is_403(api, other_account, customer):
    stranger = CustomerFactory(account=other_account)
    assert_error(api.get(canonical_url_of(stranger.company_id, customer)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert_error(api.get(canonical_url_of(stranger.company_id, stranger)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
