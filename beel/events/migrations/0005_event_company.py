from django.db import migrations, models


class Migration(migrations.Migration):
    """Every event names the company whose object changed. A nullable column without a default: on PostgreSQL
    a change of the catalog only, however many events the table holds; the events recorded before companies
    keep null."""

    dependencies = [
        ("events", "0004_no_redundant_fk_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="company_id",
            field=models.UUIDField(blank=True, null=True),
        ),
    ]
