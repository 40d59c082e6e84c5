"""The invoice's company is required; numbering series are per company (an account's two companies each
have their own correlative A series); the list indexes lead with the company."""

import django.db.models.deletion
from django.db import migrations, models


def add_index(fields: list[str], name: str):
    return migrations.AddIndex(model_name="invoice", index=models.Index(fields=fields, name=name))


class Migration(migrations.Migration):
    dependencies = [("invoices", "0008_invoices_of_their_customers_company")]

    operations = [
        migrations.AlterField(
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
        migrations.RemoveConstraint(model_name="invoice", name="invoice_unique_number_per_series"),
        migrations.RemoveConstraint(model_name="invoiceseriescounter", name="invoice_series_counter_unique"),
        migrations.RemoveIndex(model_name="invoice", name="invoice_account_order_idx"),
        migrations.RemoveIndex(model_name="invoice", name="invoice_account_created_idx"),
        migrations.RemoveIndex(model_name="invoice", name="invoice_account_updated_idx"),
        migrations.RemoveField(model_name="invoiceseriescounter", name="account"),
        add_index(["company", "mode", "-issue_date", "series", "-number", "id"], "invoice_company_order_idx"),
        add_index(["company", "mode", "created_at", "id"], "invoice_company_created_idx"),
        add_index(["company", "mode", "updated_at", "id"], "invoice_company_updated_idx"),
        migrations.AddConstraint(
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
    ]
