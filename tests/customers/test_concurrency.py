"""Deactivation and invoice creation race on the same customer row (PostgreSQL only: real row locks)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from customers.models import Customer
from invoices.models import Invoice, InvoiceSeriesCounter
from tests.clients import bearer
from tests.factories import APIKeyFactory, CustomerFactory
from tests.threads import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 25


def test_no_customer_is_left_inactive_with_an_invoice_created_concurrently():
    api_key = APIKeyFactory()
    customers = CustomerFactory.create_batch(ROUNDS, account=api_key.account)
    outcomes = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for customer in customers:
            barrier = threading.Barrier(2)
            deactivation = pool.submit(
                at_once, barrier, lambda c=customer: bearer(api_key.raw_key).delete(f"/api/v1/customers/{c.pk}")
            )
            invoicing = pool.submit(
                at_once,
                barrier,
                lambda c=customer: bearer(api_key.raw_key).post(
                    "/api/v1/invoices", {"customer_id": str(c.pk)}, format="json"
                ),
            )
            outcomes.append((customer.pk, deactivation.result(), invoicing.result()))

    for customer_pk, deactivation, invoicing in outcomes:
        customer = Customer.objects.get(pk=customer_pk)
        invoice_count = Invoice.objects.filter(customer_id=customer_pk).count()
        assert {deactivation.status_code, invoicing.status_code} <= {200, 201, 409}, (deactivation, invoicing)
        if deactivation.status_code == 200:
            # Deactivation won the row: the invoice must have been refused.
            assert not customer.active
            assert invoice_count == 0
            assert invoicing.status_code == 409
            assert invoicing.json()["error"]["code"] == "CUSTOMER_INACTIVE"
        else:
            # The invoice won: deactivation must have been refused, and the customer kept active.
            assert deactivation.json()["error"]["code"] == "CLIENT_HAS_INVOICES"
            assert customer.active
            assert invoice_count == 1
            assert invoicing.status_code == 201


def test_bulk_deactivation_never_deactivates_a_customer_that_got_an_invoice_meanwhile():
    api_key = APIKeyFactory()
    customers = CustomerFactory.create_batch(ROUNDS, account=api_key.account)
    ids = ",".join(str(customer.pk) for customer in customers)
    barrier = threading.Barrier(2)

    def invoice_everyone():
        return [
            bearer(api_key.raw_key).post("/api/v1/invoices", {"customer_id": str(c.pk)}, format="json").status_code
            for c in customers
        ]

    with ThreadPoolExecutor(max_workers=2) as pool:
        bulk = pool.submit(
            at_once, barrier, lambda: bearer(api_key.raw_key).delete(f"/api/v1/customers/bulk?ids={ids}")
        )
        invoicing = pool.submit(at_once, barrier, invoice_everyone)
        bulk_response, invoice_statuses = bulk.result(), invoicing.result()

    assert bulk_response.status_code == 200
    assert set(invoice_statuses) <= {201, 409}
    report = bulk_response.json()["data"]
    assert report["successful"] + report["failed"] == ROUNDS
    for customer in Customer.objects.filter(pk__in=[c.pk for c in customers]):
        has_invoices = Invoice.objects.filter(customer=customer).exists()
        assert not (not customer.active and has_invoices), f"{customer.pk} is inactive with an invoice"
        assert (str(customer.pk) in report["deactivated_ids"]) == (not customer.active)


def test_concurrent_invoice_creation_takes_no_numbers():
    """Drafts are numbered when issued (tests/invoices/test_issue_concurrency.py races the issuing)."""
    api_key = APIKeyFactory()
    customer = CustomerFactory(account=api_key.account)
    workers = 8
    barrier = threading.Barrier(workers)

    def create_some():
        return [
            bearer(api_key.raw_key).post("/api/v1/invoices", {"customer_id": str(customer.pk)}, format="json")
            for _ in range(5)
        ]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = [pool.submit(at_once, barrier, create_some) for _ in range(workers)]
        responses = [response for future in results for response in future.result()]

    assert all(response.status_code == 201 for response in responses), [r.content for r in responses]
    numbers = list(Invoice.objects.filter(customer=customer).values_list("number", flat=True))
    assert numbers == [None] * (workers * 5)
    assert not InvoiceSeriesCounter.objects.filter(company__account=api_key.account).exists()
