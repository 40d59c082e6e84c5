"""Customers belong to a company (issue 24), in three steps so that 1,000,000 customers never wait behind a
table lock: the columns arrive nullable here (a catalogue change, no rewrite), 0019 fills them in committed
batches, 0020 makes them required and moves the indexes and constraints from the account to the company."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_a_primary_company_for_every_account"),
        ("customers", "0017_beel_payment_methods_and_website"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="company",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="customers",
                to="companies.company",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted at"),
        ),
        migrations.AddField(
            model_name="customercount",
            name="company",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="companies.company"
            ),
        ),
    ]
