"""/api/v1/webhook-endpoints: managed per account and mode, secret shown once and rotatable, scopes, and
the URLs that are refused (server-side request forgery)."""

import pytest

from apikeys.models import Scope
from tests.factories import APIKeyFactory
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook-endpoints"
PUBLIC_HTTPS = "https://8.8.8.8/hooks/beel"  # an IP literal: public, and needs no DNS in the test


def create(client, url, **extra):
    return client.post(URL, {"url": url, **extra}, format="json")


def test_create_shows_the_secret_once(api, account):
    response = create(api, PUBLIC_HTTPS, description="ERP")
    assert response.status_code == 201, response.content
    created = response.json()["data"]
    assert created["secret"].startswith("whsec_")
    assert created["livemode"] is True and created["enabled"] is True and created["status"] == "enabled"
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert endpoint.account == account and endpoint.mode == "live" and endpoint.secret == created["secret"]
    shown = api.get(f"{URL}/{created['id']}").json()["data"]
    assert "secret" not in shown and shown["description"] == "ERP"
    listed = api.get(URL).json()["data"]
    assert [e["id"] for e in listed["webhook_endpoints"]] == [created["id"]]
    assert "secret" not in listed["webhook_endpoints"][0]


def test_rotating_the_secret_replaces_it(api):
    created = create(api, PUBLIC_HTTPS).json()["data"]
    response = api.post(f"{URL}/{created['id']}/rotate-secret")
    assert response.status_code == 200
    rotated = response.json()["data"]["secret"]
    assert rotated.startswith("whsec_") and rotated != created["secret"]
    assert WebhookEndpoint.objects.get(pk=created["id"]).secret == rotated


def test_update_and_delete(api):
    created = create(api, PUBLIC_HTTPS).json()["data"]
    response = api.patch(f"{URL}/{created['id']}", {"enabled": False, "description": "paused"}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "disabled"
    assert response.json()["data"]["disabled_reason"] == "Disabled by the account."
    response = api.patch(f"{URL}/{created['id']}", {"enabled": True}, format="json")
    assert response.json()["data"]["status"] == "enabled" and response.json()["data"]["disabled_reason"] is None
    assert api.delete(f"{URL}/{created['id']}").status_code == 200
    assert not WebhookEndpoint.objects.filter(pk=created["id"]).exists()
    assert api.get(f"{URL}/{created['id']}").status_code == 404


def test_endpoints_are_confined_to_the_keys_account_and_mode(api, account, client_for):
    live = create(api, PUBLIC_HTTPS).json()["data"]
    test_client = client_for(APIKeyFactory(account=account, mode="test"))
    other_account = client_for(APIKeyFactory())
    for client in (test_client, other_account):
        assert client.get(f"{URL}/{live['id']}").status_code == 404
        assert client.get(URL).json()["data"]["webhook_endpoints"] == []
        assert client.delete(f"{URL}/{live['id']}").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=live["id"]).exists()


def test_webhook_scopes_are_required(account, client_for):
    reader = client_for(APIKeyFactory(account=account, scopes=[Scope.WEBHOOKS_READ]))
    nothing = client_for(APIKeyFactory(account=account, scopes=[Scope.CUSTOMERS_READ]))
    assert nothing.get(URL).status_code == 403
    assert reader.get(URL).status_code == 200
    response = create(reader, PUBLIC_HTTPS)
    assert response.status_code == 403 and "webhooks:write" in response.json()["error"]["message"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/hooks",  # live mode needs https
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.1.10/hooks",
        "https://172.16.0.1/hooks",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata, link-local
        "https://[::1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
        "https://user:pass@8.8.8.8/hooks",
        "ftp://8.8.8.8/hooks",
        "not a url",
    ],
)
def test_live_endpoints_must_be_https_to_public_addresses(api, url):
    response = create(api, url)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert set(response.json()["error"]["details"]) == {"url"}
    assert not WebhookEndpoint.objects.exists()


def test_test_mode_accepts_http_but_local_receivers_only_when_allowed(account, client_for, settings):
    client = client_for(APIKeyFactory(account=account, mode="test"))
    assert create(client, "http://8.8.8.8/hooks").status_code == 201
    settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = False
    assert create(client, "http://127.0.0.1:18150/hooks").status_code == 422
    settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = True
    assert create(client, "http://127.0.0.1:18150/hooks").status_code == 201
    # The setting never opens live mode to local addresses.
    assert create(client_for(APIKeyFactory(account=account)), "https://127.0.0.1/hooks").status_code == 422


def test_changing_the_url_is_checked_too(api):
    created = create(api, PUBLIC_HTTPS).json()["data"]
    response = api.patch(f"{URL}/{created['id']}", {"url": "https://169.254.169.254/"}, format="json")
    assert response.status_code == 422
    assert WebhookEndpoint.objects.get(pk=created["id"]).url == PUBLIC_HTTPS
