"""The `customer.deleted` event type (BeeL 1.9.0's deleteCompanyCustomer)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_event_company"),
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
