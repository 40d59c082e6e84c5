from django.db import migrations


class Migration(migrations.Migration):
    """IdempotencyRecord now lives in the idempotency app (beel.idempotency), which keeps its table:
    a state-only removal here."""

    dependencies = [
        ("apikeys", "0003_live_and_test_modes"),
        ("idempotency", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
