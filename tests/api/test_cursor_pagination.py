"""Cursor pagination of the lists (issue #15): `next_cursor` on every list, `cursor=` continues after it by
keyset, counts nothing, refuses cursors it did not issue or that belong to other filters, and a walk sees
every row exactly once while rows are inserted during it. Runs on SQLite and PostgreSQL alike."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from invoices.models import Invoice
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"
INVOICES = "/api/v1/invoices"
CURSOR_PAGINATION_KEYS = {"items_per_page", "has_next", "next_cursor"}
START = datetime(2026, 1, 1, tzinfo=UTC)


def listed(client, url, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def refused(client, url, status: int = 422, **params) -> dict:
    """A cursor parses (it is a string) but one this API did not issue is not admitted: BeeL's 422
    (UnprocessableQueryParameter); a parameter that does not parse alongside it makes it a 400."""
    response = client.get(url, params)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    return error["details"]


def walk_by_cursor(client, url, results_key, limit, between_pages=None, **params) -> list[str]:
    """Every id in order: page 1 in page mode, then `cursor=next_cursor` until it is null."""
    data = listed(client, url, limit=limit, **params)
    seen = [row["id"] for row in data[results_key]]
    pages = 1
    while data["pagination"]["next_cursor"] is not None:
        if between_pages:
            between_pages(pages)
        data = listed(client, url, limit=limit, cursor=data["pagination"]["next_cursor"], **params)
        assert set(data["pagination"]) == CURSOR_PAGINATION_KEYS
        assert data["pagination"]["has_next"] is (data["pagination"]["next_cursor"] is not None)
        seen += [row["id"] for row in data[results_key]]
        pages += 1
        assert pages < 500, "next_cursor never became null"
    return seen


def walk_by_page(client, url, results_key, limit, **params) -> list[str]:
    seen, page = [], 1
    while True:
        data = listed(client, url, limit=limit, page=page, **params)
        seen += [row["id"] for row in data[results_key]]
        if not data["pagination"]["has_next"]:
            return seen
        page += 1


def customers_with_spread_timestamps(account, count: int, *, mode: str = "live") -> list[Customer]:
    """Customers whose created_at/updated_at are fixed, with ties every third row, so the id tiebreak is
    exercised."""
    customers = CustomerFactory.create_batch(count, account=account, mode=mode)
    for index, customer in enumerate(customers):
        at = START + timedelta(minutes=index // 3)
        Customer.objects.filter(pk=customer.pk).update(created_at=at, updated_at=at + timedelta(days=index % 5))
    return customers


@pytest.mark.parametrize(
    "sort",
    [
        {},
        {"sort_by": "created_at", "sort_order": "desc"},
        {"sort_by": "legal_name"},
        {"sort_by": "updated_at", "sort_order": "desc"},
        {"sort_by": "city"},
    ],
)
def test_a_cursor_walk_returns_the_rows_of_a_page_walk_in_the_same_order(api, account, sort):
    customers_with_spread_timestamps(account, 23)
    by_page = walk_by_page(api, CUSTOMERS, "customers", 5, **sort)
    assert walk_by_cursor(api, CUSTOMERS, "customers", 5, **sort) == by_page
    assert len(by_page) == 23


def test_filters_apply_to_every_page_of_a_cursor_walk(api, account):
    customers = customers_with_spread_timestamps(account, 20)
    Customer.objects.filter(pk__in=[c.pk for c in customers[::2]]).update(active=False)
    seen = walk_by_cursor(api, CUSTOMERS, "customers", 3, active="false")
    assert sorted(seen) == sorted(str(c.pk) for c in customers[::2])


def test_a_walk_sees_every_row_exactly_once_while_rows_are_inserted_before_and_after_it(api, account):
    """Rows inserted during an offset walk shift the pages after them (a row seen twice, or never); a
    keyset walk is anchored on the last row it returned."""
    names = [f"Cliente {letter}{n:02d}" for n in range(4) for letter in "BDFHJ"]
    originals = [CustomerFactory(account=account, legal_name=name) for name in names]
    inserted = []

    def insert_around(page_number):
        # One row sorting before everything already returned, one after everything.
        inserted.append(CustomerFactory(account=account, legal_name=f"Cliente A{page_number:02d}"))
        inserted.append(CustomerFactory(account=account, legal_name=f"Cliente Z{page_number:02d}"))

    seen = walk_by_cursor(api, CUSTOMERS, "customers", 4, between_pages=insert_around, sort_by="legal_name")
    assert len(seen) == len(set(seen)), "a row was returned twice"
    assert {str(c.pk) for c in originals} <= set(seen), "a row that existed all along was skipped"
    # Rows inserted after the cursor's position are reached by the walk; those before it are not.
    assert {str(c.pk) for c in inserted if "Z" in c.legal_name} <= set(seen)
    assert not {str(c.pk) for c in inserted if " A" in c.legal_name} & set(seen)
    assert Customer.objects.filter(account=account).count() == len(originals) + len(inserted)


def test_a_cursor_page_counts_nothing_and_answers_no_totals(api, account):
    customers_with_spread_timestamps(account, 12)
    first = listed(api, CUSTOMERS, limit=5)
    assert first["pagination"]["has_next"] is True and first["pagination"]["next_cursor"]
    with CaptureQueriesContext(connection) as queries:
        data = listed(api, CUSTOMERS, limit=5, cursor=first["pagination"]["next_cursor"])
    assert data["pagination"] == {
        "items_per_page": 5,
        "has_next": True,
        "next_cursor": data["pagination"]["next_cursor"],
    }
    customer_queries = [q["sql"] for q in queries.captured_queries if "customers_customer" in q["sql"]]
    assert customer_queries and not any("COUNT(" in sql.upper() for sql in customer_queries)


def test_the_last_page_has_a_null_cursor_in_both_modes(api, account):
    customers_with_spread_timestamps(account, 6)
    assert listed(api, CUSTOMERS, limit=6)["pagination"]["next_cursor"] is None
    first = listed(api, CUSTOMERS, limit=5)
    last = listed(api, CUSTOMERS, limit=5, cursor=first["pagination"]["next_cursor"])
    assert len(last["customers"]) == 1
    assert last["pagination"] == {"items_per_page": 5, "has_next": False, "next_cursor": None}


def test_the_limit_may_change_during_a_walk(api, account):
    customers_with_spread_timestamps(account, 10)
    expected = walk_by_page(api, CUSTOMERS, "customers", 10)
    first = listed(api, CUSTOMERS, limit=3)
    rest = listed(api, CUSTOMERS, limit=7, cursor=first["pagination"]["next_cursor"])
    assert [c["id"] for c in first["customers"] + rest["customers"]] == expected


def test_a_tampered_or_made_up_cursor_is_a_422(api, account):
    customers_with_spread_timestamps(account, 4)
    cursor = listed(api, CUSTOMERS, limit=2)["pagination"]["next_cursor"]
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    for bad in (tampered, "", "not-a-cursor", "x" * 5000):
        details = refused(api, CUSTOMERS, cursor=bad)
        assert set(details) == {"cursor"}


def test_a_cursor_with_other_filters_or_sort_is_a_422(api, account):
    customers_with_spread_timestamps(account, 4)
    cursor = listed(api, CUSTOMERS, limit=2, sort_by="legal_name")["pagination"]["next_cursor"]
    assert "another list" in refused(api, CUSTOMERS, cursor=cursor)["cursor"]
    assert "another list" in refused(api, CUSTOMERS, cursor=cursor, sort_by="nif")["cursor"]
    assert "another list" in refused(api, CUSTOMERS, cursor=cursor, sort_by="legal_name", active="true")["cursor"]
    assert listed(api, CUSTOMERS, cursor=cursor, sort_by="legal_name")["pagination"]["has_next"] is False


def test_a_customer_cursor_is_refused_by_the_invoice_list(api, account):
    customers_with_spread_timestamps(account, 4)
    cursor = listed(api, CUSTOMERS, limit=2)["pagination"]["next_cursor"]
    assert set(refused(api, INVOICES, cursor=cursor)) == {"cursor"}


def test_page_and_cursor_together_are_a_422_naming_both_problems(api, account):
    customers_with_spread_timestamps(account, 4)
    cursor = listed(api, CUSTOMERS, limit=2)["pagination"]["next_cursor"]
    assert set(refused(api, CUSTOMERS, cursor=cursor, page="2")) == {"page"}
    assert set(refused(api, CUSTOMERS, cursor=cursor, limit="0")) == {"limit"}
    assert set(refused(api, CUSTOMERS, status=400, cursor=cursor, limit="ten")) == {"limit"}


def test_a_cursor_of_one_account_is_refused_for_another(api, account, client_for):
    from tests.factories import APIKeyFactory

    customers_with_spread_timestamps(account, 6)
    other_key = APIKeyFactory()
    CustomerFactory.create_batch(3, account=other_key.account)
    cursor = listed(api, CUSTOMERS, limit=2)["pagination"]["next_cursor"]
    # A cursor belongs to the walk of one company's list (issue 24): another account's key cannot continue it.
    assert "cursor" in refused(client_for(other_key), CUSTOMERS, cursor=cursor)


def test_a_cursor_of_one_mode_is_refused_in_the_other_of_the_same_account(api, account, client_for):
    """The same company's list in test mode holds other rows: a live walk's cursor must not continue there."""
    from tests.factories import APIKeyFactory

    customers_with_spread_timestamps(account, 4)
    customers_with_spread_timestamps(account, 4, mode="test")
    test_api = client_for(APIKeyFactory(account=account, mode="test"))
    cursor = listed(api, CUSTOMERS, limit=2)["pagination"]["next_cursor"]

    assert "another list" in refused(test_api, CUSTOMERS, cursor=cursor)["cursor"]
    assert len(listed(api, CUSTOMERS, cursor=cursor)["customers"]) == 2


@pytest.mark.parametrize("mode", ["live", "test"])
def test_a_cursor_of_an_account_wide_list_is_refused_for_another_account_or_mode(account, client_for, mode):
    """Webhook endpoints and companies are listed per account, not per company: the cursor names its account
    and mode all the same."""
    from tests.factories import APIKeyFactory
    from webhooks.models import WebhookEndpoint

    owner_key = APIKeyFactory(account=account)
    other_key = APIKeyFactory(mode=mode) if mode == "live" else APIKeyFactory(account=account, mode="test")
    for key in (owner_key, other_key):
        for n in range(3):
            WebhookEndpoint.objects.create(account=key.account, mode=key.mode, url=f"https://h{n}.example.com/")
    owner = client_for(owner_key)
    cursor = listed(owner, "/api/v1/webhook-endpoints", limit=1)["pagination"]["next_cursor"]

    assert "another list" in refused(client_for(other_key), "/api/v1/webhook-endpoints", cursor=cursor)["cursor"]
    assert len(listed(owner, "/api/v1/webhook-endpoints", cursor=cursor)["webhook_endpoints"]) == 2


def test_a_cursor_issued_before_cursors_named_their_owner_is_refused_once_saying_so(api, account):
    from django.core import signing

    customers_with_spread_timestamps(account, 4)
    cursor = listed(api, CUSTOMERS, limit=2)["pagination"]["next_cursor"]
    payload = signing.loads(cursor, salt="beel.api.pagination.cursor")
    outdated = signing.dumps({"f": payload["f"], "k": payload["k"]}, salt="beel.api.pagination.cursor", compress=True)

    assert "start the walk again from the first page" in refused(api, CUSTOMERS, cursor=outdated)["cursor"]
    restarted = listed(api, CUSTOMERS, limit=2)["pagination"]["next_cursor"]
    assert len(listed(api, CUSTOMERS, limit=2, cursor=restarted)["customers"]) == 2


def test_invoices_walk_by_cursor_in_their_mixed_order_with_ties(api, account):
    customer = CustomerFactory(account=account)
    for index in range(17):
        InvoiceFactory(
            customer=customer, series="AB"[index % 2], number=index + 1, issue_date=date(2026, 3, 1 + index % 3)
        )
    by_page = walk_by_page(api, INVOICES, "invoices", 4)
    assert walk_by_cursor(api, INVOICES, "invoices", 4) == by_page
    assert sorted(by_page) == sorted(str(pk) for pk in Invoice.objects.values_list("pk", flat=True))


def test_an_invoice_walk_sees_each_invoice_once_while_invoices_are_created(api, account):
    customer = CustomerFactory(account=account)
    originals = [
        InvoiceFactory(customer=customer, number=n + 1, issue_date=date(2026, 3, 1) + timedelta(days=n))
        for n in range(12)
    ]
    next_number = iter(range(100, 200))

    def create_newest(_page):
        InvoiceFactory(customer=customer, number=next(next_number), issue_date=date(2026, 12, 31))

    seen = walk_by_cursor(api, INVOICES, "invoices", 5, between_pages=create_newest)
    assert len(seen) == len(set(seen))
    assert {str(i.pk) for i in originals} <= set(seen)


def test_drafts_without_numbers_are_walked_once_each_first_within_their_date_and_series(api, account):
    customer = CustomerFactory(account=account)
    for index in range(15):
        draft = index % 3 == 0
        InvoiceFactory(
            customer=customer,
            series="AB"[index % 2],
            number=None if draft else index + 1,
            status="draft" if draft else "issued",
            issue_date=date(2026, 3, 1 + index % 2),
        )
    by_page = walk_by_page(api, INVOICES, "invoices", 2)
    by_cursor = walk_by_cursor(api, INVOICES, "invoices", 2)

    assert by_cursor == by_page
    assert sorted(by_cursor) == sorted(str(pk) for pk in Invoice.objects.values_list("pk", flat=True))
    rows = {str(i.pk): i for i in Invoice.objects.all()}
    order = [
        (-rows[pk].issue_date.toordinal(), rows[pk].series, rows[pk].number is not None, -(rows[pk].number or 0), pk)
        for pk in by_cursor
    ]
    assert order == sorted(order)
