"""GET /api/v1/events and /events/{id}: the account's event stream in the key's mode, oldest first by
`sequence`, each event the very body its webhook delivery carries; filtered by type, sequence, time and
company; 30 days kept (and purged by `purgeevents`); `events:read` required; other accounts' and modes' events
never shown."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from apikeys.models import Scope
from beel.events.models import Event
from tests.factories import APIKeyFactory, CompanyFactory
from tests.webhooks.test_delivery import create_customer, subscribe
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

EVENTS = "/api/v1/events"


def listed(client, query: str = "") -> list[dict]:
    response = client.get(f"{EVENTS}{query}")
    assert response.status_code == 200, response.content
    return response.json()["data"]["events"]


def test_the_stream_holds_the_same_envelopes_the_webhooks_deliver(
    test_api, receiver_with, django_capture_on_commit_callbacks
):
    receiver = receiver_with()
    subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        customer = create_customer(test_api)
        test_api.patch(f"/api/v1/customers/{customer['id']}", {"notes": "a"}, format="json")
        test_api.patch(f"/api/v1/customers/{customer['id']}", {"notes": "b"}, format="json")
    delivered = [request.event for request in receiver.wait_for(3, timeout=5)]
    events = listed(test_api)
    assert [event["sequence"] for event in events] == [1, 2, 3]
    assert [event["type"] for event in events] == ["customer.created", "customer.updated", "customer.updated"]
    assert sorted(delivered, key=lambda event: event["sequence"]) == events
    assert test_api.get(f"{EVENTS}/{events[1]['id']}").json()["data"] == events[1]


def test_a_receiver_resumes_after_the_last_sequence_it_applied_and_walks_with_cursors(test_api):
    for n in range(5):
        create_customer(test_api, n + 1)
    assert [e["sequence"] for e in listed(test_api, "?after_sequence=3")] == [4, 5]
    first = test_api.get(f"{EVENTS}?limit=2").json()["data"]
    assert [e["sequence"] for e in first["events"]] == [1, 2]
    second = test_api.get(f"{EVENTS}?limit=2&cursor={first['pagination']['next_cursor']}").json()["data"]
    assert [e["sequence"] for e in second["events"]] == [3, 4]


def test_filters_by_type_time_and_company(test_api, test_key, frozen_clock):
    customer = create_customer(test_api, 1)
    test_api.delete(f"/api/v1/customers/{customer['id']}")
    assert [e["type"] for e in listed(test_api, "?type=customer.deactivated")] == ["customer.deactivated"]
    assert len(listed(test_api, "?type=customer.deactivated&type=customer.created")) == 2
    future = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed(test_api, f"?created_since={future}") == []
    assert len(listed(test_api, f"?created_until={future}")) == 2
    company = listed(test_api)[0]["company_id"]
    assert len(listed(test_api, f"?company_id={company}")) == 2
    other = CompanyFactory(account=test_key.account)
    assert listed(test_api, f"?company_id={other.pk}") == []


@pytest.mark.parametrize(
    "query",
    ["?type=customer.exploded", "?after_sequence=-1", "?after_sequence=x", "?company_id=nope", "?since=1"],
)
def test_bad_parameters_are_refused_naming_them(test_api, query):
    response = test_api.get(f"{EVENTS}{query}")
    assert response.status_code in (400, 422), response.content
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert query[1:].split("=")[0] in response.json()["error"]["details"]


def test_a_malformed_or_unknown_event_id(test_api):
    assert test_api.get(f"{EVENTS}/evt_nothex").status_code == 400
    response = test_api.get(f"{EVENTS}/evt_{'0' * 32}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


def test_the_stream_is_confined_to_the_keys_account_mode_and_companies(test_api, test_key, client_for):
    create_customer(test_api)
    (event,) = listed(test_api)
    live = client_for(APIKeyFactory(account=test_key.account, mode="live"))
    stranger = client_for(APIKeyFactory(mode="test"))
    restricted_key = APIKeyFactory(account=test_key.account, mode="test")
    restricted_key.company_ids = [str(CompanyFactory(account=test_key.account).pk)]
    restricted_key.save()
    restricted = client_for(restricted_key)
    for client in (live, stranger, restricted):
        assert listed(client) == []
        assert client.get(f"{EVENTS}/{event['id']}").status_code == 404


def test_events_read_is_required(test_key, client_for):
    reader = client_for(APIKeyFactory(account=test_key.account, mode="test", scopes=[Scope.WEBHOOKS_READ]))
    response = reader.get(EVENTS)
    assert response.status_code == 403 and "events:read" in response.json()["error"]["message"]


def test_events_are_kept_30_days_then_purged_with_their_deliveries(
    test_api, receiver_with, frozen_clock, django_capture_on_commit_callbacks
):
    subscribe(test_api, receiver_with())
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    assert len(listed(test_api)) == 1 and WebhookDelivery.objects.count() == 1
    frozen_clock.advance(timedelta(days=30, seconds=1).total_seconds())
    assert listed(test_api) == []
    out = io.StringIO()
    call_command("purgeevents", stdout=out)
    assert "Deleted 1 events" in out.getvalue()
    assert not Event.objects.exists() and not WebhookDelivery.objects.exists()
