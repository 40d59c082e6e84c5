"""`created_since`, `created_until`, `updated_since`, `updated_until` on the customer and invoice lists
(issue #15): ISO 8601 with an offset, `since` inclusive and `until` exclusive, 400 otherwise. The rows'
timestamps are set explicitly, so nothing depends on the clock."""

from datetime import UTC, datetime, timedelta

import pytest

from customers.models import Customer
from invoices.models import Invoice
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"
INVOICES = "/api/v1/invoices"
NOON = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def ids_listed(client, url, key, **params) -> set[str]:
    response = client.get(url, {"limit": 100, **params})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["data"][key]}


def stamped_customer(account, *, created_at, updated_at=None) -> Customer:
    customer = CustomerFactory(account=account)
    Customer.objects.filter(pk=customer.pk).update(created_at=created_at, updated_at=updated_at or created_at)
    return customer


def test_created_window_includes_since_and_excludes_until(api, account):
    before = stamped_customer(account, created_at=NOON - timedelta(microseconds=1))
    at_since = stamped_customer(account, created_at=NOON)
    inside = stamped_customer(account, created_at=NOON + timedelta(minutes=30))
    at_until = stamped_customer(account, created_at=NOON + timedelta(hours=1))
    window = ids_listed(
        api, CUSTOMERS, "customers", created_since="2026-05-04T12:00:00Z", created_until="2026-05-04T13:00:00Z"
    )
    assert window == {str(at_since.pk), str(inside.pk)}
    assert str(before.pk) not in window and str(at_until.pk) not in window


def test_offsets_are_honoured(api, account):
    customer = stamped_customer(account, created_at=NOON)
    # 14:00 in Madrid (UTC+2 in May) is 12:00 UTC.
    assert ids_listed(api, CUSTOMERS, "customers", created_since="2026-05-04T14:00:00+02:00") == {str(customer.pk)}
    assert ids_listed(api, CUSTOMERS, "customers", created_since="2026-05-04T14:00:01+02:00") == set()


def test_an_unencoded_plus_in_the_offset_is_understood(api, account):
    customer = stamped_customer(account, created_at=NOON)
    # '+02:00' typed raw into a URL arrives as ' 02:00'.
    response = api.get(f"{CUSTOMERS}?created_since=2026-05-04T14:00:00+02:00")
    assert response.status_code == 200, response.content
    assert [c["id"] for c in response.json()["data"]["customers"]] == [str(customer.pk)]


def test_updated_since_finds_what_an_update_changed(api, account):
    untouched = stamped_customer(account, created_at=NOON, updated_at=NOON)
    edited = stamped_customer(account, created_at=NOON, updated_at=NOON)
    response = api.patch(f"{CUSTOMERS}/{edited.pk}", {"email": "nuevo@example.es"}, format="json")
    assert response.status_code == 200
    edited.refresh_from_db()
    since = (NOON + timedelta(seconds=1)).isoformat()
    assert ids_listed(api, CUSTOMERS, "customers", updated_since=since) == {str(edited.pk)}
    until = edited.updated_at.isoformat()
    assert ids_listed(api, CUSTOMERS, "customers", updated_until=until) == {str(untouched.pk)}


@pytest.mark.parametrize(
    "value",
    [
        "2026-05-04T12:00:00",
        "2026-05-04",
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-05-04T25:00:00+01:00",
        "1" * 300,
        "1911-05-09T20:39:53.798972-18:04",  # found by the fuzzer: PostgreSQL refuses offsets past 15:59
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
    ],
)
@pytest.mark.parametrize("url", [CUSTOMERS, INVOICES])
def test_a_value_without_offset_or_not_a_datetime_is_a_400_naming_the_parameter(api, account, url, value):
    response = api.get(url, {"updated_since": value, "created_until": value})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert set(error["details"]) == {"updated_since", "created_until"}
    assert "UTC offset" in error["details"]["updated_since"]


def test_invoices_filter_on_their_own_timestamps(api, account):
    customer = CustomerFactory(account=account)
    old, new = InvoiceFactory(customer=customer), InvoiceFactory(customer=customer)
    Invoice.objects.filter(pk=old.pk).update(created_at=NOON - timedelta(days=2), updated_at=NOON - timedelta(days=2))
    Invoice.objects.filter(pk=new.pk).update(created_at=NOON, updated_at=NOON + timedelta(days=1))
    assert ids_listed(api, INVOICES, "invoices", created_since="2026-05-04T00:00:00Z") == {str(new.pk)}
    assert ids_listed(api, INVOICES, "invoices", updated_until="2026-05-04T00:00:00Z") == {str(old.pk)}
    assert ids_listed(api, INVOICES, "invoices", updated_since="2026-05-05T12:00:00Z") == {str(new.pk)}


def test_change_filters_combine_with_a_cursor_walk(api, account):
    recent = [stamped_customer(account, created_at=NOON, updated_at=NOON + timedelta(hours=n)) for n in range(7)]
    stamped_customer(account, created_at=NOON, updated_at=NOON - timedelta(hours=1))
    params = {"updated_since": "2026-05-04T12:00:00Z", "sort_by": "updated_at", "limit": 3}
    first = api.get(CUSTOMERS, params).json()["data"]
    seen = [c["id"] for c in first["customers"]]
    cursor = first["pagination"]["next_cursor"]
    while cursor:
        page = api.get(CUSTOMERS, {**params, "cursor": cursor}).json()["data"]
        seen += [c["id"] for c in page["customers"]]
        cursor = page["pagination"]["next_cursor"]
    assert seen == [str(c.pk) for c in recent]


def test_total_items_counts_only_the_changed_rows(api, account):
    """On PostgreSQL unfiltered totals come from trigger-kept counters; a change filter must not use them."""
    stamped_customer(account, created_at=NOON - timedelta(days=1))
    stamped_customer(account, created_at=NOON)
    response = api.get(CUSTOMERS, {"created_since": "2026-05-04T12:00:00Z", "limit": 1})
    pagination = response.json()["data"]["pagination"]
    assert pagination["total_items"] == 1 and pagination["has_next"] is False
    assert pagination["next_cursor"] is None
