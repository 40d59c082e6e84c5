"""Events reach a real local receiver, signed, at least once: every customer and invoice change sends its
event with the object as the API shows it; a rolled-back change sends nothing; failures and timeouts are
retried with backoff and disable an endpoint failing for three days; attempts are listed and retried by
hand. Celery runs eagerly here (no broker configured), so the tasks run in the test's process once the
change commits; the clock of retries is passed explicitly."""

import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from beel.actors import Actor
from beel.events.models import Event
from beel.tenancy import DataScope
from companies.models import primary_company_of
from customers import services as customer_services
from tests.envelope import without_stats
from tests.factories import CustomerFactory, valid_dni
from webhooks import delivery as webhook_delivery
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.signing import verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

ENDPOINTS = "/api/v1/webhook-endpoints"


def subscribe(client, receiver) -> dict:
    response = client.post(ENDPOINTS, {"url": receiver.url}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def create_customer(client, n: int = 1) -> dict:
    response = client.post(
        "/api/v1/customers", {"legal_name": f"Cliente Ñandú {n}", "nif": valid_dni(n)}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["data"]


def independent_signature_check(secret: str, header: str, body: bytes) -> bool:
    """The receiver example of docs/sync.md, written again here rather than reusing webhooks.signing."""
    fields = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) < 300


def test_a_created_customer_is_sent_signed_in_the_event_envelope(
    test_api, test_key, receiver_with, django_capture_on_commit_callbacks
):
    receiver = receiver_with()
    endpoint = subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        customer = create_customer(test_api)
    (request,) = receiver.wait_for(1, timeout=5)
    assert independent_signature_check(endpoint["secret"], request.headers["BeeL-Signature"], request.body)
    assert verify(endpoint["secret"], request.headers["BeeL-Signature"], request.body)
    assert not verify("whsec_wrong", request.headers["BeeL-Signature"], request.body)
    assert not verify(endpoint["secret"], request.headers["BeeL-Signature"], request.body + b" ")
    event = request.event
    assert set(event) == {"id", "type", "sequence", "created_at", "api_version", "livemode", "company_id", "data"}
    assert event["type"] == "customer.created" and event["livemode"] is False and event["api_version"] == "v1"
    assert event["data"] == without_stats(test_api.get(f"/api/v1/customers/{customer['id']}").json()["data"])
    stored = Event.objects.get()
    assert event["id"] == stored.public_id and stored.dispatched_at is not None
    assert event["company_id"] == str(stored.company_id) == str(primary_company_of(test_key.account).pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempt_count == 1


def test_every_customer_and_invoice_change_sends_its_event(test_api, receiver_with, django_capture_on_commit_callbacks):
    receiver = receiver_with()
    subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        customer = create_customer(test_api)
    url = f"/api/v1/customers/{customer['id']}"
    with django_capture_on_commit_callbacks(execute=True):
        test_api.patch(url, {"email": "nuevo@example.es"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        test_api.delete(url)
    with django_capture_on_commit_callbacks(execute=True):
        test_api.post(f"{url}/reactivate")
    with django_capture_on_commit_callbacks(execute=True):
        invoice = test_api.post("/api/v1/invoices", {"customer_id": customer["id"], "subtotal": "10.50"}, format="json")
    assert invoice.status_code == 201
    events = [request.event for request in receiver.wait_for(5, timeout=5)]
    assert [e["type"] for e in events] == [
        "customer.created",
        "customer.updated",
        "customer.deactivated",
        "customer.reactivated",
        "invoice.created",
    ]
    assert events[1]["data"]["email"] == "nuevo@example.es"
    assert events[2]["data"]["active"] is False and events[2]["data"]["deactivated_at"] is not None
    assert events[3]["data"] == without_stats(test_api.get(url).json()["data"])
    invoice_data = invoice.json()["data"]
    assert events[4]["data"] == invoice_data == test_api.get(f"/api/v1/invoices/{invoice_data['id']}").json()["data"]
    assert len({e["id"] for e in events}) == 5


def test_bulk_deactivation_sends_one_event_per_deactivated_customer(
    test_api, test_key, account, receiver_with, django_capture_on_commit_callbacks
):
    receiver = receiver_with()
    subscribe(test_api, receiver)
    customers = CustomerFactory.create_batch(3, account=account, mode="test")
    ids = ",".join(str(c.pk) for c in customers)
    with django_capture_on_commit_callbacks(execute=True):
        assert test_api.delete(f"/api/v1/customers/bulk?ids={ids}").json()["data"]["successful"] == 3
    events = [request.event for request in receiver.wait_for(3, timeout=5)]
    assert sorted(e["data"]["id"] for e in events) == sorted(str(c.pk) for c in customers)
    assert {e["type"] for e in events} == {"customer.deactivated"}


def test_a_rolled_back_change_records_and_sends_nothing(
    account, test_api, receiver_with, django_capture_on_commit_callbacks
):
    receiver = receiver_with()
    subscribe(test_api, receiver)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        customer_services.create_customer(
            scope=DataScope.of_company(primary_company_of(account), "test"),
            data={"legal_name": "Nunca SL", "nif": valid_dni(7)},
            actor=Actor.command("test"),
        )
        raise RuntimeError("the caller's transaction fails after the change")
    assert callbacks == []
    assert not Event.objects.exists()
    assert not account.customers.exists()
    # A refused request (duplicate NIF) records nothing either.
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api, 8)
        duplicate = test_api.post("/api/v1/customers", {"legal_name": "Otra", "nif": valid_dni(8)}, format="json")
    assert duplicate.status_code == 409
    assert Event.objects.count() == 1
    assert len(receiver.wait_for(1, timeout=5)) == 1
    time.sleep(0.2)
    assert len(receiver.received) == 1


def test_live_events_never_reach_test_endpoints(api, test_api, receiver_with, django_capture_on_commit_callbacks):
    receiver = receiver_with()
    subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(api)
    assert Event.objects.get().mode == "live"
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def run_due(now):
    """What the beat-scheduled sweep does at `now`: attempt every delivery that is due."""
    for delivery_id in webhook_delivery.sweep(now=now):
        webhook_delivery.attempt_delivery(delivery_id, now=now)


def test_failures_and_timeouts_are_retried_with_backoff(test_api, receiver_with, django_capture_on_commit_callbacks):
    receiver = receiver_with([500, 503, 3.0])  # then 200
    subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    delivery = WebhookDelivery.objects.get()
    waits = []
    for _ in range(3):
        first_try = delivery.next_attempt_at
        delivery.refresh_from_db()
        assert delivery.status == "pending"
        last_attempt = WebhookAttempt.objects.filter(delivery=delivery).first()
        waits.append(delivery.next_attempt_at - last_attempt.at)
        assert first_try is not None
        run_due(delivery.next_attempt_at - timedelta(seconds=1))  # not due yet: nothing is sent
        run_due(delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempt_count == 4
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("at"))
    assert [a.status_code for a in attempts] == [500, 503, None, 200]
    assert attempts[2].error == "No answer within 1 s"
    events = [r.event["id"] for r in receiver.wait_for(4, timeout=5)]
    assert len(set(events)) == 1  # the same event each time: receivers deduplicate on its id


def test_an_endpoint_failing_for_three_days_is_disabled_and_says_why(
    test_api, receiver_with, django_capture_on_commit_callbacks
):
    receiver = receiver_with([500] * 100)
    endpoint = subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    delivery = WebhookDelivery.objects.get()
    started = delivery.created_at
    for _ in range(30):
        delivery.refresh_from_db()
        if delivery.next_attempt_at is None:
            break
        run_due(delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    last = WebhookAttempt.objects.filter(delivery=delivery).first()
    assert timedelta(hours=60) <= last.at - started <= timedelta(hours=72)
    assert 10 <= delivery.attempt_count <= 20
    shown = test_api.get(f"{ENDPOINTS}/{endpoint['id']}").json()["data"]
    assert shown["status"] == "disabled" and shown["enabled"] is False
    assert "every delivery failed since" in shown["disabled_reason"]
    # Nothing more is sent to a disabled endpoint.
    sent = len(receiver.received)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api, 2)
    run_due(timezone.now() + timedelta(days=10))
    assert len(receiver.received) == sent


def test_the_last_attempts_are_listed_and_one_is_retried_by_hand(
    test_api, receiver_with, django_capture_on_commit_callbacks
):
    receiver = receiver_with([500])
    endpoint = subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    response = test_api.get(f"{ENDPOINTS}/{endpoint['id']}/attempts")
    assert response.status_code == 200
    (attempt,) = response.json()["data"]["attempts"]
    assert attempt["status_code"] == 500 and attempt["succeeded"] is False
    assert attempt["event_type"] == "customer.created" and attempt["delivery_status"] == "pending"
    with django_capture_on_commit_callbacks(execute=True):  # handed to the queue once the retry commits
        response = test_api.post(f"{ENDPOINTS}/{endpoint['id']}/deliveries/{attempt['delivery_id']}/retry")
    assert response.status_code == 202, response.content
    assert response.json()["data"]["status"] == "pending"  # accepted: due now, sent by the queue
    assert len(receiver.wait_for(2, timeout=5)) == 2
    attempts = test_api.get(f"{ENDPOINTS}/{endpoint['id']}/attempts").json()["data"]["attempts"]
    assert [a["status_code"] for a in attempts] == [200, 500]  # newest first
    assert test_api.post(f"{ENDPOINTS}/{endpoint['id']}/deliveries/999999/retry").status_code == 404


def test_only_the_last_fifty_attempts_are_listed(test_api, receiver_with, django_capture_on_commit_callbacks):
    receiver = receiver_with()
    endpoint = subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    delivery = WebhookDelivery.objects.get()
    model = WebhookEndpoint.objects.get(pk=endpoint["id"])
    base = timezone.now()
    WebhookAttempt.objects.bulk_create(
        [
            WebhookAttempt(delivery=delivery, endpoint=model, at=base - timedelta(minutes=n), status_code=500)
            for n in range(1, 60)
        ]
    )
    attempts = test_api.get(f"{ENDPOINTS}/{endpoint['id']}/attempts").json()["data"]["attempts"]
    assert len(attempts) == 50 and attempts[0]["status_code"] == 200


def test_a_rotated_secret_signs_the_next_delivery(test_api, receiver_with, django_capture_on_commit_callbacks):
    receiver = receiver_with()
    endpoint = subscribe(test_api, receiver)
    rotated = test_api.post(f"{ENDPOINTS}/{endpoint['id']}/rotate-secret").json()["data"]["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    (request,) = receiver.wait_for(1, timeout=5)
    assert verify(rotated, request.headers["BeeL-Signature"], request.body)
    assert not verify(endpoint["secret"], request.headers["BeeL-Signature"], request.body)


def test_an_address_that_became_local_is_refused_at_delivery(
    test_api, receiver_with, settings, django_capture_on_commit_callbacks
):
    receiver = receiver_with()
    subscribe(test_api, receiver)
    settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = False
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    attempt = WebhookAttempt.objects.get()
    assert attempt.error.startswith("Refused:") and attempt.status_code is None
    time.sleep(0.2)
    assert receiver.received == []


def test_the_sweep_command_sends_what_is_due(test_api, receiver_with, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    receiver = receiver_with([500])
    subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    out = StringIO()
    call_command("sweepwebhooks", stdout=out)
    assert "0 deliveries attempted" in out.getvalue()  # the retry is not due for a minute
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    call_command("sweepwebhooks", stdout=out)
    assert "1 deliveries attempted, 1 succeeded" in out.getvalue()
    assert len(receiver.wait_for(2, timeout=5)) == 2


def test_retrying_on_a_disabled_endpoint_is_a_409(test_api, receiver_with, django_capture_on_commit_callbacks):
    receiver = receiver_with([500])
    endpoint = subscribe(test_api, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        create_customer(test_api)
    delivery = WebhookDelivery.objects.get()
    test_api.patch(f"{ENDPOINTS}/{endpoint['id']}", {"enabled": False}, format="json")
    response = test_api.post(f"{ENDPOINTS}/{endpoint['id']}/deliveries/{delivery.pk}/retry")
    assert response.status_code == 409 and response.json()["error"]["code"] == "CONFLICT"
    delivery.refresh_from_db()
    assert delivery.attempt_count == 1 and len(receiver.received) == 1
