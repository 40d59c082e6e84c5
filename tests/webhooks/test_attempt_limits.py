"""One slow or greedy receiver costs bounded time and memory, and takes nothing from other endpoints: an
attempt ends at its deadline however slowly the answer trickles, reads no more than 64 KiB of a huge
answer, holds one of its endpoint's slots (WEBHOOK_ENDPOINT_CONCURRENCY) while other endpoints' deliveries
go ahead, and the sweep hands deliveries out round robin between endpoints. Real local receivers; small
deadlines so the tests stay fast."""

import threading
import time
import tracemalloc
from datetime import timedelta
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.factories import APIKeyFactory
from tests.webhooks.test_delivery import create_customer, subscribe
from webhooks import delivery as webhook_delivery
from webhooks import tasks
from webhooks.models import WebhookAttempt, WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

TRICKLE = 0.3  # seconds between two bytes; the deadline is 1 s
HUGE = 32 * 1024 * 1024


@pytest.fixture
def hand_over_lost(monkeypatch):
    """Events stay in the outbox until a sweep the test runs at a time it chooses (as when the hand-over to
    the queue is lost after the commit)."""
    monkeypatch.setattr(tasks.dispatch_webhook_events, "delay", lambda *args, **kwargs: None)


def trickle(handler, released, data: bytes) -> None:
    for byte in data:
        handler.wfile.write(bytes([byte]))
        if released.wait(TRICKLE):
            return


def trickled_status_line(handler, released) -> None:
    trickle(handler, released, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


def trickled_body(handler, released) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "20")
    handler.end_headers()
    trickle(handler, released, b"x" * 20)


def one_due_delivery(client, receiver, now) -> int:
    subscribe(client, receiver)
    create_customer(client)
    (delivery_id,) = webhook_delivery.sweep(now=now)
    return delivery_id


@pytest.mark.parametrize("answer", [trickled_status_line, trickled_body], ids=["status line", "body"])
def test_an_attempt_ends_at_its_deadline_however_slowly_the_answer_trickles(
    test_api, receiver_with, hand_over_lost, answer
):
    receiver = receiver_with([answer])
    now = timezone.now()
    delivery_id = one_due_delivery(test_api, receiver, now)
    started = time.monotonic()
    attempt = webhook_delivery.attempt_delivery(delivery_id, now=now)
    assert time.monotonic() - started < 1.8  # the 1 s deadline, not 1 s per byte
    assert not attempt.succeeded and attempt.error == "No answer within 1 s"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == "pending" and delivery.leased_until is None
    assert delivery.next_attempt_at == now + timedelta(minutes=1)  # retried like any failure
    assert len(receiver.received) == 1


def test_a_huge_answer_is_read_no_further_than_64_kib(test_api, receiver_with, hand_over_lost):
    written = []

    def endless_body(handler, released) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(HUGE))
        handler.end_headers()
        chunk = b"x" * 65536
        for _ in range(HUGE // len(chunk)):
            handler.wfile.write(chunk)  # fails once the sender has closed the connection
            written.append(len(chunk))

    receiver = receiver_with([endless_body])
    now = timezone.now()
    delivery_id = one_due_delivery(test_api, receiver, now)
    tracemalloc.start()
    try:
        attempt = webhook_delivery.attempt_delivery(delivery_id, now=now)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert attempt.succeeded and attempt.status_code == 200
    assert peak < 4 * 1024 * 1024, f"the attempt held {peak} bytes"
    time.sleep(0.2)
    assert sum(written) < HUGE  # the connection was closed long before the end


def test_a_lease_shorter_than_the_deadline_is_refused_by_the_system_check(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 30
    settings.WEBHOOK_LEASE_SECONDS = 30
    assert "webhooks.E001" in {message.id for message in run_checks(tags=["webhooks"])}
    settings.WEBHOOK_LEASE_SECONDS = 35
    assert run_checks(tags=["webhooks"]) == []


def test_the_sweep_hands_out_an_endpoints_backlog_between_other_endpoints_deliveries(
    client_for, receiver_with, hand_over_lost
):
    backlogged, other = APIKeyFactory(mode="test"), APIKeyFactory(mode="test")
    backlogged_client, other_client = client_for(backlogged), client_for(other)
    subscribe(backlogged_client, receiver_with())
    subscribe(other_client, receiver_with())
    for n in range(1, 5):
        create_customer(backlogged_client, n)
    webhook_delivery.sweep(now=timezone.now() - timedelta(minutes=5))  # four older deliveries...
    create_customer(other_client, 9)  # ...and a newer one, to another account's endpoint
    call_command("sweepwebhooks", stdout=StringIO())
    order = list(WebhookAttempt.objects.order_by("pk").values_list("endpoint__account_id", flat=True))
    first, second = backlogged.account_id, other.account_id
    assert order == [first, second, first, first, first], "the other endpoint waited behind the backlog"


@pytest.mark.postgres_only(reason="attempts in flight in two threads, each with its own connection")
@pytest.mark.django_db(transaction=True)
def test_a_slow_endpoint_holds_one_slot_while_another_endpoints_deliveries_go_ahead(
    client_for, receiver_with, hand_over_lost, monkeypatch, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 3
    slow, fast = receiver_with([1.0]), receiver_with()  # the slow one answers after a second
    slow_client, fast_client = client_for(APIKeyFactory(mode="test")), client_for(APIKeyFactory(mode="test"))
    subscribe(slow_client, slow)
    subscribe(fast_client, fast)
    create_customer(slow_client, 1)
    create_customer(slow_client, 2)
    create_customer(fast_client, 3)
    now = timezone.now()
    webhook_delivery.sweep(now=now)
    first, second = WebhookDelivery.objects.filter(endpoint__url=slow.url).order_by("pk").values_list("pk", flat=True)
    fast_delivery = WebhookDelivery.objects.get(endpoint__url=fast.url).pk
    handed_over = []
    monkeypatch.setattr(tasks.deliver_webhook, "delay", handed_over.append)

    def attempt_in_a_worker():
        try:
            tasks.deliver_webhook(first)  # as a worker runs it (not eagerly): it hands over what is due next
        finally:
            connection.close()

    worker = threading.Thread(target=attempt_in_a_worker)
    worker.start()
    try:
        slow.wait_for(1, timeout=5)  # the first attempt is in flight
        assert webhook_delivery.attempt_delivery(second, now=now) is None  # the endpoint's one slot is taken
        started = time.monotonic()
        assert webhook_delivery.attempt_delivery(fast_delivery, now=now).succeeded
        assert time.monotonic() - started < 0.5
        assert worker.is_alive()  # still waiting for the slow receiver
    finally:
        worker.join(timeout=10)
    assert len(slow.received) == 1
    assert WebhookDelivery.objects.get(pk=first).status == "succeeded"
    assert handed_over == [second]  # the freed slot goes to the endpoint's next due delivery
    assert webhook_delivery.attempt_delivery(second).succeeded
