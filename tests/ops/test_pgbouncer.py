"""The service through a real PgBouncer in transaction pooling mode (DATABASE_POOLER=pgbouncer): every
transaction may get another server connection, so nothing may rely on session state. A gunicorn instance
started as operators start it, its DATABASE_URL pointing at PgBouncer, serves lists, writes, bulk writes,
an import, a streamed export longer than one fetch of its server-side cursor, concurrent updates of one row,
invoice numbering (counters and their triggers) and the statement timeout, which the database (not the
connection) sets (docs/deploy.md, "PgBouncer")."""

import json
import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection, transaction

from customers.models import Customer
from invoices.models import Invoice
from tests.factories import APIKeyFactory, CustomerFactory, valid_dni
from tests.ops import servers
from tests.ops.servers import ROOT, one_instance

pytestmark = [
    pytest.mark.postgres_only(reason="PgBouncer pools PostgreSQL connections"),
    pytest.mark.django_db(transaction=True),
]

STATEMENT_TIMEOUT_MS = 1500
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def direct_connection(dbname: str) -> psycopg.Connection:
    return servers.direct_connection(connection.settings_dict, dbname)


@pytest.fixture(scope="module")
def through_pgbouncer(django_db_setup, collected_static, pgbouncer, tmp_path_factory):
    database = connection.settings_dict["NAME"]
    with direct_connection("postgres") as admin:
        # What the operator does for the application's role (ALTER ROLE beel SET statement_timeout): the
        # role here is the shared `postgres`, so the test database carries it instead.
        admin.execute(f"ALTER DATABASE \"{database}\" SET statement_timeout = '{STATEMENT_TIMEOUT_MS}ms'")
    environment = {
        "DATABASE_URL": pgbouncer.url(database),
        "DATABASE_POOLER": "pgbouncer",
        # Ignored through PgBouncer: the database's own setting above applies.
        "DB_STATEMENT_TIMEOUT_MS": "60000",
        "STATIC_ROOT": str(collected_static),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        "LOG_FORMAT": "json",
    }
    try:
        with one_instance(environment, tmp_path_factory.mktemp("gunicorn")) as server:
            yield server
    finally:
        with direct_connection("postgres") as admin:
            admin.execute(f'ALTER DATABASE "{database}" RESET statement_timeout')


def headers(api_key, **extra) -> dict[str, str]:
    return {**PROXIED, "Authorization": f"Bearer {api_key.raw_key}", "Content-Type": "application/json", **extra}


def transactions_pooled(pgbouncer) -> int:
    database = connection.settings_dict["NAME"]
    return sum(row["total_xact_count"] for row in pgbouncer.admin("SHOW STATS") if row["database"] == database)


def test_customers_are_created_listed_and_deactivated_in_bulk_through_pgbouncer(through_pgbouncer, pgbouncer):
    server, api_key = through_pgbouncer, APIKeyFactory()
    pooled_before = transactions_pooled(pgbouncer)
    created = []
    for n in range(3):
        body = json.dumps({"legal_name": f"Pasarela {n} SL", "nif": valid_dni(900 + n)})
        answer = server.request("POST", "/api/v1/customers", headers=headers(api_key), body=body)
        assert answer.status == 201, answer.body
        created.append(answer.json()["data"]["id"])
    # More than psycopg's prepare threshold (5) of the same statements: none is prepared on a server
    # connection that the next transaction would not get.
    for _ in range(7):
        listed = server.request("GET", "/api/v1/customers", headers=headers(api_key))
        assert listed.status == 200, listed.body
        assert listed.json()["data"]["pagination"]["total_items"] == 3
    ids = ",".join(created[:2])
    deleted = server.request("DELETE", f"/api/v1/customers/bulk?ids={ids}", headers=headers(api_key))
    assert deleted.status == 200, deleted.body
    assert set(Customer.objects.filter(account=api_key.account, active=True).values_list("pk", flat=True)) == {
        uuid.UUID(created[2])
    }
    assert transactions_pooled(pgbouncer) - pooled_before >= 13
    ready = server.request("GET", "/readyz")
    assert ready.status == 200, ready.body
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["migrations"] == "ok"


