"""A bounded concurrency soak on PostgreSQL: several threads create invoices, deactivate and reactivate the
same customers at once. Afterwards the books must balance and no request may have failed with a 5xx."""

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from customers.models import AuditEntry, Customer, CustomerCount
from invoices.models import Invoice
from tests.factories import APIKeyFactory, CustomerFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

WORKERS = 4
STEPS_PER_WORKER = 30


def test_concurrent_invoicing_deactivation_and_reactivation_keep_every_invariant():
    api_key = APIKeyFactory()
    customers = [str(customer.pk) for customer in CustomerFactory.create_batch(8, account=api_key.account)]
    barrier = threading.Barrier(WORKERS)

    def worker(seed: int) -> list[tuple[str, int]]:
        rng = random.Random(seed)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key.raw_key}")
        outcomes = []
        try:
            barrier.wait(timeout=10)
            for _ in range(STEPS_PER_WORKER):
                customer_id = rng.choice(customers)
                operation = rng.choices(["invoice", "deactivate", "reactivate", "bulk"], weights=[1, 3, 3, 2])[0]
                if operation == "invoice":
                    response = client.post("/api/v1/invoices", {"customer_id": customer_id}, format="json")
                    if response.status_code == 201:
                        # Issued at once: numbers are taken when issuing, under the series counter's lock.
                        issued = client.post(f"/api/v1/invoices/{response.json()['data']['id']}/issue")
                        outcomes.append(("issue", issued.status_code))
                elif operation == "deactivate":
                    response = client.delete(f"/api/v1/customers/{customer_id}")
                elif operation == "reactivate":
                    response = client.post(f"/api/v1/customers/{customer_id}/reactivate")
                else:
                    ids = ",".join(rng.sample(customers, 3))
                    response = client.delete(f"/api/v1/customers/bulk?ids={ids}")
                outcomes.append((operation, response.status_code))
        finally:
            connection.close()
        return outcomes

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = [
            item for future in [pool.submit(worker, seed) for seed in range(WORKERS)] for item in future.result()
        ]

    statuses = Counter(status for _, status in outcomes)
    assert all(status < 500 for status in statuses), statuses
    assert set(statuses) <= {200, 201, 409}, statuses

    created = sum(1 for operation, status in outcomes if operation == "invoice" and status == 201)
    invoices = Invoice.objects.filter(account=api_key.account)
    assert invoices.count() == created
    issued = sum(1 for operation, status in outcomes if operation == "issue" and status == 200)
    assert issued == created
    assert sorted(invoices.values_list("number", flat=True)) == list(range(1, issued + 1))

    # The counters kept by triggers agree with the rows after all that concurrent churn.
    real = Counter(Customer.objects.filter(account=api_key.account).values_list("active", flat=True))
    counted = {c.active: c.n for c in CustomerCount.objects.filter(account=api_key.account, mode="live")}
    assert (counted.get(True, 0), counted.get(False, 0)) == (real[True], real[False])

    for customer in Customer.objects.filter(pk__in=customers):
        customer_invoices = invoices.filter(customer=customer)
        if not customer.active:
            assert not customer_invoices.exists(), f"{customer.pk} is inactive with invoices"
            assert customer.deactivated_at is not None
        trail = list(AuditEntry.objects.filter(customer=customer).order_by("at", "id").values_list("action", flat=True))
        # Deactivations and reactivations alternate, starting from active, and end in the current state.
        assert all(trail[i] != trail[i + 1] for i in range(len(trail) - 1)), trail
        if trail:
            assert trail[0] == "deactivated"
            assert (trail[-1] == "deactivated") == (not customer.active)
        else:
            assert customer.active
