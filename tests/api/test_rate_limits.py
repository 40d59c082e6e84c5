"""Per-key rate limits (BeeL 1.9.0's tiers by default): 429 RATE_LIMIT_EXCEEDED past a limit with
Retry-After and RateLimit-*, and (beel's extension) the RateLimit headers on every authenticated response."""

import logging
import runpy
import shutil
import socket
import subprocess
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from beel import settings as settings_module
from beel.api import throttling
from beel.clock import clock
from tests.factories import APIKeyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.RATE_LIMIT_PER_RESOURCE = "3/min"
    settings.RATE_LIMIT_GLOBAL = "5/min"


def test_the_defaults_are_beels_standard_and_global_tiers(monkeypatch):
    # The suite raises the limits (tests/conftest.py): the settings module is read again without them.
    monkeypatch.delenv("RATE_LIMIT_PER_RESOURCE", raising=False)
    monkeypatch.delenv("RATE_LIMIT_GLOBAL", raising=False)
    defaults = runpy.run_path(str(Path(settings_module.__file__)))
    assert throttling.parse_rate(defaults["RATE_LIMIT_PER_RESOURCE"]) == (300, 60)
    assert throttling.parse_rate(defaults["RATE_LIMIT_GLOBAL"]) == (1000, 60)


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
    assert body["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert 1 <= int(response["Retry-After"]) <= 60
    # BeeL's TooManyRequests: the three RateLimit headers, integers.
    assert response["RateLimit-Limit"] == "3"
    assert response["RateLimit-Remaining"] == "0"
    assert 1 <= int(response["RateLimit-Reset"]) <= 60
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
    # Four requests accepted against the global limit of 5 (the refused one is not counted): it is now the
    # tighter one, and shown.
    assert response["RateLimit-Limit"] == "5"
    assert response["RateLimit-Remaining"] == "1"


def test_the_global_limit_spans_resources(api, limits):
    for _ in range(3):
        api.get("/api/v1/customers")
    api.get("/api/v1/invoices")
    api.get("/api/v1/invoices")
    response = api.get("/api/v1/invoices")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"


def test_limits_are_per_key(api, client_for, account, limits):
    for _ in range(4):
        api.get("/api/v1/customers")
    other_key = APIKeyFactory(account=account)
    assert client_for(other_key).get("/api/v1/customers").status_code == 200


def test_unauthenticated_requests_are_refused_before_counting(anonymous_client, limits):
    response = anonymous_client.get("/api/v1/customers")
    assert response.status_code == 401
    assert "RateLimit-Limit" not in response


# --- the rolling window, on both stores ---------------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/9"


def _redis_is_up(port: int = 6379) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _use_redis(settings, url: str) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.fixture(params=["process", "redis"])
def store(request, settings):
    """Each rolling-window test runs on the per-process log and on Redis (keys are per API key, and every
    test has its own keys, so no test sees another's counts)."""
    if request.param == "redis":
        if not _redis_is_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        _use_redis(settings, REDIS_URL)
    return request.param


@pytest.fixture
def frozen_clock():
    clock.freeze(1_800_000_000.0)
    yield clock
    clock.unfreeze()


def test_the_window_rolls_sixty_seconds_after_each_request(api, limits, store, frozen_clock):
    assert api.get("/api/v1/customers").status_code == 200  # t=0
    frozen_clock.advance(20)
    assert api.get("/api/v1/customers").status_code == 200  # t=20
    frozen_clock.advance(20)
    assert api.get("/api/v1/customers").status_code == 200  # t=40
    frozen_clock.advance(19.9)
    refused = api.get("/api/v1/customers")  # t=59.9: three in the last 60 s
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    frozen_clock.advance(0.2)
    accepted = api.get("/api/v1/customers")  # t=60.1: the first has left the window, one slot is free
    assert accepted.status_code == 200
    assert accepted["RateLimit-Remaining"] == "0"
    assert accepted["RateLimit-Reset"] == "20"  # the request at t=20 is the next to leave


def test_no_burst_of_twice_the_limit_around_a_minute_boundary(api, limits, store, frozen_clock):
    frozen_clock.freeze(1_800_000_059.5)  # half a second before a clock minute turns
    assert [api.get("/api/v1/customers").status_code for _ in range(3)] == [200, 200, 200]
    frozen_clock.advance(1)  # the next clock minute: a fixed window would start counting again
    assert api.get("/api/v1/customers").status_code == 429


def test_retry_after_says_when_the_oldest_request_leaves_the_window(api, limits, store, frozen_clock):
    for _ in range(3):
        api.get("/api/v1/customers")
    frozen_clock.advance(45)
    response = api.get("/api/v1/customers")
    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    frozen_clock.advance(15)
    assert api.get("/api/v1/customers").status_code == 200


def test_a_refused_request_does_not_use_up_the_quota(api, limits, store, frozen_clock):
    for _ in range(3):
        api.get("/api/v1/customers")
    for _ in range(10):
        assert api.get("/api/v1/customers").status_code == 429
    frozen_clock.advance(60)
    assert [api.get("/api/v1/customers").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_counts_are_shared_through_redis(api, limits, settings, frozen_clock):
    if not _redis_is_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    _use_redis(settings, REDIS_URL)
    assert [api.get("/api/v1/customers").status_code for _ in range(2)] == [200, 200]
    # Another process, with its own memory, sees the same counts: the state is in Redis only.
    throttling.local_store.reset()
    assert [api.get("/api/v1/customers").status_code for _ in range(2)] == [200, 429]


# --- exact under concurrency (real threads) -----------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["process", "redis"])
def test_exactly_the_limit_passes_under_concurrency(settings, backend, frozen_clock):
    if backend == "redis":
        if not _redis_is_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        _use_redis(settings, REDIS_URL)
    settings.RATE_LIMIT_PER_RESOURCE = "100/min"
    raw_key = APIKeyFactory().raw_key

    def request_once(_):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
            return client.get("/api/v1/customers?limit=1").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = Counter(pool.map(request_once, range(300)))
    assert statuses == {200: 100, 429: 200}


# --- Redis down: fail open, log once, recover -------------------------------------------------------------


def test_with_redis_unreachable_requests_are_served_without_limits_and_logged_once(
    api, limits, settings, frozen_clock, caplog
):
    _use_redis(settings, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="beel.api"):
        responses = [api.get("/api/v1/customers") for _ in range(5)]  # more than the limit of 3
        assert [response.status_code for response in responses] == [200] * 5
        assert all("RateLimit-Limit" not in response for response in responses)
        assert len([r for r in caplog.records if "Rate-limit counters unreachable" in r.message]) == 1
        frozen_clock.advance(61)
        api.get("/api/v1/customers")
        assert len([r for r in caplog.records if "Rate-limit counters unreachable" in r.message]) == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if _redis_is_up(port):
            return server
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("redis-server did not start")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary")
def test_limits_come_back_by_themselves_when_redis_returns(api, limits, settings, frozen_clock):
    port = _free_port()
    _use_redis(settings, f"redis://127.0.0.1:{port}/0")
    server = _start_redis(port)
    try:
        assert api.get("/api/v1/customers")["RateLimit-Remaining"] == "2"
        server.kill()
        server.wait(timeout=10)
        down = api.get("/api/v1/customers")
        assert down.status_code == 200 and "RateLimit-Limit" not in down
        server = _start_redis(port)  # an empty Redis: the counts start again
        back = api.get("/api/v1/customers")
        assert back.status_code == 200
        assert back["RateLimit-Remaining"] == "2"
    finally:
        server.kill()
        server.wait(timeout=10)


# --- failed authentication per client address --------------------------------------------------------------


@pytest.fixture
def failed_auth_limit(settings):
    settings.RATE_LIMIT_FAILED_AUTH = "3/min"


def _unique_address() -> str:
    """A client address no other test (nor an earlier run, whose failures Redis may still hold) used."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def _wrong_key_client(address: str) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION="Bearer beel_sk_live_" + "x" * 43)
    return client


def test_failed_authentication_is_limited_per_client_address(failed_auth_limit, store, frozen_clock, api_key):
    address = _unique_address()
    guesser = _wrong_key_client(address)
    assert [guesser.get("/api/v1/customers").status_code for _ in range(3)] == [401, 401, 401]
    refused = guesser.get("/api/v1/customers")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert "failed authentication" in refused.json()["error"]["message"]
    assert refused["Retry-After"] == "60"
    assert (refused["RateLimit-Limit"], refused["RateLimit-Remaining"]) == ("3", "0")
    assert refused["RateLimit-Reset"] == "60"
    # While it lasts, even a right key from that address waits: the limit must not tell guesses apart.
    blocked = APIClient(REMOTE_ADDR=address)
    blocked.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key.raw_key}")
    assert blocked.get("/api/v1/customers").status_code == 429
    # Other addresses are not affected.
    assert _wrong_key_client(_unique_address()).get("/api/v1/customers").status_code == 401
    frozen_clock.advance(60)
    assert guesser.get("/api/v1/customers").status_code == 401


def test_successful_authentication_is_not_counted_as_a_failure(failed_auth_limit, frozen_clock, api_key):
    client = APIClient(REMOTE_ADDR=_unique_address())
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key.raw_key}")
    assert [client.get("/api/v1/customers").status_code for _ in range(5)] == [200] * 5
