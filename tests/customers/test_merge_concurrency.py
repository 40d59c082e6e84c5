"""Merges racing each other, an invoice being issued and a bulk deletion (PostgreSQL only: real row locks, real
threads). Every use case takes its locks in the order invoices.services writes down (customers by ascending
id, then invoices, then the series' counter, then the customers' counter rows), and lets go of its locks and
starts over rather than wait for a customer while holding one taken out of that order: none deadlocks (a
deadlock is a 503 "database unavailable"), and no customer is left pointing at a merged one."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from companies.models import primary_company_of
from customers.models import Customer
from customers.totals import CustomerCount
from invoices.models import Invoice
from tests.clients import bearer
from tests.customers.company_routes import bulk_delete_url
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CustomerFactory
from tests.threads import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 20


@pytest.fixture
def api_key():
    return APIKeyFactory()


def merge(api_key, duplicate, survivor):
    return lambda: bearer(api_key.raw_key).post(
        f"/api/v1/customers/{duplicate.pk}/merge", {"into": str(survivor.pk)}, format="json"
    )


def issue(api_key, draft_id):
    return lambda: bearer(api_key.raw_key).post(f"/api/v1/invoices/{draft_id}/issue")


def bulk_delete(api_key, *customers):
    company = primary_company_of(api_key.account)
    return lambda: bearer(api_key.raw_key).delete(bulk_delete_url(company, *customers))


def draft_for(api_key, customer) -> str:
    response = bearer(api_key.raw_key).post("/api/v1/invoices", {"customer_id": str(customer.pk)}, format="json")
    return response.json()["data"]["id"]


def race(*calls):
    """The responses of `calls`, made at once from threads of their own."""
    barrier = threading.Barrier(len(calls))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(at_once, barrier, call) for call in calls]
        return [future.result(timeout=60) for future in futures]


def error_code(response) -> str:
    return response.json()["error"]["code"]


def assert_no_customer_points_at_a_merged_one(account) -> None:
    chained = Customer.objects.filter(account=account, merged_into__merged_into__isnull=False)
    assert list(chained.values_list("pk", "merged_into")) == []


def test_merges_along_a_chain_at_once_leave_every_merged_customer_pointing_at_a_live_survivor(api_key):
    for _ in range(ROUNDS):
        first, second, third = CustomerFactory.create_batch(3, account=api_key.account)
        first_into_second, second_into_third = race(merge(api_key, first, second), merge(api_key, second, third))
        assert second_into_third.status_code == 200, second_into_third.content
        # Merged into `second` before it was merged: carried along to `third`. After: `second` is merged, so
        # it takes no duplicate any more.
        if first_into_second.status_code == 200:
            assert Customer.objects.get(pk=first.pk).merged_into_id == third.pk
        else:
            assert (first_into_second.status_code, error_code(first_into_second)) == (409, "CUSTOMER_MERGED")
            assert Customer.objects.get(pk=first.pk).merged_into_id is None
    assert_no_customer_points_at_a_merged_one(api_key.account)


def test_merges_in_opposite_directions_at_once_exactly_one_wins(api_key):
    for _ in range(ROUNDS):
        one, other = CustomerFactory.create_batch(2, account=api_key.account)
        responses = race(merge(api_key, one, other), merge(api_key, other, one))
        assert sorted(response.status_code for response in responses) == [200, 409], [r.content for r in responses]
        loser = next(response for response in responses if response.status_code == 409)
        assert error_code(loser) == "CUSTOMER_MERGED"
        merged = Customer.objects.filter(pk__in=[one.pk, other.pk], merged_into__isnull=False)
        assert merged.count() == 1
    assert_no_customer_points_at_a_merged_one(api_key.account)


@pytest.mark.parametrize("third_party", ["bulk delete", "reverse merge"])
def test_a_merge_an_issue_and_a_third_writer_at_once_never_deadlock(api_key, third_party):
    for _ in range(ROUNDS):
        duplicate, survivor = CustomerFactory.create_batch(2, account=api_key.account)
        draft_id = draft_for(api_key, duplicate)
        third = (
            bulk_delete(api_key, duplicate, survivor)
            if third_party == "bulk delete"
            else merge(api_key, survivor, duplicate)
        )
        responses = race(merge(api_key, duplicate, survivor), issue(api_key, draft_id), third)
        assert 503 not in [response.status_code for response in responses], [r.content for r in responses]
        assert Invoice.objects.get(pk=draft_id).status == "issued"
    assert_no_customer_points_at_a_merged_one(api_key.account)


def waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def until_waiting(count: int) -> None:
    deadline = time.monotonic() + 10
    while waiting_for_locks() < count:
        assert time.monotonic() < deadline, f"{waiting_for_locks()} of {count} transactions are waiting for a lock"
        time.sleep(0.01)


def hold_the_counters(company, held: threading.Event, release: threading.Event) -> None:
    """Lock the company's customer counters (what a customer write takes last) until `release`."""
    try:
        with transaction.atomic():
            list(CustomerCount.objects.filter(company=company).select_for_update())
            held.set()
            release.wait(timeout=30)
    finally:
        connection.close()


