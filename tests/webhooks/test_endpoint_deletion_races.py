"""Deleting a webhook endpoint while its deliveries are being worked on, with real threads on PostgreSQL: the
deletion is made to pause inside its transaction (a trigger that sleeps once its deliveries are deleted, before
the endpoint is), and in that pause a worker records an attempt, or dispatches a new event to the endpoint.
The DELETE answers 200 in the envelope, never a 500 of a foreign key, and the worker's work ends cleanly with
nothing of the endpoint left."""

import threading
import time

import pytest
from django.db import connection

from beel.events.models import Event
from tests.factories import APIKeyFactory, valid_dni
from tests.threads import at_once
from webhooks.delivery import attempt_delivery, dispatch_events
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("local_receivers_allowed"),
]

ENDPOINTS = "/api/v1/webhook-endpoints"
PAUSE_SECONDS = 3


@pytest.fixture
def deletion_pauses():
    """The endpoint's deletion sleeps right after deleting its deliveries, before deleting the endpoint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION beel_test_pause() RETURNS trigger AS $$ "
            f"BEGIN PERFORM pg_sleep({PAUSE_SECONDS}); RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER beel_test_pause AFTER DELETE ON webhooks_webhookdelivery "
            "FOR EACH STATEMENT EXECUTE FUNCTION beel_test_pause()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER beel_test_pause ON webhooks_webhookdelivery")
        cursor.execute("DROP FUNCTION beel_test_pause()")


def an_endpoint_with_a_delivery(client_for, receiver):
    """A test-mode endpoint and one delivery of a customer's creation to it, sent and succeeded."""
    api = client_for(APIKeyFactory(mode="test"))
    endpoint = api.post(ENDPOINTS, {"url": receiver.url}, format="json").json()["data"]
    created = api.post("/api/v1/customers", {"legal_name": "Carrera SL", "nif": valid_dni(41)}, format="json")
    assert created.status_code == 201
    receiver.wait_for(1, timeout=5)
    return api, endpoint, WebhookDelivery.objects.get()


def deletion_paused() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()"
        )
        return cursor.fetchone()[0] == 1


def wait_for(condition, what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def run(call) -> threading.Thread:
    """`call` in a thread of its own, its result (or exception) kept on the thread."""
    barrier = threading.Barrier(1)
    thread = threading.Thread(target=lambda: setattr(thread, "outcome", _outcome(lambda: at_once(barrier, call))))
    thread.start()
    return thread


def _outcome(call):
    try:
        return call()
    except Exception as failure:  # the assertion is on it
        return failure


def test_deleting_an_endpoint_while_an_attempt_is_in_flight(client_for, receiver_with, deletion_pauses, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 20  # the attempt ends when the test releases it, not at a timeout
    receiver = receiver_with([200, 30.0])  # the retried attempt hangs until released
    api, endpoint, delivery = an_endpoint_with_a_delivery(client_for, receiver)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="pending", next_attempt_at=delivery.created_at)
    worker = run(lambda: attempt_delivery(delivery.pk))
    receiver.wait_for(2, timeout=5)  # the attempt is in flight

    deletion = run(lambda: api.delete(f"{ENDPOINTS}/{endpoint['id']}"))
    wait_for(deletion_paused, "the deletion to pause")
    receiver.released.set()  # the attempt ends and is recorded while the deletion is paused
    deletion.join(timeout=15)
    worker.join(timeout=15)

    assert deletion.outcome.status_code == 200, deletion.outcome.content
    assert deletion.outcome.json()["data"] == {"message": "Webhook endpoint deleted"}
    assert worker.outcome is None  # nothing to record: the endpoint took its delivery with it
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert not WebhookAttempt.objects.exists()


def test_deleting_an_endpoint_while_an_event_is_dispatched_to_it(client_for, receiver_with, deletion_pauses):
    receiver = receiver_with()
    api, endpoint, _delivery = an_endpoint_with_a_delivery(client_for, receiver)
    # A second event whose hand-over was lost: the sweep dispatches it from the outbox.
    created = api.post("/api/v1/customers", {"legal_name": "Otra Carrera SL", "nif": valid_dni(42)}, format="json")
    assert created.status_code == 201
    receiver.wait_for(2, timeout=5)
    WebhookDelivery.objects.filter(event__data__legal_name="Otra Carrera SL").delete()
    Event.objects.filter(data__legal_name="Otra Carrera SL").update(dispatched_at=None)

    deletion = run(lambda: api.delete(f"{ENDPOINTS}/{endpoint['id']}"))
    wait_for(deletion_paused, "the deletion to pause")
    dispatcher = run(dispatch_events)
    deletion.join(timeout=15)
    dispatcher.join(timeout=15)

    assert deletion.outcome.status_code == 200, deletion.outcome.content
    assert dispatcher.outcome == []  # the event is dispatched, to no endpoint
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
