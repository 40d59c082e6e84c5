"""A customer's `stats` on GET /customers/{id} and its canonical route: which invoices count, money per
currency, overdue derived from the service's clock, and the balance row kept in the invoice's transaction."""

from decimal import Decimal

import pytest

from invoices.models import CustomerBalance
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory
from tests.invoices.helpers import cancel, created
from tests.invoices.payments import issued_for, mark_paid, move_days, undo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]

ZEROS = {"issued_total": "0.00", "paid_total": "0.00", "outstanding": "0.00", "overdue_total": "0.00"}


def stats(client, customer) -> dict:
    return assert_success(client.get(f"/api/v1/customers/{customer.pk}"))["stats"]


def test_a_customer_without_invoices_has_zero_stats_in_eur(api, customer):
    assert stats(api, customer) == {
        "invoice_count": 0,
        "last_invoice_date": None,
        "currency": "EUR",
        **ZEROS,
        "oldest_overdue_date": None,
        "by_currency": [],
    }
    assert not CustomerBalance.objects.filter(customer=customer).exists()


def test_issued_partly_paid_and_paid_invoices_count_drafts_and_cancelled_ones_do_not(api, customer):
    issued_for(api, customer, total="100.00")
    partly = issued_for(api, customer, total="50.00")
    assert_success(mark_paid(api, partly["id"], amount="20.00"))
    paid = issued_for(api, customer, total="30.00")
    assert_success(mark_paid(api, paid["id"]))
    cancelled = issued_for(api, customer, total="999.00")
    assert_success(cancel(api, cancelled["id"]))
    created(api, customer, subtotal="500.00")  # a draft

    got = stats(api, customer)

    euros = {
        "currency": "EUR",
        "issued_total": "180.00",
        "paid_total": "50.00",
        "outstanding": "130.00",
        "overdue_total": "0.00",
        "oldest_overdue_date": None,
    }
    assert got == {"invoice_count": 3, "last_invoice_date": "2026-06-15", **euros, "by_currency": [euros]}
    balance = CustomerBalance.objects.get(customer=customer)
    assert (balance.invoice_count, balance.issued_total, balance.paid_total, balance.outstanding) == (
        3,
        Decimal("180.00"),
        Decimal("50.00"),
        Decimal("130.00"),
    )


def test_undoing_a_payment_owes_it_again(api, customer):
    invoice = issued_for(api, customer, total="40.00")
    payment = assert_success(mark_paid(api, invoice["id"]))["payments"][0]
    assert stats(api, customer)["outstanding"] == "0.00"
    assert_success(undo(api, invoice["id"], payment["id"]))
    assert (stats(api, customer)["paid_total"], stats(api, customer)["outstanding"]) == ("0.00", "40.00")


def test_overdue_is_derived_from_today_due_today_is_not_overdue_tomorrow_it_is(api, customer):
    issued_for(api, customer, total="10.00", due_date="2026-06-20")
    later = issued_for(api, customer, total="5.00", due_date="2026-06-25")
    move_days(5)  # the 20th: its last day to pay
    assert (stats(api, customer)["overdue_total"], stats(api, customer)["oldest_overdue_date"]) == ("0.00", None)
    move_days(1)  # the 21st
    got = stats(api, customer)
    assert (got["overdue_total"], got["oldest_overdue_date"], got["outstanding"]) == ("10.00", "2026-06-20", "15.00")
    move_days(5)  # the 26th: both late
    assert_success(mark_paid(api, later["id"], amount="2.00", payment_date="2026-06-26"))
    got = stats(api, customer)
    assert (got["overdue_total"], got["oldest_overdue_date"]) == ("13.00", "2026-06-20")
    assert got["by_currency"][0]["overdue_total"] == "13.00"


def test_currencies_are_never_added_the_top_level_amounts_are_null(api, customer):
    issued_for(api, customer, total="100.00", due_date="2026-06-15")
    issued_for(api, customer, total="7.50", currency="USD", due_date="2026-06-18")
    move_days(1)

    got = stats(api, customer)

    assert got["invoice_count"] == 2
    assert {name: got[name] for name in ("currency", *ZEROS)} == dict.fromkeys(("currency", *ZEROS))
    assert got["oldest_overdue_date"] == "2026-06-15"  # a date, not a sum: the earliest in any currency
    assert got["by_currency"] == [
        {
            "currency": "EUR",
            "issued_total": "100.00",
            "paid_total": "0.00",
            "outstanding": "100.00",
            "overdue_total": "100.00",
            "oldest_overdue_date": "2026-06-15",
        },
        {
            "currency": "USD",
            "issued_total": "7.50",
            "paid_total": "0.00",
            "outstanding": "7.50",
            "overdue_total": "0.00",
            "oldest_overdue_date": None,
        },
    ]


def test_a_single_foreign_currency_is_the_top_level_one(api, customer):
    issued_for(api, customer, total="7.50", currency="USD")
    got = stats(api, customer)
    assert (got["currency"], got["issued_total"], got["outstanding"]) == ("USD", "7.50", "7.50")


def test_the_canonical_route_shows_the_same_stats(api, customer):
    issued_for(api, customer, total="12.00")
    canonical = api.get(f"/api/v1/companies/{customer.company_id}/customers/{customer.pk}")
    assert assert_success(canonical)["stats"] == stats(api, customer)
    assert assert_success(canonical)["stats"]["outstanding"] == "12.00"


def test_another_accounts_customer_is_a_404(api, other_account):
    stranger = CustomerFactory(account=other_account)
    assert_error(api.get(f"/api/v1/customers/{stranger.pk}"), 404, "CLIENT_NOT_FOUND")
