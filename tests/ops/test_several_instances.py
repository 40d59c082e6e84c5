"""Two gunicorn instances, on different ports, against the same PostgreSQL database and the same Redis, as
two machines behind a load balancer would be: what one does, the other sees."""

import itertools
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from customers.models import Customer
from tests.factories import APIKeyFactory, CustomerFactory
from tests.ops.servers import ROOT, Gunicorn, database_url

pytestmark = [
    pytest.mark.postgres_only(reason="the instances share one database, which SQLite's in-memory test one cannot be"),
    pytest.mark.django_db(transaction=True),
]

PORTS = (18121, 18122)
REDIS = ("127.0.0.1", 6379)
RATE_LIMIT = 5
METRICS_TOKEN = "metrics-token-for-the-instance-tests-0123456789"
# As the TLS proxy in front would send them.
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture(scope="module")
def instances(django_db_setup, collected_static, tmp_path_factory):
    try:
        socket.create_connection(REDIS, timeout=2).close()
    except OSError:
        pytest.fail("Redis must answer on 127.0.0.1:6379 for the several-instances tests (.ci/run starts it)")
    environment = {
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-secret-for-the-instance-tests-0123456789-abcdefghijklmnopqrstu",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CACHE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/12",
        "STATIC_ROOT": str(collected_static),
        "TRUSTED_PROXY_COUNT": "1",
        "METRICS_TOKEN": METRICS_TOKEN,
        "RATE_LIMIT_PER_RESOURCE": f"{RATE_LIMIT}/hour",
        "RATE_LIMIT_GLOBAL": "10000/hour",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    # One instance of single-threaded workers, one of a worker with several threads.
    workers = [{"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "1"}, {"GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "4"}]
    logs = tmp_path_factory.mktemp("gunicorn")
    servers = [
        Gunicorn(port=port, env={**environment, **worker_model}, log_path=logs / f"{port}.log")
        for port, worker_model in zip(PORTS, workers, strict=True)
    ]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def api_headers(raw_key: str, **extra: str) -> dict[str, str]:
    return {**PROXIED, "Authorization": f"Bearer {raw_key}", "Content-Type": "application/json", **extra}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_on_both(instances, path):
    for server in instances:
        answer = server.request("GET", path)
        assert answer.status == 200, answer.body
        assert answer.json()["status"] == "ok"
    assert instances[0].request("GET", "/readyz").json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
    }


def test_static_files_answer_on_both_with_the_styled_admin_and_the_docs(instances):
    for server in instances:
        login = server.request("GET", "/admin/login/", headers=PROXIED)
        assert login.status == 200
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', login.body.decode())
        docs = server.request("GET", "/api/docs", headers=PROXIED)
        assert docs.status == 200
        assets += re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', docs.body.decode())
        assert any("/admin/css/base." in path for path in assets)
        assert any("swagger-ui-bundle." in path for path in assets)
        for path in assets:
            answer = server.request("GET", path, headers=PROXIED)
            assert answer.status == 200, path
            assert "immutable" in answer.headers["Cache-Control"]


def test_a_keys_rate_limit_is_shared_exactly_across_both(instances):
    for _attempt in range(2):
        api_key = APIKeyFactory()
        answers = [
            instances[i % 2].request("GET", "/api/v1/customers", headers=api_headers(api_key.raw_key))
            for i in range(2 * RATE_LIMIT)
        ]
        resets = [int(answer.headers["RateLimit-Reset"]) for answer in answers]
        # A fixed window that ended mid-sequence restarts the count: try once more with a fresh key.
        if all(later <= earlier for earlier, later in itertools.pairwise(resets)):
            break
    statuses = [answer.status for answer in answers]
    assert statuses.count(200) == RATE_LIMIT, statuses
    assert statuses.count(429) == RATE_LIMIT, statuses
    assert statuses[RATE_LIMIT:] == [429] * RATE_LIMIT
    assert answers[-1].json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"


def test_an_idempotency_key_retried_on_the_other_instance_replays(instances):
    api_key = APIKeyFactory()
    headers = api_headers(api_key.raw_key, **{"Idempotency-Key": f"create-{uuid.uuid4()}"})
    body = json.dumps({"legal_name": "Ferretería Núñez SL", "nif": "B12345674"})
    first = instances[0].request("POST", "/api/v1/customers", headers=headers, body=body)
    retry = instances[1].request("POST", "/api/v1/customers", headers=headers, body=body)
    assert first.status == 201, first.body
    assert retry.status == 201, retry.body
    assert retry.headers["Idempotency-Replay"] == "true"
    assert retry.json()["data"] == first.json()["data"]
    assert Customer.objects.filter(account=api_key.account).count() == 1


def test_a_customer_deactivated_through_one_is_inactive_through_the_other(instances):
    api_key = APIKeyFactory()
    customer = CustomerFactory(account=api_key.account)
    headers = api_headers(api_key.raw_key)
    assert instances[0].request("DELETE", f"/api/v1/customers/{customer.pk}", headers=headers).status == 200
    seen = instances[1].request("GET", f"/api/v1/customers/{customer.pk}", headers=headers)
    assert seen.status == 200
    assert seen.json()["data"]["active"] is False


def requests_counted(server, route: str) -> float:
    answer = server.request("GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(answer.body.decode())
        for sample in family.samples
        if sample.name == "beel_http_requests_total" and sample.labels["route"] == route
    )


def test_metrics_add_up_the_requests_of_every_worker(instances):
    server = instances[0]
    api_key = APIKeyFactory()
    before = requests_counted(server, "customer-list")
    for _ in range(4):
        server.request("GET", "/api/v1/customers", headers=api_headers(api_key.raw_key))
    # Two workers served these, each writing its own file; one scrape must see all of them.
    assert requests_counted(server, "customer-list") - before == 4
    assert server.request("GET", "/metrics").status == 404


