"""DB_POOL=true: a gunicorn instance whose processes borrow PostgreSQL connections from a psycopg pool
answers 503 while the database is gone and serves again once it is back, without a restart.

It did not (issue 28): the pool's check found the dropped connections but left them open, psycopg_pool put
a refused connection back when its status still said idle, and every request then spent its wait on those
same dead connections until it gave up: a 503 for as long as the process lived."""

import time

import pytest
from django.db import connection

from tests.factories import APIKeyFactory
from tests.ops.servers import database_url, direct_connection, one_instance

pytestmark = [
    pytest.mark.postgres_only(reason="the pool holds PostgreSQL connections"),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 2  # DB_CONNECT_TIMEOUT_SECONDS: also how long a request waits for a pooled connection
RECONNECT_SECONDS = 4  # DB_POOL_RECONNECT_TIMEOUT_SECONDS
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture(scope="module")
def pooled(django_db_setup, collected_static, tmp_path_factory):
    environment = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "DB_POOL": "true",
        "DB_POOL_MIN_SIZE": "2",
        "DB_CONNECT_TIMEOUT_SECONDS": str(WAIT_SECONDS),
        "DB_POOL_RECONNECT_TIMEOUT_SECONDS": str(RECONNECT_SECONDS),
        "STATIC_ROOT": str(collected_static),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    with one_instance(environment, tmp_path_factory.mktemp("gunicorn")) as server:
        yield server


def test_the_pool_serves_again_by_itself_after_a_database_outage(pooled):
    server, api_key = pooled, APIKeyFactory()
    headers = {**PROXIED, "Authorization": f"Bearer {api_key.raw_key}"}
    for _ in range(3):
        assert server.request("GET", "/api/v1/customers", headers=headers).status == 200
    database = connection.settings_dict["NAME"]
    connection.ensure_connection()
    own_pid = connection.connection.info.backend_pid
    with direct_connection(connection.settings_dict, "postgres") as admin:
        try:
            # The database refuses new connections and loses every connection of the pool.
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            terminated = admin.execute(
                "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> %s AND backend_type = 'client backend'",
                [database, own_pid],
            ).fetchone()[0]
            outage = server.request("GET", "/api/v1/customers", headers=headers)
        finally:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    assert terminated >= 1
    assert outage.status == 503, outage.body
    assert outage.json()["error"]["code"] == "SERVICE_UNAVAILABLE"

    # The pool retries in the background for RECONNECT_SECONDS, then the next request connects itself: past
    # that (and one wait), every request is served.
    deadline = time.monotonic() + RECONNECT_SECONDS + 2 * WAIT_SECONDS
    statuses = []
    while time.monotonic() < deadline and statuses[-1:] != [200]:
        statuses.append(server.request("GET", "/api/v1/customers", headers=headers).status)
    assert statuses[-1] == 200, statuses
    assert [server.request("GET", "/api/v1/customers", headers=headers).status for _ in range(4)] == [200] * 4
    assert server.request("GET", "/readyz").status == 200
