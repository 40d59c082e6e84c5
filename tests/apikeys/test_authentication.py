"""Bearer API keys: every failure mode is a 401 with WWW-Authenticate; scopes and accounts are enforced."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.models import APIKey
from tests.envelope import assert_error
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def assert_unauthorized(response) -> dict:
    error = assert_error(response, 401, "UNAUTHORIZED")
    assert response["WWW-Authenticate"].startswith("Bearer")
    return error


def test_valid_key_is_accepted(api):
    assert api.get("/api/v1/customers").status_code == 200


def test_missing_header_is_unauthorized(anonymous_client):
    assert_unauthorized(anonymous_client.get("/api/v1/customers"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token beel_sk_" + "a" * 43,
        "Bearer beel_sk_short",
        "Bearer sk_live_" + "a" * 43,
        "Bearer beel_sk_" + "!" * 43,
        "Bearer beel_sk_" + "a" * 43 + " extra",
    ],
)
def test_malformed_authorization_header_is_unauthorized(anonymous_client, header):
    assert_unauthorized(anonymous_client.get("/api/v1/customers", HTTP_AUTHORIZATION=header))


def test_non_ascii_authorization_header_is_unauthorized(anonymous_client):
    response = anonymous_client.get(
        "/api/v1/customers", HTTP_AUTHORIZATION="Bearer beel_sk_ñññ".encode().decode("latin-1")
    )
    assert_unauthorized(response)


def test_unknown_key_is_unauthorized(client_for):
    assert_unauthorized(client_for("beel_sk_" + "A" * 43).get("/api/v1/customers"))


def test_right_prefix_wrong_secret_is_unauthorized(client_for, api_key):
    forged = api_key.raw_key[:-4] + ("AAAA" if not api_key.raw_key.endswith("AAAA") else "BBBB")
    error = assert_unauthorized(client_for(forged).get("/api/v1/customers"))
    assert error["message"] == "Invalid API key"


def test_revoked_key_is_unauthorized(client_for, api_key):
    api_key.revoke()
    error = assert_unauthorized(client_for(api_key).get("/api/v1/customers"))
    assert "revoked" in error["message"]


def test_expired_key_is_unauthorized(client_for, account):
    key = APIKeyFactory(account=account, expires_at=timezone.now() - timedelta(seconds=1))
    error = assert_unauthorized(client_for(key).get("/api/v1/customers"))
    assert "expired" in error["message"]


def test_key_not_yet_expired_is_accepted(client_for, account):
    key = APIKeyFactory(account=account, expires_at=timezone.now() + timedelta(days=1))
    assert client_for(key).get("/api/v1/customers").status_code == 200


def test_key_of_disabled_account_is_unauthorized(client_for, api_key):
    api_key.account.is_active = False
    api_key.account.save()
    assert_unauthorized(client_for(api_key).get("/api/v1/customers"))


def test_key_is_stored_only_as_a_hash(api_key):
    row = APIKey.objects.filter(pk=api_key.pk).values().get()
    raw_secret = api_key.raw_key.removeprefix("beel_sk_")
    for value in row.values():
        assert api_key.raw_key not in str(value)
        assert raw_secret not in str(value)
    assert len(row["secret_hash"]) == 64
    assert api_key.raw_key.startswith("beel_sk_")
    assert len(raw_secret) >= 32


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("get", "/api/v1/customers", "customers:read"),
        ("post", "/api/v1/customers", "customers:write"),
        ("delete", "/api/v1/customers/bulk?ids=00000000-0000-0000-0000-000000000000", "customers:write"),
        ("delete", "/api/v1/customers/00000000-0000-0000-0000-000000000000", "customers:write"),
    ],
)
def test_key_without_the_endpoint_scope_is_forbidden_naming_the_scope(client_for, account, method, path, scope):
    other_scopes = [s for s in ["customers:read", "customers:write", "invoices:read", "invoices:write"] if s != scope]
    key = APIKeyFactory(account=account, scopes=other_scopes)
    error = assert_error(getattr(client_for(key), method)(path, format="json"), 403, "INSUFFICIENT_SCOPE")
    assert scope in error["message"]


def test_read_scope_alone_cannot_deactivate(client_for, account):
    customer = CustomerFactory(account=account)
    key = APIKeyFactory(account=account, scopes=["customers:read"])
    response = client_for(key).delete(f"/api/v1/customers/{customer.pk}")
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.active is True


def test_another_accounts_customer_is_not_found_and_invisible(api):
    stranger = CustomerFactory(account=AccountFactory())
    assert api.get(f"/api/v1/customers/{stranger.pk}").status_code == 404
    assert api.delete(f"/api/v1/customers/{stranger.pk}").status_code == 404
    listed = api.get("/api/v1/customers").json()["data"]
    assert listed["customers"] == [] and listed["pagination"]["total_items"] == 0
    stranger.refresh_from_db()
    assert stranger.active is True


def test_last_used_at_is_recorded_and_not_rewritten_within_a_minute(api, api_key):
    CustomerFactory(account=api_key.account)
    assert api_key.last_used_at is None
    api.get("/api/v1/customers")
    api_key.refresh_from_db()
    first_use = api_key.last_used_at
    assert first_use is not None
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/customers")
    writes = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    assert writes == []
    api_key.refresh_from_db()
    assert api_key.last_used_at == first_use


def test_last_used_at_is_refreshed_after_a_minute(api, api_key):
    stale = timezone.now() - timedelta(minutes=5)
    APIKey.objects.filter(pk=api_key.pk).update(last_used_at=stale)
    api.get("/api/v1/customers")
    api_key.refresh_from_db()
    assert api_key.last_used_at > stale
