"""Rotating a secret with an overlap (`expires_in_seconds`, Stripe's `expiration`): during the window every
delivery carries a `v1` signature by each secret, so a receiver holding either accepts it; after it, only
the new secret signs. Time is the service's clock (beel.clock), frozen and moved by the test."""

import pytest

from tests.webhooks.test_delivery import create_customer, subscribe
from webhooks.models import WebhookEndpoint
from webhooks.signing import verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

URL = "/api/v1/webhook-endpoints"


def signatures(request) -> list[str]:
    return [part for part in request.headers["BeeL-Signature"].split(",") if part.startswith("v1=")]


def test_both_secrets_sign_during_the_overlap_and_only_the_new_one_after(
    test_api, receiver_with, frozen_clock, django_capture_on_commit_callbacks
):
    receiver = receiver_with()
    old = subscribe(test_api, receiver)
    response = test_api.post(f"{URL}/{old['id']}/rotate-secret", {"expires_in_seconds": 3600}, format="json")
    assert response.status_code == 200, response.content
    rotated = response.json()["data"]
    assert rotated["secret"] != old["secret"] and rotated["previous_secret_expires_at"] is not None

    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api, 1)
    (during,) = receiver.wait_for(1, timeout=5)
    now = int(frozen_clock.now())
    assert len(signatures(during)) == 2
    assert verify(old["secret"], during.headers["BeeL-Signature"], during.body, now=now)
    assert verify(rotated["secret"], during.headers["BeeL-Signature"], during.body, now=now)

    frozen_clock.advance(3601)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api, 2)
    after = receiver.wait_for(2, timeout=5)[1]
    now = int(frozen_clock.now())
    assert len(signatures(after)) == 1
    assert verify(rotated["secret"], after.headers["BeeL-Signature"], after.body, now=now)
    assert not verify(old["secret"], after.headers["BeeL-Signature"], after.body, now=now)
    assert test_api.get(f"{URL}/{old['id']}").json()["data"]["previous_secret_expires_at"] is None


def test_without_an_overlap_the_old_secret_stops_at_once(
    test_api, receiver_with, frozen_clock, django_capture_on_commit_callbacks
):
    receiver = receiver_with()
    old = subscribe(test_api, receiver)
    rotated = test_api.post(f"{URL}/{old['id']}/rotate-secret").json()["data"]
    assert rotated["previous_secret_expires_at"] is None
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    (request,) = receiver.wait_for(1, timeout=5)
    now = int(frozen_clock.now())
    assert len(signatures(request)) == 1
    assert verify(rotated["secret"], request.headers["BeeL-Signature"], request.body, now=now)
    assert not verify(old["secret"], request.headers["BeeL-Signature"], request.body, now=now)


@pytest.mark.parametrize("seconds", [-1, 7 * 86400 + 1, "soon"])
def test_an_overlap_outside_zero_to_seven_days_is_refused(test_api, seconds):
    endpoint = test_api.post(URL, {"url": "http://127.0.0.1:9/x"}, format="json").json()["data"]
    response = test_api.post(f"{URL}/{endpoint['id']}/rotate-secret", {"expires_in_seconds": seconds}, format="json")
    assert response.status_code in (400, 422), response.content
    assert "expires_in_seconds" in response.json()["error"]["details"]
    assert WebhookEndpoint.objects.get(pk=endpoint["id"]).secret == endpoint["secret"]
