from django.db import migrations, models


class Migration(migrations.Migration):
    """An endpoint may listen to some companies of its account; the existing ones listen to all (empty)."""

    dependencies = [
        ("webhooks", "0001_webhook_endpoints_and_deliveries"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="company_ids",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
