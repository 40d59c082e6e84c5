"""Abuse of the API through its keys: revoked during a session, forged secrets on a real prefix, and the
constant-time check of the secret.

Every test checks the status, the envelope and what the database holds afterwards."""

import hmac
import io

import pytest
from django.core.management import call_command

import apikeys.models
from apikeys.models import APIKey, hash_key
from customers.models import Customer
from tests.api.abuse import (
    CUSTOMERS,
    customer_url,
    database_state,
    forge_secret,
    revoke_with_model,
    unknown_key_like,
    valid_customer_body,
)
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def revoke_with_command(api_key) -> None:
    call_command("revokeapikey", api_key.display_prefix, stdout=io.StringIO())


@pytest.mark.parametrize("revoke", [revoke_with_model, revoke_with_command], ids=["APIKey.revoke", "revokeapikey"])
def test_key_revoked_during_a_session_is_refused_on_the_very_next_request(client_for, api_key, account, revoke):
    customer = CustomerFactory(account=account)
    session = client_for(api_key)
    assert_success(session.get(CUSTOMERS))
    assert_success(session.get(customer_url(customer.pk)))

    revoke(api_key)
    before = database_state()

    error = assert_error(session.get(CUSTOMERS), 401, "UNAUTHORIZED")
    assert "revoked" in error["message"]
    assert_error(session.delete(customer_url(customer.pk)), 401, "UNAUTHORIZED")
    assert_error(session.post(CUSTOMERS, valid_customer_body(), format="json"), 401, "UNAUTHORIZED")
    assert database_state() == before
    assert Customer.objects.get(pk=customer.pk).active is True


def test_other_keys_of_the_account_keep_working_after_one_is_revoked(client_for, api_key, account):
    other = APIKeyFactory(account=account)
    revoke_with_model(api_key)

    assert_error(client_for(api_key).get(CUSTOMERS), 401, "UNAUTHORIZED")
    assert_success(client_for(other).get(CUSTOMERS))


def test_right_prefix_with_wrong_secret_is_refused_exactly_like_an_unknown_key(client_for, api_key):
    forged = forge_secret(api_key)
    unknown = unknown_key_like(api_key)
    assert forged != api_key.raw_key and len(forged) == len(api_key.raw_key)

    forged_response = client_for(forged).get(CUSTOMERS)
    unknown_response = client_for(unknown).get(CUSTOMERS)

    forged_error = assert_error(forged_response, 401, "UNAUTHORIZED")
    unknown_error = assert_error(unknown_response, 401, "UNAUTHORIZED")
    assert forged_error == unknown_error
    assert forged_response["WWW-Authenticate"] == unknown_response["WWW-Authenticate"]
    assert forged_response.content.split(b'"meta"')[0] == unknown_response.content.split(b'"meta"')[0]


def test_wrong_secret_does_not_mark_the_key_as_used(client_for, api_key):
    assert_error(client_for(forge_secret(api_key)).get(CUSTOMERS), 401, "UNAUTHORIZED")

    assert APIKey.objects.get(pk=api_key.pk).last_used_at is None


@pytest.fixture
def compare_digest_calls(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        result = real(a, b)
        calls.append((a, b, result))
        return result

    monkeypatch.setattr(apikeys.models.hmac, "compare_digest", spy)
    return calls


def test_key_secret_is_checked_with_hmac_compare_digest(client_for, api_key, compare_digest_calls):
    stored = APIKey.objects.get(pk=api_key.pk).secret_hash
    forged = forge_secret(api_key)

    assert_success(client_for(api_key).get(CUSTOMERS))
    assert_error(client_for(forged).get(CUSTOMERS), 401, "UNAUTHORIZED")

    comparisons = [call for call in compare_digest_calls if stored in call[:2]]
    assert [sorted(call[:2]) for call in comparisons] == [
        sorted([stored, hash_key(api_key.raw_key)]),
        sorted([stored, hash_key(forged)]),
    ]
    assert [call[2] for call in comparisons] == [True, False]
