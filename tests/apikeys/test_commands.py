import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apikeys.models import ALL_SCOPES, APIKey

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def test_createapikey_prints_a_working_bearer_token_on_its_last_line():
    output = run("createapikey", "--user", "ana", "--name", "integration")
    raw_key = output.strip().splitlines()[-1]
    assert raw_key.startswith("beel_sk_")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/customers").status_code == 200
    key = APIKey.objects.get()
    assert key.account.username == "ana"
    assert key.name == "integration"
    assert sorted(key.scopes) == sorted(ALL_SCOPES)
    assert raw_key not in key.secret_hash


def test_createapikey_creates_the_account_without_a_usable_password():
    run("createapikey", "--user", "bea")
    assert not get_user_model().objects.get(username="bea").has_usable_password()


def test_createapikey_reuses_an_existing_account():
    user = get_user_model().objects.create_user("carla", password="x" * 12)
    run("createapikey", "--user", "carla")
    run("createapikey", "--user", "carla")
    assert APIKey.objects.filter(account=user).count() == 2


def test_createapikey_limits_scopes():
    raw_key = run("createapikey", "--user", "dani", "--scopes", "customers:read").strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/customers").status_code == 200
    assert client.post("/api/v1/customers", {}, format="json").status_code == 403


def test_createapikey_rejects_unknown_scopes_and_writes_nothing():
    with pytest.raises(CommandError, match="customers:delete"):
        run("createapikey", "--user", "eva", "--scopes", "customers:read,customers:delete")
    assert not APIKey.objects.exists()
    assert not get_user_model().objects.filter(username="eva").exists()


def test_revokeapikey_makes_the_key_unusable():
    raw_key = run("createapikey", "--user", "fer").strip().splitlines()[-1]
    key = APIKey.objects.get()
    output = run("revokeapikey", key.display_prefix)
    assert "Revoked" in output
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/customers").status_code == 401


def test_revokeapikey_with_unknown_prefix_fails():
    with pytest.raises(CommandError):
        run("revokeapikey", "nonexistent1")
