from django.db import migrations, models


class Migration(migrations.Migration):
    """The status-change audit trail becomes the customer's whole history: creations and updates (with the
    names of the changed fields) are recorded beside deactivations and reactivations."""

    dependencies = [
        ("customers", "0008_customer_count_triggers"),
    ]

    operations = [
        migrations.RenameModel(old_name="StatusChange", new_name="AuditEntry"),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["-at", "-id"], "verbose_name_plural": "audit entries"},
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("updated", "Updated"),
                    ("deactivated", "Deactivated"),
                    ("reactivated", "Reactivated"),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="customer",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="audit_entries", to="customers.customer"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="changed_fields",
            field=models.JSONField(blank=True, default=list, help_text="For updates: the fields that changed."),
        ),
    ]
