"""The customer list by what is owed: `sort_by=outstanding` (in one `currency`), `has_overdue`, the opt-in
`include=summary` of the filtered set and `include=stats` on the rows, on the flat and canonical routes."""

import pytest

from customers.models import Customer
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory
from tests.invoices.helpers import cancel
from tests.invoices.payments import issued_for, mark_paid, move_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]

URL = "/api/v1/customers"


@pytest.fixture
def owing(api, account):
    """Six customers, today the 16th: `big` owes 100.00 EUR (overdue), `small` and `tie` 10.00 EUR each (due in
    July), `dollars` only USD (overdue), `none` nothing (one invoice paid, one cancelled), and `inactive` owes
    5.00 EUR (overdue) but is deactivated."""
    customers = {name: CustomerFactory(account=account, legal_name=name) for name in ("big", "small", "tie", "dollars")}
    customers["none"] = CustomerFactory(account=account, legal_name="none")
    issued_for(api, customers["big"], total="100.00", due_date="2026-06-15")
    issued_for(api, customers["small"], total="10.00", due_date="2026-07-15")
    issued_for(api, customers["tie"], total="10.00", due_date="2026-07-15")
    issued_for(api, customers["dollars"], total="500.00", currency="USD", due_date="2026-06-15")
    paid = issued_for(api, customers["none"], total="70.00", due_date="2026-06-15")
    assert_success(mark_paid(api, paid["id"]))
    cancelled = issued_for(api, customers["none"], total="900.00", due_date="2026-06-15")
    assert_success(cancel(api, cancelled["id"]))
    customers["inactive"] = CustomerFactory(account=account, legal_name="inactive")
    issued_for(api, customers["inactive"], total="5.00", due_date="2026-06-15")
    # A customer with invoices is not deactivated through the API (CLIENT_HAS_INVOICES): as one from before.
    Customer.objects.filter(pk=customers["inactive"].pk).update(active=False)
    move_days(1)  # the 16th: what was due on the 15th is overdue
    return {name: str(customer.pk) for name, customer in customers.items()}


def names(data, owing) -> list[str]:
    by_id = {customer_id: name for name, customer_id in owing.items()}
    return [by_id[row["id"]] for row in data["customers"]]


def ties(owing, *names_, descending: bool) -> list[str]:
    """Customers owing the same, in the id order of the tiebreak."""
    return sorted(names_, key=lambda name: owing[name], reverse=descending)


def listed(api, **params) -> dict:
    return assert_success(api.get(URL, params))


def test_sorted_by_outstanding_descending_ties_broken_by_id(api, owing):
    data = listed(api, sort_by="outstanding", sort_order="desc")
    zeros = ties(owing, "dollars", "none", descending=True)
    assert names(data, owing) == ["big", *ties(owing, "small", "tie", descending=True), "inactive", *zeros]
    assert set(data) == {"customers", "pagination"}  # the list's shape is BeeL's: nothing added unasked


def test_sorted_by_outstanding_ascending_nothing_owed_sorts_as_zero(api, owing):
    data = listed(api, sort_by="outstanding", sort_order="asc")
    zeros = ties(owing, "dollars", "none", descending=False)
    assert names(data, owing) == [*zeros, "inactive", *ties(owing, "small", "tie", descending=False), "big"]


def test_sorted_by_outstanding_in_another_currency(api, owing):
    data = listed(api, sort_by="outstanding", sort_order="desc", currency="usd")
    assert names(data, owing)[0] == "dollars"


def test_the_cursor_walks_the_outstanding_order(api, owing):
    first = listed(api, sort_by="outstanding", sort_order="desc", limit=2)
    walked = names(first, owing)
    cursor = first["pagination"]["next_cursor"]
    while cursor:
        page = listed(api, sort_by="outstanding", sort_order="desc", limit=2, cursor=cursor)
        walked += names(page, owing)
        cursor = page["pagination"]["next_cursor"]
    assert walked == names(listed(api, sort_by="outstanding", sort_order="desc"), owing)


