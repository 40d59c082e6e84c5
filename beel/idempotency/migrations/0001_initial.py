import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """IdempotencyRecord moves here from apikeys; its table (apikeys_idempotencyrecord) stays as it is,
    so this only tells Django's state where the model now lives."""

    initial = True

    dependencies = [
        ("apikeys", "0002_idempotency_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=255)),
                        ("fingerprint", models.CharField(help_text="SHA-256 of method, path and body.", max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField(null=True)),
                        ("response_data", models.JSONField(null=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "apikeys_idempotencyrecord",
                        "constraints": [
                            models.UniqueConstraint(fields=("account", "key"), name="idempotency_key_unique_per_account")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
