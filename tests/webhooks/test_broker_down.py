"""With the task queue's broker unreachable: a manual retry is accepted (202, the delivery pending and due in the
database) and sent by the sweep, as the outbox's events are; a task any other view fails to queue is 503
SERVICE_UNAVAILABLE with Retry-After, in the envelope, with nothing written."""

from io import StringIO

import pytest
from django.core.management import call_command
from kombu.exceptions import OperationalError

from beel.celery import app as celery_app
from tests.envelope import assert_error
from tests.factories import valid_dni
from tests.webhooks.test_worker import forget_broker_connections
from webhooks import views
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

ENDPOINTS = "/api/v1/webhook-endpoints"
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down():
    eager, broker_url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, UNREACHABLE
    forget_broker_connections()
    yield
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker_url
    forget_broker_connections()


def test_a_retry_with_the_broker_down_is_accepted_and_sent_by_the_sweep(
    test_api, receiver_with, django_capture_on_commit_callbacks, request
):
    receiver = receiver_with([500])
    endpoint = test_api.post(ENDPOINTS, {"url": receiver.url}, format="json").json()["data"]
    with django_capture_on_commit_callbacks(execute=True):
        test_api.post("/api/v1/customers", {"legal_name": "Sin Cola SL", "nif": valid_dni(51)}, format="json")
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempt_count == 1 and len(receiver.received) == 1
    request.getfixturevalue("broker_down")

    with django_capture_on_commit_callbacks(execute=True):
        response = test_api.post(
            f"{ENDPOINTS}/{endpoint['id']}/deliveries/{delivery.pk}/retry", HTTP_IDEMPOTENCY_KEY="retry-1"
        )

    assert response.status_code == 202, response.content
    assert response.json()["data"]["status"] == "pending"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempt_count == 1
    replay = test_api.post(
        f"{ENDPOINTS}/{endpoint['id']}/deliveries/{delivery.pk}/retry", HTTP_IDEMPOTENCY_KEY="retry-1"
    )
    assert replay.status_code == 202 and replay["Idempotency-Replay"] == "true"

    call_command("sweepwebhooks", stdout=StringIO())

    assert len(receiver.wait_for(2, timeout=5)) == 2
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempt_count == 2


def test_a_task_a_view_cannot_queue_is_503_with_its_work_undone(test_api, monkeypatch):
    real_create = views.services.create_endpoint

    def create_then_fail_to_queue(**kwargs):
        real_create(**kwargs)
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(views.services, "create_endpoint", create_then_fail_to_queue)

    # With a key the work runs in a transaction, rolled back with the failure (as a 5xx is not stored).
    response = test_api.post(ENDPOINTS, {"url": "http://127.0.0.1:9/hook"}, format="json", HTTP_IDEMPOTENCY_KEY="k")

    error = assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert error["message"] == "The task queue is unavailable; retry shortly"
    assert response["Retry-After"] == "5"
    assert not WebhookEndpoint.objects.exists()
