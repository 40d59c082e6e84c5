"""The aging report across customers as of today (invoices.aging_report) reads what issued invoices still owe
per account, mode, customer and currency: a partial covering index (issued invoices only) answers it by an
index-only scan, without reading the invoices' rows (every column it reads is a key column: SQLite has no
INCLUDE). Built CONCURRENTLY on PostgreSQL (beel.db.online), so issuing and paying go on meanwhile."""

from django.db import migrations, models

from beel.db.online import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("invoices", "0015_customer_balances"),
    ]

    operations = [
        AddIndexOnline(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("status", "issued")),
                fields=["account", "mode", "customer", "currency", "due_date", "company", "total", "amount_paid"],
                name="invoice_unpaid_aging_idx",
            ),
        ),
    ]