def test_gunicorn_sends_no_banner_and_lets_the_app_answer_a_long_query_with_414(instances):
    server = instances[0]
    api_key = APIKeyFactory()
    # Past the app's 7 KiB, within the 8190 bytes of request line gunicorn reads.
    answer = server.request("GET", "/api/v1/customers?search=" + "a" * 7500, headers=api_headers(api_key.raw_key))
    assert answer.status == 414
    assert answer.json()["error"]["code"] == "URI_TOO_LONG"
    assert "Server" not in answer.headers
    assert "Server" not in server.request("GET", "/healthz").headers


def test_the_access_log_is_the_apps_with_the_forwarded_client_address(instances):
    server = instances[1]
    api_key = APIKeyFactory()
    answer = server.request("GET", "/api/v1/invoices", headers=api_headers(api_key.raw_key))
    request_id = answer.headers["X-Request-ID"]
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line.get("request_id") == request_id and line["logger"] == "beel.access"]
    assert access["client"] == "203.0.113.9"
    assert access["status"] == 200
    # gunicorn writes no access line of its own (its format would be `"GET /api/v1/invoices HTTP/1.1" 200`).
    assert not [line for line in server.log().splitlines() if 'HTTP/1.1" ' in line]


def administrator_connection() -> psycopg.Connection:
    settings_dict = connection.settings_dict
    return psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def test_a_database_outage_is_503_and_both_instances_recover_by_themselves(instances):
    api_key = APIKeyFactory()
    headers = api_headers(api_key.raw_key)
    for server in instances:
        assert server.request("GET", "/api/v1/customers", headers=headers).status == 200
    database = connection.settings_dict["NAME"]
    connection.ensure_connection()
    own_pid = connection.connection.info.backend_pid
    with administrator_connection() as admin:
        try:
            # The database refuses new connections and loses every existing one of the instances.
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                [database, own_pid],
            )
            outage = [server.request("GET", "/api/v1/customers", headers=headers) for server in instances]
            not_ready = [server.request("GET", "/readyz") for server in instances]
        finally:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')

    for server, answer, readiness in zip(instances, outage, not_ready, strict=True):
        assert answer.status == 503
        assert answer.headers["Retry-After"] == "5"
        assert answer.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert readiness.status == 503
        assert readiness.json()["failed"] == ["database"]
        request_id = answer.headers["X-Request-ID"]
        lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
        problems = [line for line in lines if line.get("request_id") == request_id and line["level"] != "INFO"]
        assert [line["level"] for line in problems] == ["WARNING"], problems
        assert "traceback" not in problems[0]
        assert "Traceback" not in server.log()

    # Back without a restart: the next requests reconnect (on another resource: this key has spent most of
    # its customers limit).
    for server in instances:
        for _ in range(2):
            assert server.request("GET", "/api/v1/invoices", headers=headers).status == 200
        assert server.request("GET", "/readyz").status == 200


def test_connections_the_database_dropped_are_replaced_before_a_request_gets_one(instances):
    """No health-check query per request, and still no failed request after PostgreSQL dropped the idle
    pooled connections (a restart, a failover, an operator's pg_terminate_backend)."""
    warming, after = APIKeyFactory(), APIKeyFactory()
    CustomerFactory(account=after.account)
    for server in instances:
        for _ in range(2):
            assert server.request("GET", "/api/v1/customers", headers=api_headers(warming.raw_key)).status == 200
    database = connection.settings_dict["NAME"]
    connection.ensure_connection()
    own_pid = connection.connection.info.backend_pid
    with administrator_connection() as admin:
        terminated = admin.execute(
            "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> %s AND backend_type = 'client backend'",
            [database, own_pid],
        ).fetchone()[0]
    assert terminated >= len(instances)
    for server in instances:
        for _ in range(2):
            answer = server.request("GET", "/api/v1/customers", headers=api_headers(after.raw_key))
            assert answer.status == 200, answer.body
            assert answer.json()["data"]["pagination"]["total_items"] == 1


def test_a_key_revoked_by_another_process_is_refused_by_every_worker_at_once(instances):
    """The workers keep a copy of the key (APIKEY_CACHE_SECONDS, 10 s by default); the revocation in another
    process reaches them through Redis before their next request."""
    api_key = APIKeyFactory()
    headers = api_headers(api_key.raw_key)
    for server in instances:
        for _ in range(2):  # the first instance has two workers
            assert server.request("GET", "/api/v1/customers", headers=headers).status == 200
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CACHE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/12",
    }
    revoked = subprocess.run(
        [sys.executable, "manage.py", "revokeapikey", api_key.prefix],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert revoked.returncode == 0, revoked.stderr
    for server in instances:
        for _ in range(2):
            answer = server.request("GET", "/api/v1/customers", headers=headers)
            assert answer.status == 401
            assert answer.json()["error"]["message"] == "API key has been revoked"


def test_a_copied_key_is_refused_by_every_worker_once_it_expires(instances):
    api_key = APIKeyFactory(expires_at=timezone.now() + timedelta(seconds=3))
    headers = api_headers(api_key.raw_key)
    for server in instances:
        for _ in range(2):
            assert server.request("GET", "/api/v1/customers", headers=headers).status == 200
    time.sleep(max(0.0, (api_key.expires_at - timezone.now()).total_seconds()) + 0.1)
    for server in instances:
        answer = server.request("GET", "/api/v1/customers", headers=headers)
        assert answer.status == 401
        assert answer.json()["error"]["message"] == "API key has expired"
