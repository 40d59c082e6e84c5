"""Payments recorded at once for the same invoice (PostgreSQL only: real row locks, real threads). The
invoice's row lock (invoices.payments) serialises them: without it both read the same `amount_paid`, both
are accepted, and the invoice ends paid more than its total with one payment lost from `amount_paid`."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db.models import Sum

from invoices.models import Invoice, InvoicePayment
from tests.clients import bearer
from tests.factories import APIKeyFactory, CustomerFactory
from tests.threads import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 6


def test_two_payments_at_once_for_one_invoice_leave_a_consistent_total():
    api_key = APIKeyFactory()
    client = bearer(api_key.raw_key)
    customer = CustomerFactory(account=api_key.account)
    invoice_ids = []
    for _ in range(ROUNDS):
        draft = client.post("/api/v1/invoices", {"customer_id": str(customer.pk), "subtotal": "100.00"}, format="json")
        invoice_id = draft.json()["data"]["id"]
        assert client.post(f"/api/v1/invoices/{invoice_id}/issue").status_code == 200
        invoice_ids.append(invoice_id)

    for invoice_id in invoice_ids:
        barrier = threading.Barrier(2)

        def pay(invoice_id=invoice_id, barrier=barrier):
            own = bearer(api_key.raw_key)
            return at_once(
                barrier,
                lambda: own.post(f"/api/v1/invoices/{invoice_id}/mark-paid", {"amount": "60.00"}, format="json"),
            ).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(lambda _: pay(), range(2)))
        # Each pays 60.00 of 100.00: only one fits; the other sees what the first left due (40.00).
        assert statuses == [200, 422], statuses

    for invoice in Invoice.objects.filter(pk__in=invoice_ids):
        recorded = InvoicePayment.objects.filter(invoice=invoice).aggregate(total=Sum("amount"))["total"]
        assert (invoice.amount_paid, recorded, invoice.status) == (Decimal("60.00"), Decimal("60.00"), "issued")
