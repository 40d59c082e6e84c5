"""A filtered list's `total_items` is counted once and reused while the account's customers stay as they
are (PostgreSQL: the counting triggers keep a version of them); any write, by any path, makes the next
request exact again. On SQLite every request counts, and the same exactness tests run there."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import primary_company_of
from customers.models import Customer
from customers.validators import fold
from tests.factories import APIKeyFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db

GARCIA = "?search=garcia&limit=2"


def pagination(api, query: str) -> dict:
    response = api.get(f"/api/v1/customers{query}")
    assert response.status_code == 200, response.content
    return response.json()["data"]["pagination"]


def counts_customers(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "customers_customer" in q["sql"]]


def garcias(account, mode="live", **filters) -> int:
    return Customer.objects.for_account(account, mode).search("garcia").filter(**filters).count()


@pytest.fixture
def listed(account):
    CustomerFactory.create_batch(5, account=account, legal_name="García Pérez SL")
    CustomerFactory.create_batch(2, account=account, legal_name="Otra SL")
    return account


@pytest.mark.postgres_only(reason="the version that keeps a count valid is kept by PostgreSQL triggers")
def test_later_pages_reuse_the_count_of_the_first(api, listed):
    assert pagination(api, GARCIA + "&page=1")["total_items"] == 5
    with CaptureQueriesContext(connection) as queries:
        figures = pagination(api, GARCIA + "&page=2&sort_by=legal_name&sort_order=desc")
    assert figures["total_items"] == 5 == garcias(listed)
    assert figures["total_pages"] == 3
    assert not counts_customers(queries)


@pytest.mark.postgres_only(reason="the version that keeps a count valid is kept by PostgreSQL triggers")
def test_each_filter_is_counted_on_its_own(api, listed):
    assert pagination(api, GARCIA)["total_items"] == 5
    with CaptureQueriesContext(connection) as queries:
        assert pagination(api, "?search=otra&limit=2")["total_items"] == 2
        assert pagination(api, GARCIA + "&active=false")["total_items"] == 0
    assert len(counts_customers(queries)) == 2


@pytest.mark.postgres_only(reason="the version that keeps a count valid is kept by PostgreSQL triggers")
def test_each_metadata_filter_is_counted_on_its_own_and_then_reused(api, account):
    CustomerFactory.create_batch(3, account=account, metadata={"tier": "gold"})
    CustomerFactory.create_batch(1, account=account, metadata={"tier": "silver"})

    assert pagination(api, "?metadata[tier]=gold&limit=1")["total_items"] == 3
    assert pagination(api, "?metadata[tier]=silver&limit=1")["total_items"] == 1
    with CaptureQueriesContext(connection) as queries:
        assert pagination(api, "?metadata[tier]=gold&limit=1&page=2")["total_items"] == 3
    assert not counts_customers(queries)


def test_total_is_exact_right_after_a_creation(api, listed):
    pagination(api, GARCIA)
    created = api.post("/api/v1/customers", {"legal_name": "Luis Garcia", "nif": "12345678Z"}, format="json")
    assert created.status_code == 201
    assert pagination(api, GARCIA + "&page=2")["total_items"] == 6 == garcias(listed)


def test_total_is_exact_right_after_a_rename_that_moves_no_customer_between_statuses(api, listed):
    other = Customer.objects.filter(account=listed, legal_name="Otra SL").first()
    pagination(api, GARCIA)
    renamed = api.patch(f"/api/v1/customers/{other.pk}", {"legal_name": "Otra García SL"}, format="json")
    assert renamed.status_code == 200
    assert pagination(api, GARCIA + "&page=2")["total_items"] == 6 == garcias(listed)


def test_total_is_exact_right_after_a_deactivation_and_a_reactivation(api, listed):
    garcia = Customer.objects.filter(account=listed, legal_name="García Pérez SL").first()
    assert pagination(api, GARCIA + "&active=true")["total_items"] == 5
    assert api.delete(f"/api/v1/customers/{garcia.pk}").status_code == 200
    assert pagination(api, GARCIA + "&active=true&page=2")["total_items"] == 4 == garcias(listed, active=True)
    assert api.post(f"/api/v1/customers/{garcia.pk}/reactivate").status_code == 200
    assert pagination(api, GARCIA + "&active=true&page=2")["total_items"] == 5 == garcias(listed, active=True)


def test_total_is_exact_right_after_writes_that_bypass_the_services(api, listed):
    pagination(api, GARCIA)
    other = Customer.objects.filter(account=listed, legal_name="Otra SL").first()
    with connection.cursor() as cursor:
        # Only the search column changes: no customer moves between the counted groups.
        cursor.execute(
            "UPDATE customers_customer SET legal_name_folded = %s WHERE nif = %s", [fold("Otra García"), other.nif]
        )
    assert pagination(api, GARCIA + "&page=2")["total_items"] == 6 == garcias(listed)
    Customer.objects.filter(account=listed, legal_name="García Pérez SL").update(legal_name_folded="nadie")
    assert pagination(api, GARCIA + "&page=2")["total_items"] == 1 == garcias(listed)
    Customer.objects.bulk_create(
        [
            Customer(
                account=listed,
                company=primary_company_of(listed),
                legal_name=f"García {n}",
                legal_name_folded=f"garcia {n}",
                nif=valid_dni(700 + n),
            )
            for n in range(3)
        ]
    )
    assert pagination(api, GARCIA + "&page=2")["total_items"] == 4 == garcias(listed)


def test_another_modes_customers_neither_count_nor_leave_the_count_stale(api, listed, client_for):
    test_api = client_for(APIKeyFactory(account=listed, mode="test"))
    assert pagination(api, GARCIA)["total_items"] == 5
    assert pagination(test_api, GARCIA)["total_items"] == 0
    created = test_api.post("/api/v1/customers", {"legal_name": "Garcia Test", "nif": "12345678Z"}, format="json")
    assert created.status_code == 201
    assert pagination(api, GARCIA + "&page=2")["total_items"] == 5 == garcias(listed)
    assert pagination(test_api, GARCIA)["total_items"] == 1 == garcias(listed, mode="test")


@pytest.mark.postgres_only(reason="the version that keeps a count valid is kept by PostgreSQL triggers")
def test_another_accounts_writes_do_not_make_the_list_count_again(api, listed, other_account):
    pagination(api, GARCIA)
    CustomerFactory(account=other_account, legal_name="García Ajena SL")
    with CaptureQueriesContext(connection) as queries:
        assert pagination(api, GARCIA + "&page=2")["total_items"] == 5
    assert not counts_customers(queries)


def test_an_unavailable_cache_counts_the_rows(api, listed, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("customers.totals.cache.get", broken)
    monkeypatch.setattr("customers.totals.cache.set", broken)
    assert pagination(api, GARCIA)["total_items"] == 5
    CustomerFactory(account=listed, legal_name="García Nueva SL")
    assert pagination(api, GARCIA + "&page=2")["total_items"] == 6 == garcias(listed)


@pytest.mark.postgres_only(reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_write_committed_between_two_pages_is_counted(api, listed):
    assert pagination(api, GARCIA)["total_items"] == 5
    other = Customer.objects.filter(account=listed, legal_name="Otra SL").first()

    def rename_elsewhere():
        try:
            # Another connection, committed before the next page: it changes what matches, not any group's
            # number of customers.
            Customer.objects.filter(pk=other.pk).update(legal_name_folded=fold("Otra García SL"))
        finally:
            connection.close()

    writer = threading.Thread(target=rename_elsewhere)
    writer.start()
    writer.join(timeout=30)
    assert pagination(api, GARCIA + "&page=2")["total_items"] == 6 == garcias(listed)
