"""Read replicas against real servers: the primary, a streaming replica of it (tests/ops/replica.py) and the
service under gunicorn with DATABASE_URL=primary and DATABASE_REPLICA_URLS=replica, sharing Redis (database 12)
for read-your-writes.

How a test knows where a read went: with the replica's replay paused (`pg_wal_replay_pause()`), a row written
on the primary exists there and not on the replica, so an answer that shows it came from the primary and one
that does not came from the replica."""

import json
import re
import socket
import time
from urllib.parse import quote, urlencode

import pytest
from django.db import connection
from django.test import Client

from customers.models import Customer
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory
from tests.ops.replica import free_port
from tests.ops.servers import Gunicorn, database_url

pytestmark = [
    pytest.mark.postgres_only(reason="a streaming replica is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

REDIS = ("127.0.0.1", 6379)
# One instance that uses the replica however far behind it is, one that gives up on it past one second.
PATIENT_LAG_SECONDS, STRICT_LAG_SECONDS = 3600, 1
POLL_SECONDS = 30


@pytest.fixture(scope="module")
def servers(streaming_replica, collected_static, tmp_path_factory, settings_for_servers):
    try:
        socket.create_connection(REDIS, timeout=2).close()
    except OSError:
        pytest.fail("Redis must answer on 127.0.0.1:6379 for the read-replica tests (.ci/run starts it)")
    environment = {
        **settings_for_servers,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DATABASE_REPLICA_URLS": streaming_replica.url(connection.settings_dict["NAME"]),
        # Asked on every request: each answer reflects the replica's state at that moment.
        "DATABASE_REPLICA_CHECK_SECONDS": "0",
        "CACHE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/12",
        "STATIC_ROOT": str(collected_static),
        "SECURE_SSL_REDIRECT": "false",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "RATE_LIMIT_PER_RESOURCE": "100000/hour",
        "RATE_LIMIT_GLOBAL": "100000/hour",
    }
    logs = tmp_path_factory.mktemp("gunicorn-replicas")
    started = []
    try:
        for name, lag in (("patient", PATIENT_LAG_SECONDS), ("strict", STRICT_LAG_SECONDS)):
            server = Gunicorn(
                port=free_port(),
                env={**environment, "DATABASE_REPLICA_MAX_LAG_SECONDS": str(lag)},
                log_path=logs / f"{name}.log",
            )
            server.start()
            started.append(server)
        yield dict(zip(("patient", "strict"), started, strict=True))
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="module")
def settings_for_servers(django_db_setup):
    from django.conf import settings

    # The test process's secret: a staff session made here (force_login) is valid there.
    return {"DEBUG": "false", "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1", "LOG_FORMAT": "json"}


@pytest.fixture
def replica(streaming_replica):
    """The replica, caught up with the primary; left streaming, replaying and running whatever the test did."""
    streaming_replica.catch_up()
    yield streaming_replica
    if streaming_replica.directory is not None and not (streaming_replica.data / "postmaster.pid").exists():
        streaming_replica.start()
    streaming_replica.resume_replay()


def headers(api_key) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key.raw_key}", "Content-Type": "application/json"}


def listed_ids(server, api_key) -> set[str]:
    answer = server.request("GET", "/api/v1/customers?limit=100", headers=headers(api_key))
    assert answer.status == 200, answer.body
    return {row["id"] for row in answer.json()["data"]["customers"]}


def poll(condition, what: str):
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        outcome = condition()
        if outcome:
            return outcome
        time.sleep(0.1)
    raise AssertionError(f"not within {POLL_SECONDS}s: {what}")


def test_a_key_reads_its_own_write_at_once_while_other_keys_read_the_replica(servers, replica):
    account = AccountFactory()
    writer, reader = APIKeyFactory(account=account), APIKeyFactory(account=account)
    server = servers["patient"]
    replica.catch_up()
    replica.pause_replay()
    body = json.dumps({"legal_name": "Ferretería Núñez SL", "nif": "B12345674"})
    created = server.request("POST", "/api/v1/customers", headers=headers(writer), body=body)
    assert created.status == 201, created.body
    customer_id = created.json()["data"]["id"]
    assert Customer.objects.filter(account=account, pk=customer_id).exists()

    # The writer, at once: from the primary (the replica cannot have it).
    assert server.request("GET", f"/api/v1/customers/{customer_id}", headers=headers(writer)).status == 200
    assert customer_id in listed_ids(server, writer)
    # Another key of the same account: from the replica, which has not replayed it.
    assert server.request("GET", f"/api/v1/customers/{customer_id}", headers=headers(reader)).status == 404
    assert customer_id not in listed_ids(server, reader)

    replica.resume_replay()
    replica.catch_up()
    assert customer_id in listed_ids(server, reader)
    # Once the replica has replayed the writer's write, the writer reads from the replica again: a row written
    # on the primary by someone else while replay is paused again is not in its list.
    replica.pause_replay()
    elsewhere = CustomerFactory(account=account)
    assert str(elsewhere.pk) not in listed_ids(server, writer)
    assert str(elsewhere.pk) not in listed_ids(server, reader)


