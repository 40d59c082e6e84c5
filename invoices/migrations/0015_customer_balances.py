"""Per-customer balances (invoices.balances): the table, the partial index the overdue amounts are read from,
and every existing customer's balances backfilled in one set-based INSERT ... SELECT (the same rules as
invoices.balances.refresh_balance: issued and paid invoices, per currency). Reversed, the table is dropped."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


BACKFILL = """
INSERT INTO invoices_customerbalance
    (customer_id, currency, invoice_count, issued_total, paid_total, outstanding, oldest_unpaid_due_date,
     last_invoice_date)
SELECT customer_id, currency, COUNT(*), SUM(total), SUM(amount_paid), SUM(total) - SUM(amount_paid),
       MIN(CASE WHEN status = 'issued' AND total > amount_paid THEN due_date END), MAX(issue_date)
FROM invoices_invoice
WHERE status IN ('issued', 'paid')
GROUP BY customer_id, currency
"""


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0025_labels_in_spanish"),
        ("invoices", "0014_paid_invoices_hold_their_payments"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerBalance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("currency", models.CharField(max_length=3)),
                ("invoice_count", models.PositiveIntegerField(default=0)),
                ("issued_total", models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=14)),
                ("paid_total", models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=14)),
                ("outstanding", models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=14)),
                ("oldest_unpaid_due_date", models.DateField(blank=True, null=True)),
                ("last_invoice_date", models.DateField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "customer balance",
                "verbose_name_plural": "customer balances",
            },
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("status", "issued")),
                fields=["customer", "due_date"],
                name="invoice_customer_unpaid_idx",
            ),
        ),
        migrations.AddField(
            model_name="customerbalance",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="balances",
                to="customers.customer",
            ),
        ),
        migrations.AddConstraint(
            model_name="customerbalance",
            constraint=models.UniqueConstraint(
                fields=("customer", "currency"), name="customer_balance_unique_currency"
            ),
        ),
        migrations.RunSQL(sql=BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
