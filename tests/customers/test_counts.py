"""total_items of the unfiltered and active-only lists comes from counters kept by PostgreSQL triggers;
it must always equal the rows, whatever changed them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from customers.models import Customer, CustomerCount
from tests.factories import APIKeyFactory, CustomerFactory, InvoiceFactory, valid_dni

pytestmark = pytest.mark.django_db


def listed_total(api, query="") -> int:
    response = api.get(f"/api/v1/customers{query}")
    assert response.status_code == 200
    return response.json()["data"]["pagination"]["total_items"]


def assert_totals_match_the_rows(api, account, mode="live"):
    rows = Customer.objects.filter(account=account, mode=mode)
    assert listed_total(api) == rows.count()
    assert listed_total(api, "?active=true") == rows.filter(active=True).count()
    assert listed_total(api, "?active=false") == rows.filter(active=False).count()
    if connection.vendor == "postgresql":
        real = {
            (group["account"], group["mode"], group["active"]): group["n"]
            for group in Customer.objects.values("account", "mode", "active").annotate(n=Count("id"))
        }
        counted = {(c.account_id, c.mode, c.active): c.n for c in CustomerCount.objects.exclude(n=0)}
        assert counted == real


def test_totals_follow_every_way_customers_change(api, account, client, admin_user):
    assert_totals_match_the_rows(api, account)
    created = [
        api.post("/api/v1/customers", {"legal_name": f"C{i}", "nif": valid_dni(900 + i)}, format="json")
        for i in range(3)
    ]
    api.post(
        "/api/v1/customers/bulk",
        {"customers": [{"legal_name": f"B{i}", "nif": valid_dni(950 + i)} for i in range(4)]},
        format="json",
    )
    assert_totals_match_the_rows(api, account)
    ids = [response.json()["data"]["id"] for response in created]
    api.delete(f"/api/v1/customers/{ids[0]}")
    api.delete(f"/api/v1/customers/bulk?ids={ids[1]},{ids[2]}")
    assert_totals_match_the_rows(api, account)
    api.post(f"/api/v1/customers/{ids[0]}/reactivate")
    api.patch(f"/api/v1/customers/{ids[1]}", {"legal_name": "Renamed"}, format="json")
    assert_totals_match_the_rows(api, account)
    client.force_login(admin_user)
    # "post" confirms, as the admin's confirmation page does; without it nothing is deactivated.
    client.post(
        "/admin/customers/customer/", {"action": "deactivate_selected", "_selected_action": [ids[0]], "post": "yes"}
    )
    call_command("deactivatecustomers", ids[1], stdout=StringIO(), stderr=StringIO())
    assert_totals_match_the_rows(api, account)


def test_totals_are_per_account_and_mode(api, account, client_for):
    CustomerFactory.create_batch(3, account=account)
    CustomerFactory.create_batch(2, account=account, mode="test")
    CustomerFactory.create_batch(4)  # another account
    assert listed_total(api) == 3
    assert listed_total(client_for(APIKeyFactory(account=account, mode="test"))) == 2
    assert_totals_match_the_rows(api, account)


def test_filtered_lists_still_count_their_rows(api, account):
    CustomerFactory(account=account, legal_name="Ferretería Núñez SL")
    CustomerFactory(account=account, legal_name="Otra SL")
    InvoiceFactory(customer=CustomerFactory(account=account, legal_name="Ferreteria Sur SL"))
    assert listed_total(api, "?search=ferreteria") == 2
    assert listed_total(api, "?search=ferreteria&active=true&page=5") == 2


def test_a_page_past_the_end_reports_the_counted_totals(api, account):
    CustomerFactory.create_batch(3, account=account)
    data = api.get("/api/v1/customers?page=9&limit=2").json()["data"]
    assert data["customers"] == []
    assert data["pagination"]["total_items"] == 3
    assert data["pagination"]["total_pages"] == 2


def test_seeded_data_is_counted(api, account):
    call_command("seeddemo", "--customers", "30", "--user", account.username, stdout=StringIO(), stderr=StringIO())
    assert_totals_match_the_rows(api, account)


@pytest.mark.postgres_only(reason="the counters are kept by PostgreSQL triggers; SQLite counts the rows")
def test_the_default_list_does_not_count_the_rows_on_postgresql(api, account):
    CustomerFactory.create_batch(3, account=account)
    with CaptureQueriesContext(connection) as queries:
        assert listed_total(api) == 3
    assert not [q["sql"] for q in queries if "COUNT(*)" in q["sql"].upper() and "customers_customer" in q["sql"]]