def test_an_export_and_a_cursor_walk_read_the_replica(servers, replica):
    api_key = APIKeyFactory()
    server = servers["patient"]
    first, kept = (CustomerFactory(account=api_key.account, legal_name=name) for name in ("Primera SL", "Replicada SL"))
    replica.catch_up()
    start = server.request("GET", "/api/v1/customers?limit=1&sort_by=legal_name", headers=headers(api_key))
    assert [row["id"] for row in start.json()["data"]["customers"]] == [str(first.pk)]
    cursor = start.json()["data"]["pagination"]["next_cursor"]
    replica.pause_replay()
    unseen = CustomerFactory(account=api_key.account, legal_name="Solo En El Primario SL")

    export = server.request("GET", "/api/v1/customers/export", headers=headers(api_key) | {"Accept": "text/csv"})
    assert export.status == 200, export.body
    assert "Replicada SL" in export.body.decode()
    assert "Solo En El Primario SL" not in export.body.decode()
    walk_path = f"/api/v1/customers?limit=10&sort_by=legal_name&cursor={quote(cursor)}"
    walk = server.request("GET", walk_path, headers=headers(api_key))
    assert walk.status == 200, walk.body
    assert [row["id"] for row in walk.json()["data"]["customers"]] == [str(kept.pk)]
    assert Customer.objects.filter(pk=unseen.pk).exists()


def test_reads_go_to_the_primary_once_the_replica_lags_past_the_limit(servers, replica):
    api_key = APIKeyFactory()
    replica.pause_replay()
    written = str(CustomerFactory(account=api_key.account).pk)

    # The strict instance gives the replica up once it is more than a second behind: the row appears.
    poll(lambda: written in listed_ids(servers["strict"], api_key), "the strict instance reading the primary")
    readiness = servers["strict"].request("GET", "/readyz")
    assert readiness.status == 200
    assert re.fullmatch(r"lagging \d+s", readiness.json()["replicas"]["replica_1"]), readiness.json()
    # The patient one still reads the paused replica, which does not have it.
    assert written not in listed_ids(servers["patient"], api_key)

    replica.resume_replay()
    poll(
        lambda: servers["strict"].request("GET", "/readyz").json()["replicas"] == {"replica_1": "ok"},
        "the strict instance using the replica again",
    )


def test_stopping_the_replica_keeps_every_request_answering(servers, replica):
    api_key = APIKeyFactory()
    before = str(CustomerFactory(account=api_key.account).pk)
    replica.catch_up()
    for server in servers.values():
        assert before in listed_ids(server, api_key)

    replica.stop()
    after = str(CustomerFactory(account=api_key.account).pk)
    for server in servers.values():
        for _ in range(4):  # every thread of the instance, each with its own (now dead) replica connection
            assert listed_ids(server, api_key) == {before, after}
            answer = server.request("GET", f"/api/v1/customers/{after}", headers=headers(api_key))
            assert answer.status == 200, answer.body
        readiness = server.request("GET", "/readyz")
        assert readiness.status == 200, readiness.body
        assert readiness.json()["status"] == "ok"
        assert readiness.json()["replicas"] == {"replica_1": "unreachable"}

    replica.start()
    poll(
        lambda: servers["patient"].request("GET", "/readyz").json()["replicas"] == {"replica_1": "ok"},
        "the replica back in use",
    )


def test_readyz_reports_a_healthy_replica_beside_its_checks(servers, replica):
    answer = servers["patient"].request("GET", "/readyz")
    assert answer.status == 200
    assert answer.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok"},
        "replicas": {"replica_1": "ok"},
    }


def test_a_staff_members_changelist_reads_the_replica_until_they_write(servers, replica, admin_user):
    browser = Client()
    browser.force_login(admin_user)
    session = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    server = servers["patient"]
    target = CustomerFactory(legal_name="Desactivada Por El Personal SL")
    replica.catch_up()
    replica.pause_replay()
    unseen = CustomerFactory(legal_name="Escrita Con La Réplica En Pausa SL")

    changelist = server.request("GET", "/admin/customers/customer/", headers=session)
    assert changelist.status == 200, changelist.body[:500]
    assert "Escrita Con La Réplica En Pausa SL" not in changelist.body.decode()
    # Only changelists go to a replica: a customer's own page is read from the primary.
    assert server.request("GET", f"/admin/customers/customer/{unseen.pk}/change/", headers=session).status == 200

    # The staff member writes (deactivates a customer): their next changelist comes from the primary.
    csrf = re.search(r"csrftoken=([^;]+)", "; ".join(changelist.headers.get_all("Set-Cookie"))).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', changelist.body.decode()).group(1)
    form = urlencode(
        {"action": "deactivate_selected", "_selected_action": target.pk, "post": "yes", "csrfmiddlewaretoken": token}
    )
    done = server.request(
        "POST",
        "/admin/customers/customer/",
        headers={
            "Cookie": f"{session['Cookie']}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=form,
    )
    assert done.status == 302, done.body[:500]
    target.refresh_from_db()
    assert target.active is False
    after = server.request("GET", "/admin/customers/customer/", headers=session)
    assert "Escrita Con La Réplica En Pausa SL" in after.body.decode()
