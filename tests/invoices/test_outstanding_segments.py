"""The list by what is owed is read in stretches (those who owe, by their balances; those who owe nothing, by
id; those owed a credit): the same rows, order, totals and pages as one sort of every customer by
COALESCE(outstanding, 0) then id, checked here against that order computed from the amounts."""

from decimal import Decimal

import pytest

from invoices.models import CustomerBalance
from tests.factories import CustomerFactory
from tests.invoices.payments import issued_for
from tests.invoices.test_customers_by_outstanding import listed, names, owing  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]

# What each customer of the `owing` fixture owes in EUR (inactive is deactivated but listed unless filtered).
EUR = {"big": "100.00", "small": "10.00", "tie": "10.00", "inactive": "5.00", "dollars": "0", "none": "0"}


@pytest.fixture
def both(api, account, owing):  # noqa: F811
    """`owing`, with `both` owing 30.00 EUR and 700.00 USD."""
    customer = CustomerFactory(account=account, legal_name="both")
    issued_for(api, customer, total="30.00", due_date="2026-07-15")
    issued_for(api, customer, total="700.00", currency="USD", due_date="2026-07-15")
    return {**owing, "both": str(customer.pk)}


def expected(customers: dict, amounts: dict, *, descending: bool, only=None) -> list[str]:
    chosen = [name for name in customers if only is None or name in only]
    return sorted(chosen, key=lambda name: (Decimal(amounts.get(name, "0")), customers[name]), reverse=descending)


def walk_by_cursor(api, customers, **params) -> list[str]:
    page = listed(api, **params)
    walked = names(page, customers)
    while page["pagination"]["next_cursor"]:
        page = listed(api, **params, cursor=page["pagination"]["next_cursor"])
        walked += names(page, customers)
        assert set(page["pagination"]) == {"items_per_page", "has_next", "next_cursor"}
    return walked


def walk_by_page(api, customers, **params) -> tuple[list[str], set[int]]:
    walked, totals, number = [], set(), 1
    while True:
        page = listed(api, **params, page=number)
        walked += names(page, customers)
        totals.add(page["pagination"]["total_items"])
        if not page["pagination"]["has_next"]:
            return walked, totals
        number += 1


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_a_customer_with_balances_in_two_currencies_sorts_by_the_asked_one(api, both, order):
    descending = order == "desc"
    eur = listed(api, sort_by="outstanding", sort_order=order)
    assert names(eur, both) == expected(both, {**EUR, "both": "30.00"}, descending=descending)
    usd = listed(api, sort_by="outstanding", sort_order=order, currency="USD")
    assert names(usd, both) == expected(both, {"dollars": "500.00", "both": "700.00"}, descending=descending)


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_cursor_and_page_walks_cross_from_owing_to_owing_nothing(api, both, order, limit):
    whole = expected(both, {**EUR, "both": "30.00"}, descending=order == "desc")
    params = {"sort_by": "outstanding", "sort_order": order, "limit": limit}
    assert walk_by_cursor(api, both, **params) == whole
    by_page, totals = walk_by_page(api, both, **params)
    assert by_page == whole
    assert totals == {len(whole)}


def test_a_page_past_the_end_is_empty_with_true_totals(api, both):
    page = listed(api, sort_by="outstanding", sort_order="desc", limit=5, page=3)
    assert page["customers"] == []
    assert page["pagination"]["total_items"] == 7


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_filters_combined_with_the_sort_and_a_cursor_walk(api, both, order):
    descending = order == "desc"
    active = set(both) - {"inactive"}
    params = {"sort_by": "outstanding", "sort_order": order, "active": "true", "limit": 2}
    assert walk_by_cursor(api, both, **params) == expected(
        both, EUR | {"both": "30.00"}, descending=descending, only=active
    )
    overdue = {"big", "dollars", "inactive"}  # due on the 15th, today the 16th
    params = {"sort_by": "outstanding", "sort_order": order, "has_overdue": "true", "limit": 1}
    assert walk_by_cursor(api, both, **params) == expected(both, EUR, descending=descending, only=overdue)
    params = {"sort_by": "outstanding", "sort_order": order, "legal_name": "i", "active": "true", "limit": 1}
    with_i = {"big", "tie"}
    assert walk_by_cursor(api, both, **params) == expected(both, EUR, descending=descending, only=with_i)
    params = {"sort_by": "outstanding", "sort_order": order, "currency": "USD", "has_overdue": "false"}
    not_overdue = set(both) - overdue
    usd = {"both": "700.00"}
    assert names(listed(api, **params), both) == expected(both, usd, descending=descending, only=not_overdue)


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_a_credit_sorts_below_nothing_owed(api, both, order):
    """A balance below 0 (credit; not written by today's use cases, but a column that may hold it)."""
    CustomerBalance.objects.filter(customer_id=both["small"], currency="EUR").update(outstanding=Decimal("-3.00"))
    amounts = {**EUR, "both": "30.00", "small": "-3.00"}
    whole = expected(both, amounts, descending=order == "desc")
    params = {"sort_by": "outstanding", "sort_order": order, "limit": 2}
    assert walk_by_cursor(api, both, **params) == whole
    assert walk_by_page(api, both, **params)[0] == whole
