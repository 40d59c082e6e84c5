"""GET /healthz (the process answers) and GET /readyz (database, migrations, and the cache when one is
configured): JSON, 200 or 503 naming what failed, with no key, no rate limit and no access-log line."""

import logging
import socket

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from beel.ops import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_reports_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_readiness_costs_one_query_once_migrations_are_known_applied(client, django_assert_num_queries):
    client.get("/readyz")
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


def test_readiness_fails_while_a_migration_is_not_applied(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)  # a process that has not seen them all yet
    latest = MigrationRecorder.Migration.objects.filter(app="customers").order_by("-name").first()
    latest.delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["migrations"]
    assert response.json()["checks"]["migrations"] == "1 not applied"


def test_readiness_fails_when_the_configured_cache_does_not_answer(client, settings, closed_port):
    settings.CACHE_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["cache"]
    assert body["checks"] == {"database": "ok", "migrations": "ok", "cache": "unreachable"}


def test_readiness_checks_a_configured_cache_that_answers(client, settings):
    settings.CACHE_URL = "redis://127.0.0.1:6379/12"
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "ok"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_need_no_key_any_host_and_no_https(client, settings, path):
    settings.ALLOWED_HOSTS = ["api.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    # A load balancer calls an instance by its address, over plain HTTP.
    response = client.get(path, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200


def test_probes_are_not_rate_limited(client, settings):
    settings.RATE_LIMIT_GLOBAL = "2/min"
    settings.RATE_LIMIT_PER_RESOURCE = "2/min"
    assert {client.get("/readyz").status_code for _ in range(5)} == {200}


def test_probes_write_no_access_log_line_at_info(client, caplog, api):
    with caplog.at_level(logging.INFO):
        client.get("/healthz")
        client.get("/readyz")
        api.get("/api/v1/customers")
    access_lines = [record.getMessage() for record in caplog.records if record.name == "beel.access"]
    assert len(access_lines) == 1
    assert "/api/v1/customers" in access_lines[0]


def test_other_methods_on_a_probe_path_are_not_answered_as_probes(client):
    assert client.post("/healthz").status_code == 404
