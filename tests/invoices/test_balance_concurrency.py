"""Two payments recorded at once for two different invoices of one customer (PostgreSQL only: real locks,
real threads). Each locks only its own invoice, so they run side by side; the customer's balance lock
(invoices.balances.refresh_balance) makes the second recompute wait for the first to commit. Without it each
recomputes from a snapshot without the other's payment and the last to commit drops the first's."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from invoices.models import CustomerBalance, Invoice
from tests.clients import bearer
from tests.factories import APIKeyFactory, CustomerFactory
from tests.threads import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 8


def test_two_payments_at_once_for_two_invoices_of_one_customer_leave_its_balance_consistent():
    api_key = APIKeyFactory()
    client = bearer(api_key.raw_key)
    customer = CustomerFactory(account=api_key.account)
    invoice_ids = []
    for _ in range(2 * ROUNDS):
        draft = client.post("/api/v1/invoices", {"customer_id": str(customer.pk), "subtotal": "100.00"}, format="json")
        invoice_id = draft.json()["data"]["id"]
        assert client.post(f"/api/v1/invoices/{invoice_id}/issue").status_code == 200
        invoice_ids.append(invoice_id)

    for round_ in range(ROUNDS):
        pair = invoice_ids[2 * round_ : 2 * round_ + 2]
        barrier = threading.Barrier(2)

        def pay(invoice_id, barrier=barrier):
            own = bearer(api_key.raw_key)
            return at_once(
                barrier,
                lambda: own.post(f"/api/v1/invoices/{invoice_id}/mark-paid", {"amount": "30.00"}, format="json"),
            ).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            assert list(pool.map(pay, pair)) == [200, 200]

        balance = CustomerBalance.objects.get(customer=customer)
        invoices = Invoice.objects.filter(customer=customer)
        truth = invoices.aggregate(paid=Sum("amount_paid"), owed=Sum(F("total") - F("amount_paid")))
        # Every payment so far is in the balance: 2 x 30.00 per round.
        assert (balance.paid_total, balance.outstanding) == (truth["paid"], truth["owed"]), round_
        assert balance.paid_total == Decimal("60.00") * (round_ + 1)
