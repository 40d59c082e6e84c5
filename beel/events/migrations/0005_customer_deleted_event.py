"""The `customer.deleted` event type (BeeL 1.9.0's deleteCompanyCustomer)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_no_redundant_fk_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="type",
            field=models.CharField(
                choices=[
                    ("customer.created", "Customer Created"),
                    ("customer.updated", "Customer Updated"),
                    ("customer.deactivated", "Customer Deactivated"),
                    ("customer.reactivated", "Customer Reactivated"),
                    ("customer.anonymized", "Customer Anonymized"),
                    ("customer.merged", "Customer Merged"),
                    ("customer.deleted", "Customer Deleted"),
                    ("invoice.created", "Invoice Created"),
                    ("invoice.issued", "Invoice Issued"),
                    ("invoice.cancelled", "Invoice Cancelled"),
                ],
                max_length=40,
            ),
        ),
    ]
