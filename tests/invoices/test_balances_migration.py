"""Migration invoices.0015 on existing invoices: every customer's balances are backfilled per currency by the
rules the use cases keep them with (issued and paid invoices; drafts and cancelled ones left out)."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import AccountFactory
from tests.invoices.test_issuing_migration import customers_leaf, historical_customer
from tests.migrations import leaf_nodes, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("invoices", "0014_paid_invoices_hold_their_payments")]
AFTER = [("invoices", "0015_customer_balances")]


@pytest.fixture
def before_balances():
    apps = migrate(BEFORE + customers_leaf())
    yield apps
    migrate(leaf_nodes())


def test_balances_are_backfilled_per_customer_and_currency(before_balances):
    apps = before_balances
    account = AccountFactory()
    Invoice = apps.get_model("invoices", "Invoice")
    owing = historical_customer(apps, account, legal_name="Debe SL", nif="B12345674")
    quiet = historical_customer(apps, account, legal_name="Borradores SL", nif="B87654321")
    company_id = owing.company_id
    rows = [
        # (customer, status, currency, total, amount_paid, issue_date, due_date)
        (owing, "issued", "EUR", "100.00", "40.00", date(2026, 1, 10), date(2026, 2, 9)),
        (owing, "paid", "EUR", "50.00", "50.00", date(2026, 3, 1), date(2026, 3, 31)),
        (owing, "issued", "EUR", "10.00", "0.00", date(2026, 1, 1), date(2026, 1, 5)),
        (owing, "cancelled", "EUR", "999.00", "0.00", date(2026, 4, 1), date(2026, 5, 1)),
        (owing, "issued", "USD", "7.50", "0.00", date(2026, 2, 1), date(2026, 3, 3)),
        (quiet, "draft", "EUR", "500.00", "0.00", date(2026, 4, 1), None),
    ]
    for number, (customer, status, currency, total, paid, issued_on, due) in enumerate(rows, start=1):
        Invoice.objects.create(
            account_id=account.pk,
            company_id=company_id,
            customer_id=customer.pk,
            series="A",
            number=None if status == "draft" else number,
            status=status,
            currency=currency,
            subtotal=Decimal(total),
            total=Decimal(total),
            amount_paid=Decimal(paid),
            issue_date=issued_on,
            due_date=due,
        )

    apps = migrate(AFTER + customers_leaf())

    Balance = apps.get_model("invoices", "CustomerBalance")
    got = {
        (row.customer_id, row.currency): (
            row.invoice_count,
            row.issued_total,
            row.paid_total,
            row.outstanding,
            row.oldest_unpaid_due_date,
            row.last_invoice_date,
        )
        for row in Balance.objects.all()
    }
    assert got == {
        (owing.pk, "EUR"): (
            3,
            Decimal("160.00"),
            Decimal("90.00"),
            Decimal("70.00"),
            date(2026, 1, 5),
            date(2026, 3, 1),
        ),
        (owing.pk, "USD"): (1, Decimal("7.50"), Decimal("0.00"), Decimal("7.50"), date(2026, 3, 3), date(2026, 2, 1)),
    }
