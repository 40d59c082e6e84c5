"""Invoices issued at once in one series (PostgreSQL only: real row locks, real threads). The series
counter's lock is what keeps numbers consecutive; without it two issues read the same last number."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

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
    InvoiceSeriesCounter.objects.create(account=api_key.account, series="A", last_number=0)
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
    assert InvoiceSeriesCounter.objects.get(account=api_key.account, series="A").last_number == DRAFTS
