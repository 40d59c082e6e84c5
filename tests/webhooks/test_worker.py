"""Deliveries by real Celery worker processes on the real Redis broker (database 15): a worker killed with
SIGKILL in the middle of a delivery, and events whose hand-over to the queue was lost after the commit
(the process died), still reach the receiver once another worker runs. PostgreSQL only: the worker is
another process and needs the test database on a server (SQLite's test database lives in memory)."""

import os
import signal
import subprocess
import sys
import time

import kombu.pools
import pytest
from django.db import connection

from beel.celery import app as celery_app
from beel.events.models import Event
from tests.factories import APIKeyFactory, valid_dni
from webhooks.models import WebhookDelivery

pytestmark = [
    pytest.mark.postgres_only(reason="the worker process needs the test database on a server"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("local_receivers_allowed"),
]

BROKER = os.environ.get("BEEL_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
ENDPOINTS = "/api/v1/webhook-endpoints"


@pytest.fixture
def broker():
    """The test process publishes to `broker_url` (not eagerly) for this test; the queue starts empty."""
    import redis

    eager, broker_url = celery_app.conf.task_always_eager, celery_app.conf.broker_url

    def use(url: str) -> None:
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = url
        forget_broker_connections()

    redis.Redis.from_url(BROKER).flushdb()
    yield use
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker_url
    forget_broker_connections()
    redis.Redis.from_url(BROKER).flushdb()


def forget_broker_connections() -> None:
    """What Celery does after a fork, plus kombu's registry: a closed pool stays registered under its
    broker's address, and the producer pool the app keeps would hand it to the next test of this process
    (an eager task still takes a producer: "Acquire on closed pool")."""
    celery_app.pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def workers(tmp_path):
    """Starts real `celery worker --beat` processes against the test database; kills what is left."""
    started: list[subprocess.Popen] = []
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS": "true",
        "WEBHOOK_TIMEOUT_SECONDS": "2",
        "WEBHOOK_SWEEP_SECONDS": "1",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "LOG_LEVEL": "WARNING",
    }

    def start(name: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "beel", "worker", "--beat", "--pool", "solo"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h"]
        command += ["-s", str(tmp_path / f"{name}-schedule"), "--loglevel", "WARNING"]
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process below)
        # Own process group: SIGKILL then reaches the worker and its embedded beat alike.
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        kill(process, signal.SIGKILL)  # what it had to do is asserted; no need to wait for a warm shutdown


def kill(process: subprocess.Popen, signum: int) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signum)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


def setup_endpoint(client_for, receiver) -> tuple:
    key = APIKeyFactory(mode="test")
    client = client_for(key)
    assert client.post(ENDPOINTS, {"url": receiver.url}, format="json").status_code == 201
    return client


def test_a_worker_killed_mid_delivery_delivers_after_restart(client_for, receiver_with, broker, workers):
    receiver = receiver_with([60.0])  # the first request stalls until the test ends; then 200
    client = setup_endpoint(client_for, receiver)
    broker(BROKER)
    first = workers("first")
    response = client.post("/api/v1/customers", {"legal_name": "Kill SL", "nif": valid_dni(1)}, format="json")
    assert response.status_code == 201
    receiver.wait_for(1, timeout=30)  # the worker is now inside the request
    kill(first, signal.SIGKILL)
    assert WebhookDelivery.objects.get().status == "pending"

    workers("second")
    requests = receiver.wait_for(2, timeout=45)
    assert requests[0].event["id"] == requests[1].event["id"] == Event.objects.get().public_id
    wait_until(lambda: WebhookDelivery.objects.get().status == "succeeded", 15, "the delivery did not succeed")
    assert WebhookDelivery.objects.get().attempt_count == 1  # the killed attempt never got to record itself


def test_events_whose_hand_over_was_lost_after_commit_are_still_delivered(client_for, receiver_with, broker, workers):
    receiver = receiver_with()
    client = setup_endpoint(client_for, receiver)
    # The hand-over goes to an in-memory queue that dies with this process's publishing, as it would
    # with a process killed right after the commit: only the outbox row remains.
    broker("memory://")
    for n in range(3):
        response = client.post("/api/v1/customers", {"legal_name": f"Outbox {n}", "nif": valid_dni(n)}, format="json")
        assert response.status_code == 201
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 3
    workers("sweeper")
    requests = receiver.wait_for(3, timeout=45)
    assert sorted(r.event["id"] for r in requests) == sorted(e.public_id for e in Event.objects.all())
    wait_until(
        lambda: WebhookDelivery.objects.filter(status="succeeded").count() == 3, 15, "deliveries did not succeed"
    )
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
