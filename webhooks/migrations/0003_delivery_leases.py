"""Which deliveries an attempt holds (`leased_until`), so an endpoint's attempts in flight can be counted and
bounded (WEBHOOK_ENDPOINT_CONCURRENCY), with the two small partial indexes that the claim's count and the
hand-over of an endpoint's next due delivery read. Reversible: the field and indexes are dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_endpoints_listen_to_companies"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="leased_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["endpoint", "next_attempt_at"],
                name="webhook_delivery_next_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(("leased_until__isnull", False)),
                fields=["endpoint", "leased_until"],
                name="webhook_delivery_lease_idx",
            ),
        ),
    ]
