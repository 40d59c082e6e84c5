"""Migration invoices.0014: an invoice marked paid before payments were recorded gets the one payment that
settled it, so its customer's balance, statement and aging no longer read it as owed; undone on the way back."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.factories import AccountFactory
from tests.invoices.test_issuing_migration import customers_leaf, historical_customer
from tests.migrations import leaf_nodes, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("invoices", "0013_payment_labels_in_spanish")]
AFTER = [("invoices", "0014_paid_invoices_hold_their_payments")]


@pytest.fixture
def before_payments_backfill():
    apps = migrate(BEFORE + customers_leaf())
    yield apps
    migrate(leaf_nodes())


def invoice(apps, customer, number: int, **fields):
    return apps.get_model("invoices", "Invoice").objects.create(
        account_id=customer.account_id,
        company_id=customer.company_id,
        customer_id=customer.pk,
        series="A",
        number=number,
        currency="EUR",
        issue_date=date(2026, 1, 10),
        **fields,
    )


def test_invoices_paid_without_payments_get_the_payment_that_settled_them_and_lose_it_on_the_way_back(
    before_payments_backfill,
):
    apps = before_payments_backfill
    customer = historical_customer(apps, AccountFactory(), legal_name="Pagadora SL", nif="B12345674")
    marked_paid_in_admin = invoice(
        apps, customer, 1, status="paid", total=Decimal("121.00"), paid_at=datetime(2026, 2, 3, 23, 30, tzinfo=UTC)
    )
    with_its_date = invoice(apps, customer, 2, status="paid", total=Decimal("50.00"), payment_date=date(2026, 2, 1))
    undated = invoice(apps, customer, 3, status="paid", total=Decimal("10.00"))
    settled = invoice(apps, customer, 4, status="paid", total=Decimal("30.00"), amount_paid=Decimal("30.00"))
    owed = invoice(apps, customer, 5, status="issued", total=Decimal("99.00"), amount_paid=Decimal("9.00"))

    apps = migrate(AFTER + customers_leaf())

    Invoice = apps.get_model("invoices", "Invoice")
    payments = {
        payment.invoice_id: (payment.amount, payment.payment_date)
        for payment in apps.get_model("invoices", "InvoicePayment").objects.all()
    }
    # 23:30 UTC on the 3rd is the 4th in Madrid: the day staff marked it paid, in the service's time zone.
    assert payments == {
        marked_paid_in_admin.pk: (Decimal("121.00"), date(2026, 2, 4)),
        with_its_date.pk: (Decimal("50.00"), date(2026, 2, 1)),
        undated.pk: (Decimal("10.00"), date(2026, 1, 10)),
    }
    paid = {row.pk: (row.amount_paid, row.payment_date) for row in Invoice.objects.filter(status="paid")}
    assert paid == {
        marked_paid_in_admin.pk: (Decimal("121.00"), date(2026, 2, 4)),
        with_its_date.pk: (Decimal("50.00"), date(2026, 2, 1)),
        undated.pk: (Decimal("10.00"), date(2026, 1, 10)),
        settled.pk: (Decimal("30.00"), None),
    }
    assert Invoice.objects.get(pk=owed.pk).amount_paid == Decimal("9.00")

    apps = migrate(BEFORE + customers_leaf())

    assert not apps.get_model("invoices", "InvoicePayment").objects.exists()
    amounts = dict(apps.get_model("invoices", "Invoice").objects.values_list("pk", "amount_paid"))
    assert amounts == {
        marked_paid_in_admin.pk: Decimal("0.00"),
        with_its_date.pk: Decimal("0.00"),
        undated.pk: Decimal("0.00"),
        settled.pk: Decimal("30.00"),
        owed.pk: Decimal("9.00"),
    }
