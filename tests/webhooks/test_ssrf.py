"""Webhooks reach only globally routable addresses, and only the address that was checked: IPv6 transition
forms of local addresses and the special-purpose blocks older Pythons count as global are refused on saving
and at delivery; a name that resolves to a public address for the check and to 127.0.0.1 afterwards (DNS
rebinding) never reaches 127.0.0.1; over TLS the checked address is reached with the hostname in the SNI
and the certificate check."""

import socket
import ssl
import time

import pytest
import trustme
from django.utils import timezone

from tests.factories import APIKeyFactory
from tests.webhooks.test_delivery import create_customer
from webhooks import delivery as webhook_delivery
from webhooks import tasks
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook-endpoints"


@pytest.mark.parametrize(
    "host",
    [
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[2002:a9fe:a9fe::]",  # 6to4 of 169.254.169.254, the cloud metadata address
        "[fec0::1]",  # site-local
        "192.0.0.8",  # IETF protocol assignments
        "100.64.0.1",  # carrier-grade NAT
        "198.18.0.1",  # benchmarking
        "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
        "[64:ff9b:1::a00:1]",  # NAT64 local use
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo, client 127.0.0.1
        "[::7f00:1]",  # IPv4-compatible 127.0.0.1
        "[::ffff:a9fe:a9fe]",  # IPv4-mapped 169.254.169.254
    ],
)
def test_addresses_that_are_not_globally_routable_are_refused_on_saving(api, host):
    response = api.post(URL, {"url": f"https://{host}/hooks"}, format="json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == "VALIDATION_ERROR"
    assert "not a globally routable address" in body["error"]["details"]["url"]
    created = api.post(URL, {"url": "https://8.8.8.8/hooks"}, format="json").json()["data"]
    response = api.patch(f"{URL}/{created['id']}", {"url": f"https://{host}/hooks"}, format="json")
    assert response.status_code == 422 and response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(WebhookEndpoint.objects.values_list("url", flat=True)) == ["https://8.8.8.8/hooks"]


@pytest.mark.parametrize("host", ["[2606:4700:4700::1111]", "[64:ff9b::808:808]", "1.1.1.1"])
def test_public_addresses_and_nat64_of_public_ones_are_accepted(api, host):
    assert api.post(URL, {"url": f"https://{host}/hooks"}, format="json").status_code == 201


@pytest.fixture
def hand_over_lost(monkeypatch):
    monkeypatch.setattr(tasks.dispatch_webhook_events, "delay", lambda *args, **kwargs: None)


@pytest.fixture
def resolver(monkeypatch):
    """The name server as the test scripts it: `answers[name]` is the list of addresses given to the 1st,
    2nd, ... lookup of `name` (the last one repeats); other names resolve as usual. `lookups` counts."""
    real = socket.getaddrinfo
    answers: dict[str, list[str]] = {}
    lookups: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        count = lookups[host] = lookups.get(host, 0) + 1
        address = answers[host][min(count, len(answers[host])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, lookups


def test_a_name_rebound_to_loopback_after_the_check_never_reaches_it(
    client_for, receiver_with, resolver, hand_over_lost, settings
):
    settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = receiver_with()  # listens on 127.0.0.1
    port = receiver.url.split(":")[2].split("/")[0]
    answers, lookups = resolver
    # Public when saved and when checked before the delivery; 127.0.0.1 to any later lookup.
    answers["rebind.example"] = ["8.8.8.8", "8.8.8.8", "127.0.0.1"]
    client = client_for(APIKeyFactory(mode="test"))
    response = client.post(URL, {"url": f"http://rebind.example:{port}/hooks/beel"}, format="json")
    assert response.status_code == 201, response.content
    create_customer(client)
    (delivery_id,) = webhook_delivery.sweep(now=timezone.now())
    attempt = webhook_delivery.attempt_delivery(delivery_id)
    assert not attempt.succeeded and attempt.status_code is None
    assert lookups["rebind.example"] == 2  # once on saving, once for the attempt: never again by the client
    time.sleep(0.2)
    assert receiver.received == []


def test_an_endpoint_saved_before_the_stricter_check_is_refused_at_delivery(
    client_for, receiver_with, hand_over_lost, settings
):
    settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = False
    client = client_for(APIKeyFactory(mode="test"))
    created = client.post(URL, {"url": "http://8.8.8.8/hooks"}, format="json").json()["data"]
    WebhookEndpoint.objects.filter(pk=created["id"]).update(url="http://[2002:7f00:1::]:8080/hooks")
    create_customer(client)
    (delivery_id,) = webhook_delivery.sweep(now=timezone.now())
    attempt = webhook_delivery.attempt_delivery(delivery_id)
    assert attempt.error.startswith("Refused:") and "not a globally routable address" in attempt.error
    assert WebhookDelivery.objects.get().status == "pending"


@pytest.fixture
def trusted_ca(monkeypatch):
    """A certificate authority that deliveries trust for this test, as they trust the public roots."""
    ca = trustme.CA()
    context = ssl.create_default_context()
    ca.configure_trust(context)
    monkeypatch.setattr("webhooks.transport._tls_context", lambda: context)
    return ca


@pytest.mark.parametrize("certified", ["receiver.example", "someone-else.example"])
def test_over_tls_the_checked_address_is_reached_under_the_endpoints_hostname(
    client_for, receiver_with, resolver, hand_over_lost, trusted_ca, settings, certified
):
    settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = True
    server_names = []
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trusted_ca.issue_cert(certified).configure_cert(tls)
    tls.sni_callback = lambda sock, name, context: server_names.append(name)
    receiver = receiver_with(tls=tls)
    port = receiver.url.split(":")[2].split("/")[0]
    answers, _ = resolver
    answers["receiver.example"] = ["127.0.0.1"]
    client = client_for(APIKeyFactory(mode="test"))
    url = f"https://receiver.example:{port}/hooks/beel"
    assert client.post(URL, {"url": url}, format="json").status_code == 201
    create_customer(client)
    (delivery_id,) = webhook_delivery.sweep(now=timezone.now())
    attempt = webhook_delivery.attempt_delivery(delivery_id)
    assert server_names == ["receiver.example"]
    if certified == "receiver.example":
        assert attempt.succeeded, attempt.error
        (request,) = receiver.received
        assert request.headers["Host"] == f"receiver.example:{port}"
    else:
        assert not attempt.succeeded and "certificate" in attempt.error.lower()
        assert receiver.received == []
    assert WebhookAttempt.objects.count() == 1