def multipart(field: str, filename: str, content: bytes, **form: str) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_an_import_then_an_export_longer_than_one_cursor_fetch_through_pgbouncer(through_pgbouncer):
    server, api_key = through_pgbouncer, APIKeyFactory()
    for batch in range(5):
        customers = [
            {"legal_name": f"Lote {batch}-{n} SL", "nif": valid_dni(10_000 + batch * 500 + n)} for n in range(500)
        ]
        answer = server.request(
            "POST", "/api/v1/customers/bulk", headers=headers(api_key), body=json.dumps({"customers": customers})
        )
        assert answer.status == 201, answer.body[:500]
    lines = ["Razón social;NIF;Email;Teléfono;Ciudad;Provincia", "Importada SL;A58818501;;;Cádiz;Cádiz"]
    content_type, body = multipart("file", "clientes.csv", "\r\n".join(lines).encode() + b"\r\n", dry_run="false")
    imported = server.request(
        "POST",
        "/api/v1/customers/import-csv-preview",
        headers={**headers(api_key), "Content-Type": content_type},
        body=body,
    )
    assert imported.status == 200, imported.body
    assert imported.json()["data"]["statistics"]["imported"] == 1

    # 2,501 rows: the export's server-side cursor (inside its transaction) is fetched from twice.
    exported = server.request("GET", "/api/v1/customers/export", headers=headers(api_key))
    assert exported.status == 200, exported.body[:500]
    assert exported.headers["X-Total-Rows"] == "2501"
    rows = exported.body.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + 2501
    assert sum("Importada SL" in row for row in rows) == 1


def test_concurrent_updates_of_one_customer_all_apply_under_its_row_lock(through_pgbouncer):
    server, api_key = through_pgbouncer, APIKeyFactory()
    customer = CustomerFactory(account=api_key.account)

    def update(n: int) -> int:
        body = json.dumps({"notes": f"nota {n}"})
        return server.request("PATCH", f"/api/v1/customers/{customer.pk}", headers=headers(api_key), body=body).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(update, range(16)))
    assert statuses == [200] * 16
    customer.refresh_from_db()
    assert customer.notes in {f"nota {n}" for n in range(16)}


def test_invoices_are_numbered_without_gaps_through_pgbouncer(through_pgbouncer):
    server, api_key = through_pgbouncer, APIKeyFactory()
    customer = CustomerFactory(account=api_key.account)
    numbers = []
    for _ in range(3):
        body = json.dumps({"customer_id": str(customer.pk)})
        draft = server.request("POST", "/api/v1/invoices", headers=headers(api_key), body=body)
        assert draft.status == 201, draft.body
        issue = f"/api/v1/invoices/{draft.json()['data']['id']}/issue"
        issued = server.request("POST", issue, headers=headers(api_key))
        assert issued.status == 200, issued.body
        numbers.append(issued.json()["data"]["number"])
    assert numbers == [1, 2, 3]
    assert sorted(Invoice.objects.filter(customer=customer).values_list("number", flat=True)) == [1, 2, 3]


def test_a_statement_past_the_databases_timeout_is_cancelled_and_answered_503(through_pgbouncer):
    server, api_key = through_pgbouncer, APIKeyFactory()
    customer = CustomerFactory(account=api_key.account)
    with direct_connection(connection.settings_dict["NAME"]) as locker, locker.transaction():
        # Holds the row: the request's UPDATE waits for it until the statement timeout cancels it.
        locker.execute("SELECT 1 FROM customers_customer WHERE id = %s FOR UPDATE", [customer.pk])
        body = json.dumps({"notes": "bloqueada"})
        answer = server.request("PATCH", f"/api/v1/customers/{customer.pk}", headers=headers(api_key), body=body)
    assert answer.status == 503, answer.body
    assert answer.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    customer.refresh_from_db()
    assert customer.notes != "bloqueada"
    # The pooled server connections are fine afterwards.
    assert server.request("GET", f"/api/v1/customers/{customer.pk}", headers=headers(api_key)).status == 200


def test_migrate_refuses_to_run_through_pgbouncer(through_pgbouncer, pgbouncer):
    database = connection.settings_dict["NAME"]
    environment = {**os.environ, "DATABASE_URL": pgbouncer.url(database), "DATABASE_POOLER": "pgbouncer"}
    refused = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode != 0
    assert "migrate runs directly against PostgreSQL" in refused.stderr


def test_through_pgbouncer_iterator_holds_a_server_side_cursor_only_inside_a_transaction(monkeypatch):
    """Outside a transaction Django declares the cursor WITH HOLD, which outlives its transaction on a server
    connection PgBouncer then gives to another client: there the rows come from a plain cursor instead."""
    monkeypatch.setitem(connection.settings_dict, "POOLER", "pgbouncer")
    CustomerFactory.create_batch(3)

    def open_cursors() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_django_curs_%'")
            return cursor.fetchone()[0]

    rows = Customer.objects.order_by("pk").iterator(chunk_size=1)
    next(rows)
    assert open_cursors() == 0
    assert len(list(rows)) == 2
    with transaction.atomic():
        rows = Customer.objects.order_by("pk").iterator(chunk_size=1)
        next(rows)
        assert open_cursors() == 1
        assert len(list(rows)) == 2
