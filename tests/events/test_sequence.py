"""Every event has a `sequence`, per account and mode, that increases in the order the changes committed:
two updates in the same second are told apart, a rolled-back change takes no number, and under real
concurrency (PostgreSQL, threads) a reader never sees an event before one with a lower number."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from beel.events.models import Event, EventSequence
from tests.clients import bearer
from tests.factories import AccountFactory, APIKeyFactory, CompanyFactory, CustomerFactory
from tests.migrations import leaf_nodes, migrate
from tests.threads import at_once
from tests.webhooks.test_delivery import create_customer

EVENTS = "/api/v1/events"


@pytest.mark.django_db
def test_each_change_takes_the_next_sequence_of_its_account_and_mode(api, client_for, account):
    customer = create_customer(api)
    for note in ("uno", "dos"):
        api.patch(f"/api/v1/customers/{customer['id']}", {"notes": note}, format="json")
    events = api.get(EVENTS).json()["data"]["events"]
    assert [event["sequence"] for event in events] == [1, 2, 3]
    # Within a second, `updated_at` (whole seconds) may not tell the two updates apart; `sequence` does.
    assert [event["data"]["notes"] for event in events[1:]] == ["uno", "dos"]
    # Another mode of the same account counts on its own.
    test_mode = client_for(APIKeyFactory(account=account, mode="test"))
    create_customer(test_mode)
    assert [event["sequence"] for event in test_mode.get(EVENTS).json()["data"]["events"]] == [1]


@pytest.mark.django_db
def test_a_change_that_is_rolled_back_takes_no_sequence(api, account):
    create_customer(api, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        response = api.post("/api/v1/customers", {"legal_name": "Deshecho", "nif": "00000001R"}, format="json")
        assert response.status_code == 201
        raise RuntimeError("rolled back")
    create_customer(api, 2)
    assert [event["sequence"] for event in api.get(EVENTS).json()["data"]["events"]] == [1, 2]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_get_unique_sequences_in_commit_order(monkeypatch):
    """Writers hold their transaction open after recording their event (the window a slow commit leaves); a
    reader polling the stream meanwhile must only ever see 1..n with no hole: an event visible before a
    lower-numbered one would be skipped by a receiver resuming after it."""
    writers, changes_each = 4, 5
    api_key = APIKeyFactory()
    # A company each: changes in one company wait for each other on its counters' row (customers.models).
    customers = [
        CustomerFactory(account=api_key.account, company=CompanyFactory(account=api_key.account))
        for _ in range(writers)
    ]
    base = Event.objects.count()
    bulk_create = Event.objects.bulk_create

    def slow_commit(*args, **kwargs):
        created = bulk_create(*args, **kwargs)
        time.sleep(random.uniform(0, 0.3))  # commits in another order than the numbers were taken, unless locked
        return created

    monkeypatch.setattr(Event.objects, "bulk_create", slow_commit)
    barrier = threading.Barrier(writers + 1)
    done = threading.Event()

    def write(customer) -> list[int]:
        # A key per writer: requests of one key would wait for each other on its row (`last_used_at`).
        client = bearer(APIKeyFactory(account=api_key.account).raw_key)
        url = f"/api/v1/companies/{customer.company_id}/customers/{customer.pk}"
        return [client.patch(url, {"notes": f"nota {n}"}, format="json").status_code for n in range(changes_each)]

    def read() -> list[list[int]]:
        client, seen = bearer(api_key.raw_key), []
        while not done.is_set():
            seen.append([e["sequence"] for e in client.get(f"{EVENTS}?limit=100").json()["data"]["events"]])
        return seen

    with ThreadPoolExecutor(max_workers=writers + 1) as pool:
        reader = pool.submit(at_once, barrier, read)
        results = list(pool.map(lambda customer: at_once(barrier, lambda: write(customer)), customers))
        done.set()
        snapshots = reader.result()

    assert [status for statuses in results for status in statuses] == [200] * (writers * changes_each)
    total = base + writers * changes_each
    sequences = list(Event.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, total + 1))
    holes = [seen for seen in snapshots if seen != list(range(1, len(seen) + 1))]
    assert len(snapshots) > 1 and holes == []
    assert EventSequence.objects.get(account=api_key.account, mode="live").last == total


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_existing_events_by_creation_per_account_and_mode():
    first, second = AccountFactory(), AccountFactory()
    apps = migrate([("events", "0007_customer_tax_id_verified_type")])
    try:
        OldEvent = apps.get_model("events", "Event")

        def event(account, mode, second_of_minute):
            at = datetime(2026, 5, 4, 12, 0, second_of_minute, tzinfo=UTC)
            return OldEvent.objects.create(
                account_id=account.pk, mode=mode, type="customer.created", data={}, created_at=at
            )

        later, earlier, other_mode, other_account = (
            event(first, "live", 30),
            event(first, "live", 10),
            event(first, "test", 20),
            event(second, "live", 5),
        )
        migrate([("events", "0008_event_sequence")])
        numbered = dict(Event.objects.values_list("pk", "sequence"))
        assert [numbered[e.pk] for e in (earlier, later, other_mode, other_account)] == [1, 2, 1, 1]
        counters = {(c.account_id, c.mode): c.last for c in EventSequence.objects.all()}
        assert counters == {(first.pk, "live"): 2, (first.pk, "test"): 1, (second.pk, "live"): 1}
    finally:
        migrate(leaf_nodes())
        connection.close()
