"""A PATCH that races a DELETE of the same customer must not undo the deactivation (PostgreSQL only: real
row locks and threads). The deactivation's commit is held back by a trigger that sleeps, so the PATCH is
certain to arrive while the deactivation holds the row: without the update's row lock it would read the
customer as active and write that back."""

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from customers.models import AuditEntry, Customer
from tests.factories import APIKeyFactory, CustomerFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_deactivation_commit():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION beel_test_slow_deactivation() RETURNS trigger AS $$ "
            "BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER beel_test_slow_deactivation AFTER UPDATE ON customers_customer "
            "FOR EACH ROW WHEN (OLD.active AND NOT NEW.active) EXECUTE FUNCTION beel_test_slow_deactivation()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER beel_test_slow_deactivation ON customers_customer")
        cursor.execute("DROP FUNCTION beel_test_slow_deactivation()")


def _in_thread(call, results: list):
    def run():
        try:
            results.append(call())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_until_a_backend_sleeps(seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while True:
            # This test's database only: under pytest-xdist another worker's test may be sleeping too.
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise AssertionError("the deactivation never reached its commit")
            time.sleep(0.02)


def test_a_patch_during_a_deactivation_neither_resurrects_the_customer_nor_is_lost(slow_deactivation_commit):
    api_key = APIKeyFactory()

    def client() -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key.raw_key}")
        return api

    for round_number in range(3):
        customer = CustomerFactory(account=api_key.account)
        deletions, patches = [], []
        deletion = _in_thread(lambda c=customer: client().delete(f"/api/v1/customers/{c.pk}"), deletions)
        _wait_until_a_backend_sleeps()
        patch = _in_thread(
            lambda c=customer, n=round_number: client().patch(
                f"/api/v1/customers/{c.pk}", {"legal_name": f"Renombrada {n} SL"}, format="json"
            ),
            patches,
        )
        deletion.join(timeout=30)
        patch.join(timeout=30)

        assert deletions[0].status_code == 200, deletions[0].content
        assert patches[0].status_code == 200, patches[0].content
        customer = Customer.objects.get(pk=customer.pk)
        assert customer.active is False
        assert customer.deactivated_at is not None
        assert customer.legal_name == f"Renombrada {round_number} SL"
        assert patches[0].json()["data"]["active"] is False
        actions = list(
            AuditEntry.objects.filter(customer=customer).order_by("at", "id").values_list("action", flat=True)
        )
        assert actions == ["deactivated", "updated"]
