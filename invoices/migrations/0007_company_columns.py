"""Invoices and their numbering series belong to a company, and an issued invoice keeps its issuer (issue 24).
As for customers (customers 0018-0020): nullable columns here, committed batches in 0008, required in 0009."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_a_primary_company_for_every_account"),
        ("customers", "0020_company_required"),
        ("invoices", "0006_foreign_keys_use_the_composite_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="company",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="companies.company",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="issuer",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="issuer"),
        ),
        migrations.AddField(
            model_name="invoiceseriescounter",
            name="company",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="companies.company"
            ),
        ),
    ]
