"""POST /webhook-endpoints/{id}/test: a signed `webhook.test` event delivered to that endpoint only (not to
the account's other endpoints, whatever they select), and left out of the event stream (GET /events)."""

import pytest

from tests.webhooks.test_delivery import subscribe
from webhooks.delivery import sweep
from webhooks.models import WebhookDelivery
from webhooks.signing import verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

URL = "/api/v1/webhook-endpoints"


def test_a_test_event_reaches_that_endpoint_only_and_stays_out_of_the_stream(
    test_api, receiver_with, django_capture_on_commit_callbacks
):
    tested, other = receiver_with(), receiver_with()
    endpoint = subscribe(test_api, tested)
    subscribe(test_api, other)
    with django_capture_on_commit_callbacks(execute=True):
        response = test_api.post(f"{URL}/{endpoint['id']}/test")
    assert response.status_code == 202, response.content
    (request,) = tested.wait_for(1, timeout=5)
    assert verify(endpoint["secret"], request.headers["BeeL-Signature"], request.body)
    event = request.event
    assert event["type"] == "webhook.test" and event["livemode"] is False and event["company_id"] is None
    assert event["data"]["webhook_endpoint_id"] == endpoint["id"] and isinstance(event["sequence"], int)
    # Another sweep of the outbox sends it nowhere else.
    sweep()
    assert other.received == []
    assert WebhookDelivery.objects.filter(event__type="webhook.test").count() == 1
    assert test_api.get("/api/v1/events").json()["data"]["events"] == []
    assert test_api.get(f"/api/v1/events/{event['id']}").status_code == 404
    attempts = test_api.get(f"{URL}/{endpoint['id']}/attempts").json()["data"]["attempts"]
    assert [(a["event_type"], a["succeeded"]) for a in attempts] == [("webhook.test", True)]


def test_a_disabled_endpoint_is_not_sent_a_test_event(test_api):
    endpoint = test_api.post(URL, {"url": "http://127.0.0.1:9/x"}, format="json").json()["data"]
    test_api.patch(f"{URL}/{endpoint['id']}", {"enabled": False}, format="json")
    response = test_api.post(f"{URL}/{endpoint['id']}/test")
    assert response.status_code == 409 and response.json()["error"]["code"] == "CONFLICT"
    assert not WebhookDelivery.objects.exists()
