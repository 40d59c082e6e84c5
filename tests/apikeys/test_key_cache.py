"""With Redis, a process keeps a copy of a key it has read (APIKEY_CACHE_SECONDS), and every change to the
key or its account reaches it before the next request. Across processes: tests/ops/test_several_instances."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.models import APIKey
from beel.clock import clock
from tests.envelope import assert_error
from tests.factories import APIKeyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"


def key_reads(queries) -> int:
    return sum('"apikeys_apikey"' in query["sql"] and query["sql"].startswith("SELECT") for query in queries)


def test_a_key_read_once_is_not_read_again_on_the_next_requests(api, redis_cache):
    assert api.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert api.get(URL).status_code == 200
    assert key_reads(queries.captured_queries) == 0


def test_without_redis_the_key_is_read_on_every_request(api, settings):
    settings.APIKEY_CACHE_SECONDS = 10  # per-process memory: another process could revoke it unheard
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert api.get(URL).status_code == 200
    assert key_reads(queries.captured_queries) == 3


def test_when_redis_cannot_be_read_the_key_is_read_from_the_database(api, redis_cache, settings):
    assert api.get(URL).status_code == 200
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/9"}
    }
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL).status_code == 200
    assert key_reads(queries.captured_queries) == 1


def test_revocation_by_the_command_takes_effect_on_the_next_request(
    api, api_key, redis_cache, django_capture_on_commit_callbacks
):
    assert api.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction stands for the commit
        call_command("revokeapikey", api_key.prefix)
    error = assert_error(api.get(URL), 401, "UNAUTHORIZED")
    assert error["message"] == "API key has been revoked"
    assert APIKey.objects.get(pk=api_key.pk).revoked_at is not None


def test_an_expiry_moved_into_the_past_takes_effect_on_the_next_request(
    api, api_key, redis_cache, django_capture_on_commit_callbacks
):
    assert api.get(URL).status_code == 200
    api_key.expires_at = timezone.now() - timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        api_key.save()
    assert assert_error(api.get(URL), 401, "UNAUTHORIZED")["message"] == "API key has expired"


def test_a_key_that_expires_while_copied_is_refused_at_its_expiry(client_for, account, redis_cache):
    api = client_for(APIKeyFactory(account=account, expires_at=timezone.now() + timedelta(seconds=1)))
    assert api.get(URL).status_code == 200
    time.sleep(1.1)  # the row is unchanged: the copy's expiry is compared with the time on every request
    assert assert_error(api.get(URL), 401, "UNAUTHORIZED")["message"] == "API key has expired"


def test_disabling_the_account_takes_effect_on_the_next_request(
    api, account, redis_cache, django_capture_on_commit_callbacks
):
    assert api.get(URL).status_code == 200
    account.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        account.save()
    assert assert_error(api.get(URL), 401, "UNAUTHORIZED")["message"] == "Account is disabled"


def test_a_copy_is_read_again_after_its_time(api, redis_cache):
    clock.freeze()
    try:
        assert api.get(URL).status_code == 200
        clock.advance(10)
        with CaptureQueriesContext(connection) as queries:
            assert api.get(URL).status_code == 200
    finally:
        clock.unfreeze()
    assert key_reads(queries.captured_queries) == 1


def test_with_the_copy_each_request_counts_once_against_the_key_s_limits(
    api, api_key, redis_cache, settings, django_capture_on_commit_callbacks
):
    """The copy lets authentication check the rate limits in its own round trip to Redis; a request must
    still count exactly once, also when the copy turns out stale and the row is read again."""
    settings.RATE_LIMIT_PER_RESOURCE = "4/min"
    settings.RATE_LIMIT_GLOBAL = "5/min"
    assert api.get(URL)["RateLimit-Remaining"] == "3"  # the first request reads the row
    assert api.get(URL)["RateLimit-Remaining"] == "2"  # this one uses the copy
    with django_capture_on_commit_callbacks(execute=True):
        api_key.name = "renamed"
        api_key.save()  # a new generation once committed: the copy is stale
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL)["RateLimit-Remaining"] == "1"
    assert key_reads(queries.captured_queries) == 1
    assert api.get(URL)["RateLimit-Remaining"] == "0"
    refused = api.get(URL)
    assert refused.status_code == 429 and refused["RateLimit-Remaining"] == "0"
    # The whole-API limit counted the same five: one more elsewhere, then none.
    assert api.get("/api/v1/invoices").status_code == 200
    assert api.get("/api/v1/invoices").status_code == 429


def test_with_the_copy_a_request_refused_for_its_scope_is_not_counted(api, client_for, account, redis_cache, settings):
    """As without a copy (DRF runs the throttle after the permissions), a 403 uses none of the quota."""
    settings.RATE_LIMIT_PER_RESOURCE = "10/min"
    settings.RATE_LIMIT_GLOBAL = "3/min"
    reader = client_for(APIKeyFactory(account=account, scopes=["invoices:read"]))
    assert reader.get("/api/v1/invoices")["RateLimit-Remaining"] == "2"  # the key is now copied
    for _ in range(3):
        assert_error(reader.get(URL), 403, "INSUFFICIENT_SCOPE")
    assert reader.get("/api/v1/invoices")["RateLimit-Remaining"] == "1"


@pytest.fixture
def stopped_clock():
    clock.freeze(1_800_000_000.0)
    yield clock
    clock.unfreeze()


def test_with_the_copy_a_wrong_secret_uses_none_of_the_key_s_quota(api, api_key, client_for, redis_cache, settings):
    """Knowing a key's public prefix must not let anyone spend its quota: a request the copy does not
    authenticate is a 401 and counts against the address's failures only."""
    settings.RATE_LIMIT_PER_RESOURCE = "4/min"
    assert api.get(URL)["RateLimit-Remaining"] == "3"  # the key is now copied
    forged = client_for(f"beel_sk_live_{api_key.prefix}{'x' * 32}")
    for _ in range(3):
        assert_error(forged.get(URL), 401, "UNAUTHORIZED")
    assert api.get(URL)["RateLimit-Remaining"] == "2"


def test_with_the_copy_a_request_refused_for_its_address_s_failures_is_not_counted(
    api, api_key, client_for, redis_cache, settings, stopped_clock
):
    """A valid key from an address refused for its failed authentications is a 429 that uses none of the
    key's quota, as without the copy."""
    settings.RATE_LIMIT_PER_RESOURCE = "4/min"
    settings.RATE_LIMIT_FAILED_AUTH = "2/s"
    assert api.get(URL)["RateLimit-Remaining"] == "3"  # the key is now copied
    forged = client_for(f"beel_sk_live_{api_key.prefix}{'x' * 32}")
    for _ in range(2):
        assert_error(forged.get(URL), 401, "UNAUTHORIZED")
    for _ in range(3):
        assert_error(api.get(URL), 429, "RATE_LIMIT_EXCEEDED")  # the address is refused, the key too
    stopped_clock.advance(2)  # the failures age out; the key's minute does not
    assert api.get(URL)["RateLimit-Remaining"] == "2"