def one_after_another(company, merging, *others):
    """The responses of `merging` and `others`, which queue for their locks in this order: `merging` takes its
    customers and waits for the counters held here, each of the others then waits for a lock, and only then
    are the counters let go."""
    held, release = threading.Event(), threading.Event()
    with ThreadPoolExecutor(max_workers=2 + len(others)) as pool:
        holder = pool.submit(hold_the_counters, company, held, release)
        assert held.wait(timeout=10)
        futures = []
        for waiting, call in enumerate((merging, *others), start=1):
            futures.append(pool.submit(at_once, threading.Barrier(1), call))
            until_waiting(waiting)
        release.set()
        holder.result(timeout=30)
        return [future.result(timeout=60) for future in futures]


@pytest.mark.parametrize("third_party", ["bulk delete", "reverse merge"])
def test_an_issue_that_finds_its_draft_merged_away_lets_go_before_it_follows(api_key, third_party):
    """The interleaving that deadlocked, set up step by step: the merge holds both customers (kept waiting on
    the customers' counter rows, which it takes last); the issue queues for the duplicate, the third writer for
    both. Once the merge commits, the issue holds the duplicate and finds its draft moved to the survivor, which
    the third writer may hold while it waits for the duplicate: the issue must let go of the duplicate before
    it waits for the survivor. The names sort the survivor first, the order the list's sort locked them in."""
    company = primary_company_of(api_key.account)
    for _ in range(3):
        duplicate = CustomerFactory(account=api_key.account, legal_name="Zeta Duplicada SL")
        survivor = CustomerFactory(account=api_key.account, legal_name="Alfa Superviviente SL")
        draft_id = draft_for(api_key, duplicate)
        third = (
            bulk_delete(api_key, duplicate, survivor)
            if third_party == "bulk delete"
            else merge(api_key, survivor, duplicate)
        )
        merged, issued, third_response = one_after_another(
            company, merge(api_key, duplicate, survivor), issue(api_key, draft_id), third
        )

        assert (merged.status_code, issued.status_code) == (200, 200), (merged.content, issued.content)
        invoice = Invoice.objects.get(pk=draft_id)
        assert (invoice.status, invoice.customer_id) == ("issued", survivor.pk)
        if third_party == "bulk delete":
            rows = assert_success(third_response)["customers_deletion"]
            statuses = {row["customer_id"]: row["status"] for row in rows}
            assert statuses == {str(duplicate.pk): "DELETED", str(survivor.pk): "HAS_INVOICES"}
        else:
            assert_error(third_response, 409, "CUSTOMER_MERGED")
    assert_no_customer_points_at_a_merged_one(api_key.account)


def test_a_merge_that_finds_a_duplicate_merged_into_its_own_meanwhile_lets_go_before_it_takes_it(api_key):
    """A merge of `second` into `third` waits for `second` while `first` is being merged into it; once that
    commits, `first` is to be carried along too, but a bulk deletion of both (which locks `first`, the lower
    id, first) may hold it while it waits for `second`: the merge must let go of `second` before it locks
    `first`. The deletion then deletes both (neither has an invoice), and the merge finds `second` gone."""
    company = primary_company_of(api_key.account)
    for _ in range(3):
        first, second = sorted(CustomerFactory.create_batch(2, account=api_key.account), key=lambda c: c.pk)
        third = CustomerFactory(account=api_key.account)
        first_into_second, second_into_third, deletion = one_after_another(
            company, merge(api_key, first, second), merge(api_key, second, third), bulk_delete(api_key, first, second)
        )
        assert_success(first_into_second)
        rows = assert_success(deletion)["customers_deletion"]
        assert {row["customer_id"]: row["status"] for row in rows} == {
            str(first.pk): "DELETED",
            str(second.pk): "DELETED",
        }
        assert_error(second_into_third, 404, "CLIENT_NOT_FOUND")
    assert_no_customer_points_at_a_merged_one(api_key.account)
