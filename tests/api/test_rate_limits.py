"""Per-key rate limits: headers on every authenticated response, 429 RATE_LIMITED past a limit."""

import socket

import pytest
from django.core.cache import caches

from tests.factories import APIKeyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.RATE_LIMIT_PER_RESOURCE = "3/min"
    settings.RATE_LIMIT_GLOBAL = "5/min"


def test_every_authenticated_response_carries_the_rate_limit_headers(api, limits):
    response = api.get("/api/v1/customers")
    assert response.status_code == 200
    assert response["RateLimit-Limit"] == "3"
    assert response["RateLimit-Remaining"] == "2"
    assert 1 <= int(response["RateLimit-Reset"]) <= 60


def test_remaining_counts_down_and_errors_count_too(api, limits):
    assert api.get("/api/v1/customers")["RateLimit-Remaining"] == "2"
    assert api.get("/api/v1/customers/not-a-uuid")["RateLimit-Remaining"] == "1"


def test_past_the_limit_is_429_in_the_envelope_with_retry_after(api, limits):
    for _ in range(3):
        assert api.get("/api/v1/customers").status_code == 200
    response = api.get("/api/v1/customers")
    assert response.status_code == 429
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit-Remaining"] == "0"
    assert body["meta"]["request_id"] == response["X-Request-ID"]


def test_a_limited_write_changes_nothing(api, account, limits):
    for _ in range(3):
        api.get("/api/v1/customers")
    response = api.post("/api/v1/customers", {"legal_name": "Nueva SL", "nif": "B12345674"}, format="json")
    assert response.status_code == 429
    assert not account.customers.exists()


def test_the_per_resource_limit_leaves_other_resources_open(api, limits):
    for _ in range(3):
        api.get("/api/v1/customers")
    assert api.get("/api/v1/customers").status_code == 429
    response = api.get("/api/v1/invoices")
    assert response.status_code == 200
    # Five requests counted against the global limit of 5: it is now the tighter one, and shown.
    assert response["RateLimit-Limit"] == "5"
    assert response["RateLimit-Remaining"] == "0"


def test_the_global_limit_spans_resources(api, limits):
    for _ in range(3):
        api.get("/api/v1/customers")
    api.get("/api/v1/invoices")
    api.get("/api/v1/invoices")
    response = api.get("/api/v1/invoices")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMITED"


def test_limits_are_per_key(api, client_for, account, limits):
    for _ in range(4):
        api.get("/api/v1/customers")
    other_key = APIKeyFactory(account=account)
    assert client_for(other_key).get("/api/v1/customers").status_code == 200


def test_unauthenticated_requests_are_refused_before_counting(anonymous_client, limits):
    response = anonymous_client.get("/api/v1/customers")
    assert response.status_code == 401
    assert "RateLimit-Limit" not in response


def _redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_counts_are_shared_through_redis(api, limits, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}
    }
    caches["default"].clear()
    try:
        statuses = [api.get("/api/v1/customers").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
    finally:
        caches["default"].clear()
