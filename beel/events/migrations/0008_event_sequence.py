import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Every event recorded so far numbered per account and mode in the order of `created_at` (then id, as the
# outbox ordered them), and each counter set to the last number given: two statements, however many events.
# UPDATE ... FROM runs on PostgreSQL and on SQLite (3.33 and later).
NUMBER_EVENTS = """
UPDATE events_event SET sequence = numbered.n
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY account_id, mode ORDER BY created_at, id) AS n FROM events_event
) AS numbered
WHERE events_event.id = numbered.id
"""
SET_COUNTERS = """
INSERT INTO events_eventsequence (account_id, mode, last)
SELECT account_id, mode, MAX(sequence) FROM events_event GROUP BY account_id, mode
"""


def number_events(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(NUMBER_EVENTS)
        cursor.execute(SET_COUNTERS)


class Migration(migrations.Migration):
    """A `sequence` on every event, per account and mode, kept by a counter row per account and mode
    (beel.events.models.EventSequence explains why a counter and not a database SEQUENCE). Reversible: going
    back drops the column and the counters."""

    dependencies = [
        ("events", "0007_customer_tax_id_verified_type"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EventSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("mode", models.CharField(choices=[("live", "Live"), ("test", "Test")], max_length=4)),
                ("last", models.BigIntegerField(default=0)),
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
                "constraints": [
                    models.UniqueConstraint(fields=("account", "mode"), name="event_sequence_owner_unique")
                ],
            },
        ),
        migrations.AddField(model_name="event", name="sequence", field=models.BigIntegerField(null=True)),
        migrations.RunPython(number_events, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(model_name="event", name="sequence", field=models.BigIntegerField()),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(fields=("account", "mode", "sequence"), name="event_sequence_unique"),
        ),
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
                    ("customer.tax_id_verified", "Customer Tax Id Verified"),
                    ("invoice.created", "Invoice Created"),
                    ("invoice.issued", "Invoice Issued"),
                    ("invoice.cancelled", "Invoice Cancelled"),
                    ("webhook.test", "Webhook Test"),
                ],
                max_length=40,
            ),
        ),
    ]
