"""An endpoint receives the event types it selects (`events`, default ["*"]: all, present and future):
validated against the known types, kept through the API and the admin, and applied when events are fanned
out to the endpoints."""

import pytest
from django.urls import reverse

from tests.webhooks.test_admin import add_endpoint
from tests.webhooks.test_delivery import create_customer
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

URL = "/api/v1/webhook-endpoints"


def test_an_endpoint_receives_every_event_unless_it_selects_some(test_api):
    created = test_api.post(URL, {"url": "http://127.0.0.1:9/all"}, format="json").json()["data"]
    assert created["events"] == ["*"]
    assert WebhookEndpoint.objects.get(pk=created["id"]).event_types == []
    chosen = test_api.post(
        URL, {"url": "http://127.0.0.1:9/some", "events": ["invoice.issued", "customer.created"]}, format="json"
    )
    assert chosen.status_code == 201, chosen.content
    assert chosen.json()["data"]["events"] == ["customer.created", "invoice.issued"]
    response = test_api.patch(f"{URL}/{created['id']}", {"events": ["customer.updated"]}, format="json")
    assert response.json()["data"]["events"] == ["customer.updated"]
    response = test_api.patch(f"{URL}/{created['id']}", {"events": ["*"]}, format="json")
    assert response.json()["data"]["events"] == ["*"]
    assert WebhookEndpoint.objects.get(pk=created["id"]).event_types == []


@pytest.mark.parametrize(
    "events",
    [["customer.exploded"], ["*", "customer.created"], ["webhook.test"], []],
    ids=["unknown", "star-with-types", "test-event", "empty"],
)
def test_unknown_or_contradictory_selections_are_refused_and_nothing_is_written(test_api, events):
    response = test_api.post(URL, {"url": "http://127.0.0.1:9/x", "events": events}, format="json")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "VALIDATION_ERROR" and "events" in response.json()["error"]["details"]
    assert not WebhookEndpoint.objects.exists()


def test_only_the_selected_events_create_deliveries(test_api, django_capture_on_commit_callbacks):
    everything = test_api.post(URL, {"url": "http://127.0.0.1:9/all"}, format="json").json()["data"]
    updates = test_api.post(URL, {"url": "http://127.0.0.1:9/up", "events": ["customer.updated"]}, format="json")
    updates = updates.json()["data"]
    with django_capture_on_commit_callbacks(execute=True):
        customer = create_customer(test_api)
        test_api.patch(f"/api/v1/customers/{customer['id']}", {"notes": "nueva nota"}, format="json")
    received = {
        endpoint: sorted(WebhookDelivery.objects.filter(endpoint_id=endpoint).values_list("event__type", flat=True))
        for endpoint in (everything["id"], updates["id"])
    }
    assert received == {everything["id"]: ["customer.created", "customer.updated"], updates["id"]: ["customer.updated"]}


def test_the_admin_sets_the_selected_events(staff, account):
    add_endpoint(staff, account, "http://127.0.0.1:9/admin")
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == []
    page = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    form = {
        "url": endpoint.url,
        "description": "",
        "event_types": ["invoice.issued", "customer.deleted"],
        "status": "enabled",
        "disabled_reason": "",
        "attempts-TOTAL_FORMS": "0",
        "attempts-INITIAL_FORMS": "0",
    }
    response = staff.post(page, form, follow=True)
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["customer.deleted", "invoice.issued"]
    assert b"invoice.issued" in staff.get(page).content
