"""The audit trail's `deleted` action (BeeL 1.9.0's deleteCompanyCustomer)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0020_company_required"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("updated", "Updated"),
                    ("deactivated", "Deactivated"),
                    ("reactivated", "Reactivated"),
                    ("erasure_requested", "Erasure requested"),
                    ("anonymized", "Anonymized"),
                    ("merged", "Merged into another customer"),
                    ("absorbed", "Absorbed a duplicate"),
                    ("deleted", "Deleted"),
                ],
                max_length=20,
            ),
        ),
    ]
