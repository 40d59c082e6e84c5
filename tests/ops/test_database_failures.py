"""A database that cannot answer is 503 SERVICE_UNAVAILABLE with Retry-After, logged once per request
without a traceback; the same for a query stopped by the statement timeout. Real faults on PostgreSQL:
the app's connection is terminated with pg_terminate_backend, a row lock outlasts the timeout."""

import logging

import psycopg
import pytest
from django.db import connection
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from customers.models import Customer
from tests.factories import CustomerFactory
from tests.ops.servers import direct_connection

pytestmark = [
    pytest.mark.postgres_only(reason="pg_terminate_backend and statement timeouts are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def connect_outside_django(dbname: str, **options) -> psycopg.Connection:
    """A connection of its own to the server, as an operator's psql or another client would have."""
    return direct_connection(connection.settings_dict, dbname, **{"autocommit": False, **options})


def administrator_connection() -> psycopg.Connection:
    return connect_outside_django("postgres", autocommit=True)


def terminate_the_app_connection() -> None:
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with administrator_connection() as admin:
        # The second argument waits until the backend is gone, so the next query surely meets a dead socket.
        assert admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0]


def database_errors_counted(settings, kind: str) -> float:
    settings.METRICS_TOKEN = "metrics-token-for-the-database-tests"
    answer = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-for-the-database-tests")
    return sum(
        sample.value
        for family in text_string_to_metric_families(answer.content.decode())
        for sample in family.samples
        if sample.name == "beel_database_errors_total" and sample.labels == {"kind": kind}
    )


@pytest.fixture
def reconnect_afterwards():
    yield
    connection.close()


def assert_service_unavailable(response, message: str) -> None:
    assert response.status_code == 503
    body = response.json()
    assert body["success"] is False
    assert body["error"] == {"code": "SERVICE_UNAVAILABLE", "message": message}
    assert body["meta"]["request_id"] == response["X-Request-ID"]
    assert response["Retry-After"] == "5"


def test_a_terminated_database_connection_is_503_logged_once_without_traceback(
    api, caplog, settings, reconnect_afterwards
):
    assert api.get("/api/v1/customers").status_code == 200
    counted_before = database_errors_counted(settings, "unavailable")
    terminate_the_app_connection()
    with caplog.at_level(logging.WARNING):
        response = api.get("/api/v1/customers")
    assert_service_unavailable(response, "The database is unavailable; retry shortly")
    problems = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(problems) == 1, [record.getMessage() for record in problems]
    [warning] = problems
    assert warning.name == "beel.api"
    assert warning.exc_info is None
    assert warning.getMessage().startswith("Database unavailable serving GET /api/v1/customers: ")
    assert database_errors_counted(settings, "unavailable") - counted_before == 1


def test_a_write_interrupted_by_the_database_is_503_and_changes_nothing(api, account, reconnect_afterwards):
    api.get("/api/v1/customers")
    terminate_the_app_connection()
    response = api.post("/api/v1/customers", {"legal_name": "Nueva SL", "nif": "B12345674"}, format="json")
    assert_service_unavailable(response, "The database is unavailable; retry shortly")
    connection.close()
    assert not Customer.objects.filter(account=account).exists()


def test_a_query_past_the_statement_timeout_is_503(api, account, caplog, settings, reconnect_afterwards):
    customer = CustomerFactory(account=account)
    counted_before = database_errors_counted(settings, "statement_timeout")
    with connect_outside_django(connection.settings_dict["NAME"]) as holder:
        # Another transaction holds the customer's row, so deactivating it waits for the lock...
        holder.execute("SELECT 1 FROM customers_customer WHERE id = %s FOR UPDATE", [customer.pk])
        with connection.cursor() as cursor:
            # ...longer than this connection's statement timeout, made short so the test is quick.
            cursor.execute("SET statement_timeout = 300")
        with caplog.at_level(logging.WARNING):
            response = api.delete(f"/api/v1/customers/{customer.pk}")
        holder.rollback()
    assert_service_unavailable(response, "The database took too long to answer; retry shortly")
    [warning] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert warning.getMessage().startswith("Database statement timeout serving DELETE ")
    customer.refresh_from_db()
    assert customer.active
    assert database_errors_counted(settings, "statement_timeout") - counted_before == 1


def test_a_connection_is_judged_by_its_socket_before_reuse(reconnect_afterwards):
    """The health check Django runs before reusing a connection (CONN_HEALTH_CHECKS) sees a dropped one."""
    connection.ensure_connection()
    assert connection.is_usable()
    terminate_the_app_connection()
    assert not connection.is_usable()
