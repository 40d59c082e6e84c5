"""Deletion and invoice creation race on the same customer row (PostgreSQL only: real row locks). Deletion
locks the customers before it counts their invoices, and invoice creation locks the customer (the lock order
of invoices.services), so a customer is never deleted with an invoice created meanwhile."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from companies.models import primary_company_of
from customers.models import Customer
from invoices.models import Invoice
from tests.clients import bearer
from tests.factories import APIKeyFactory, CustomerFactory
from tests.threads import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 25


def test_no_customer_is_deleted_with_an_invoice_created_concurrently():
    api_key = APIKeyFactory()
    company = primary_company_of(api_key.account)
    customers = CustomerFactory.create_batch(ROUNDS, account=api_key.account)
    outcomes = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for customer in customers:
            barrier = threading.Barrier(2)
            url = f"/api/v1/companies/{company.pk}/customers/{customer.pk}"
            deletion = pool.submit(at_once, barrier, lambda url=url: bearer(api_key.raw_key).delete(url))
            invoicing = pool.submit(
                at_once,
                barrier,
                lambda c=customer: bearer(api_key.raw_key).post(
                    "/api/v1/invoices", {"customer_id": str(c.pk)}, format="json"
                ),
            )
            outcomes.append((customer.pk, deletion.result(), invoicing.result()))

    for customer_pk, deletion, invoicing in outcomes:
        customer = Customer.objects.get(pk=customer_pk)
        invoice_count = Invoice.objects.filter(customer_id=customer_pk).count()
        if deletion.status_code == 204:
            assert customer.deleted_at is not None and not customer.active
            assert invoice_count == 0
            assert invoicing.status_code == 404, invoicing.content
        else:
            assert deletion.status_code == 409, deletion.content
            assert deletion.json()["error"]["code"] == "CLIENT_HAS_INVOICES"
            assert customer.deleted_at is None and customer.active
            assert invoice_count == 1
            assert invoicing.status_code == 201
