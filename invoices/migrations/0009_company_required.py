"""The invoice's company is required; numbering series are per company (an account's two companies each
have their own correlative A series); the list indexes lead with the company.

As customers 0020, without a long lock at 1,000,000 invoices (beel.db.online; docs/performance.md): NOT NULL
from a validated CHECK, the new indexes and the new numbering uniqueness built CONCURRENTLY before the old ones
are dropped CONCURRENTLY. The series counters are a few rows per account: plain operations.

The counter's `account` leaves the model, but on PostgreSQL its column stays, no longer required: the release
still running during the deploy looks its counters up by account and inserts them with one (the trigger of
0007 gives those the primary company). The release after this one drops the column and the triggers."""

import django.db.models.deletion
from django.db import migrations, models

from beel.db.online import (
    AddIndexOnline,
    AddUniqueConstraintOnline,
    RemoveFieldLater,
    RemoveIndexOnline,
    RemoveUniqueConstraintOnline,
    SetNotNullOnline,
)


def add_index(fields: list[str], name: str):
    return AddIndexOnline(model_name="invoice", index=models.Index(fields=fields, name=name))


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("invoices", "0008_invoices_of_their_customers_company")]

    operations = [
        SetNotNullOnline(
            model_name="invoice",
            name="company",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="invoices", to="companies.company"
            ),
        ),
        migrations.AlterField(
            model_name="invoiceseriescounter",
            name="company",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="companies.company"
            ),
        ),
        add_index(["company", "mode", "-issue_date", "series", "-number", "id"], "invoice_company_order_idx"),
        add_index(["company", "mode", "created_at", "id"], "invoice_company_created_idx"),
        add_index(["company", "mode", "updated_at", "id"], "invoice_company_updated_idx"),
        AddUniqueConstraintOnline(
            model_name="invoice",
            constraint=models.UniqueConstraint(
                condition=models.Q(("number__isnull", False)),
                fields=("company", "mode", "series", "number"),
                name="invoice_unique_number_per_company_series",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoiceseriescounter",
            constraint=models.UniqueConstraint(
                fields=("company", "mode", "series"), name="invoice_series_counter_unique_per_company"
            ),
        ),
        RemoveUniqueConstraintOnline(model_name="invoice", name="invoice_unique_number_per_series"),
        migrations.RemoveConstraint(model_name="invoiceseriescounter", name="invoice_series_counter_unique"),
        RemoveIndexOnline(model_name="invoice", name="invoice_account_order_idx"),
        RemoveIndexOnline(model_name="invoice", name="invoice_account_created_idx"),
        RemoveIndexOnline(model_name="invoice", name="invoice_account_updated_idx"),
        RemoveFieldLater(
            model_name="invoiceseriescounter",
            name="account",
            refill=(
                "account_id = (SELECT c.account_id FROM companies_company c"
                " WHERE c.id = invoices_invoiceseriescounter.company_id)"
            ),
        ),
    ]
