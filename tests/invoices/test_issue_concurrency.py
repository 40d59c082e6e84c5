"""Invoices issued at once in one series (PostgreSQL only: real row locks, real threads). The series
counter's lock is what keeps numbers consecutive; without it two issues read the same last number."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from companies.models import primary_company_of
from invoices.models import Invoice, InvoiceSeriesCounter
from tests.clients import bearer
from tests.factories import APIKeyFactory, CustomerFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

DRAFTS = 16
THREADS = 4


def test_concurrent_issues_in_one_series_get_consecutive_numbers_without_gaps_or_duplicates():
    api_key = APIKeyFactory()
    customers = CustomerFactory.create_batch(4, account=api_key.account)
    client = bearer(api_key.raw_key)
    drafts = [
        client.post("/api/v1/invoices", {"customer_id": str(customers[n % 4].pk)}, format="json").json()["data"]["id"]
        for n in range(DRAFTS)
    ]
    # The counter exists before the race, so every thread contends on its row lock, not on its creation.
    InvoiceSeriesCounter.objects.create(company=primary_company_of(api_key.account), series="A", last_number=0)
    barrier = threading.Barrier(THREADS)

    def issue_share(share: list[str]) -> list[int]:
        try:
            barrier.wait(timeout=10)
            own = bearer(api_key.raw_key)
            return [own.post(f"/api/v1/invoices/{pk}/issue").status_code for pk in share]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = [
            status
            for result in pool.map(issue_share, [drafts[i::THREADS] for i in range(THREADS)])
            for status in result
        ]

    assert statuses == [200] * DRAFTS
    numbers = sorted(Invoice.objects.filter(account=api_key.account).values_list("number", flat=True))
    assert numbers == list(range(1, DRAFTS + 1))
    assert InvoiceSeriesCounter.objects.get(company__account=api_key.account, series="A").last_number == DRAFTS


def test_issuing_and_merging_the_drafts_customer_at_once_neither_deadlocks_nor_loses_the_draft():
    """Both take the customer's lock first (invoices.services' lock order): whichever wins, the draft ends
    either issued to the customer it had, or moved to the survivor as a draft, never half of each."""
    api_key = APIKeyFactory()
    client = bearer(api_key.raw_key)
    rounds = []
    for _ in range(8):
        duplicate, survivor = CustomerFactory.create_batch(2, account=api_key.account)
        draft = client.post("/api/v1/invoices", {"customer_id": str(duplicate.pk)}, format="json").json()["data"]
        rounds.append((duplicate, survivor, draft["id"]))

    def race(duplicate, survivor, draft_id):
        barrier = threading.Barrier(2)

        def run(call):
            try:
                barrier.wait(timeout=10)
                return call(bearer(api_key.raw_key))
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            issuing = pool.submit(run, lambda c: c.post(f"/api/v1/invoices/{draft_id}/issue"))
            merging = pool.submit(
                run,
                lambda c: c.post(f"/api/v1/customers/{duplicate.pk}/merge", {"into": str(survivor.pk)}, format="json"),
            )
            return issuing.result(timeout=60), merging.result(timeout=60)

    for duplicate, survivor, draft_id in rounds:
        issuing, merging = race(duplicate, survivor, draft_id)
        assert (issuing.status_code, merging.status_code) == (200, 200), (issuing.content, merging.content)
        invoice = Invoice.objects.get(pk=draft_id)
        assert invoice.status == "issued"
        # Issued before the merge: stays with the duplicate; after it: issued to the survivor. Either way the
        # recipient copy names the customer the invoice belongs to.
        assert invoice.customer_id in {duplicate.pk, survivor.pk}
        owner = invoice.customer
        assert invoice.recipient["legal_name"] == owner.legal_name
