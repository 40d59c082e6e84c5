"""The customer list sorted by what is owed (sort_by=outstanding) reads the customers who owe in the order of
their balances: an index on (currency, outstanding, customer) that PostgreSQL walks from either end, a page's
few rows at a time, instead of joining every customer to its balance before picking a page. Built
CONCURRENTLY on PostgreSQL (beel.db.online), so issuing and paying go on meanwhile."""

from django.db import migrations, models

from beel.db.online import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("invoices", "0016_unpaid_aging_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="customerbalance",
            index=models.Index(fields=["currency", "outstanding", "customer"], name="customer_balance_owed_idx"),
        ),
    ]