def test_has_overdue_true_and_false(api, owing):
    assert sorted(names(listed(api, has_overdue="true"), owing)) == ["big", "dollars", "inactive"]
    assert sorted(names(listed(api, has_overdue="false"), owing)) == ["none", "small", "tie"]
    assert listed(api, has_overdue="true")["pagination"]["total_items"] == 3


def test_has_overdue_follows_the_clock_and_payments(api, owing):
    move_days(30)  # the 16th of July: small and tie are late too
    assert listed(api, has_overdue="false")["pagination"]["total_items"] == 1
    assert_success(mark_paid(api, _only_invoice(api, owing["small"])))
    assert sorted(names(listed(api, has_overdue="false"), owing)) == ["none", "small"]


def _only_invoice(api, customer_id: str) -> str:
    invoices = assert_success(api.get("/api/v1/invoices", {"customer_id": customer_id}))["invoices"]
    return next(invoice["id"] for invoice in invoices if invoice["status"] == "issued")


def test_include_summary_totals_the_filtered_set_per_currency(api, owing):
    data = listed(api, has_overdue="true", include="summary")
    assert data["summary"] == {
        "active": 2,
        "inactive": 1,
        "total": 3,
        "billed_by_currency": [
            {"currency": "EUR", "invoice_count": 2, "total_billed": "105.00"},
            {"currency": "USD", "invoice_count": 1, "total_billed": "500.00"},
        ],
    }
    assert len(data["customers"]) == 3 and "pagination" in data


def test_include_summary_on_the_canonical_list_follows_its_active_default(api, owing, customer):
    data = assert_success(api.get(f"/api/v1/companies/{customer.company_id}/customers", {"include": "summary"}))
    # The canonical list is active customers only unless asked: `none` (paid 70.00) and four others, plus the
    # fixture's own customer.
    assert (data["summary"]["active"], data["summary"]["inactive"], data["summary"]["total"]) == (6, 0, 6)
    assert data["summary"]["billed_by_currency"] == [
        {"currency": "EUR", "invoice_count": 4, "total_billed": "190.00"},
        {"currency": "USD", "invoice_count": 1, "total_billed": "500.00"},
    ]


def test_include_stats_adds_each_rows_stats(api, owing):
    data = listed(api, sort_by="outstanding", sort_order="desc", include="stats,summary", limit=1)
    (row,) = data["customers"]
    assert (row["stats"]["outstanding"], row["stats"]["overdue_total"]) == ("100.00", "100.00")
    assert row["stats"] == assert_success(api.get(f"{URL}/{owing['big']}"))["stats"]
    assert "summary" in data


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sort_by": "owed"}, "sort_by"),
        ({"sort_by": "outstanding", "currency": "EURO"}, "currency"),
        ({"sort_by": "outstanding", "currency": "XXY"}, "currency"),
        ({"has_overdue": "maybe"}, "has_overdue"),
        ({"has_overdue": ""}, "has_overdue"),
        ({"include": "everything"}, "include"),
    ],
)
def test_invalid_parameters_are_refused_naming_them(api, params, field):
    body = assert_error(api.get(URL, params), 400, "VALIDATION_ERROR")
    assert field in body["details"]


def test_out_of_range_paging_with_the_new_parameters_is_a_422(api):
    body = assert_error(api.get(URL, {"sort_by": "outstanding", "limit": 101}), 422, "VALIDATION_ERROR")
    assert "limit" in body["details"]


def test_another_accounts_customers_are_never_listed_nor_summed(api, owing, other_account, client_for):
    stranger = CustomerFactory(account=other_account)
    assert stranger.pk not in {row["id"] for row in listed(api, sort_by="outstanding")["customers"]}
    assert listed(api, include="summary")["summary"]["total"] == 6


def test_the_csv_export_follows_the_same_sort_and_filter(api, owing):
    response = api.get(f"{URL}/export", {"sort_by": "outstanding", "sort_order": "desc", "has_overdue": "true"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(";")[0] for line in lines[1:]] == ["big", "inactive", "dollars"]
