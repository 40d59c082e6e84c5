from django.db import migrations, models


class Migration(migrations.Migration):
    """A stored response becomes the text of its rendered data: a JSON column refused a Decimal (a 500 after the
    work was done) and PostgreSQL's jsonb reordered the keys of what a replay answers. The existing rows' JSON
    is kept as its text (PostgreSQL casts jsonb to text, and text back to jsonb on reversal)."""

    dependencies = [("idempotency", "0002_records_per_mode")]

    operations = [
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="response_data",
            field=models.TextField(null=True),
        ),
    ]
