from django.db import migrations, models


class Migration(migrations.Migration):
    """Endpoints choose the event types they receive (empty: all, which every existing endpoint keeps), and
    keep the secret a rotation replaced while its overlap lasts. Columns with constant defaults: a change of
    the catalog only on PostgreSQL."""

    dependencies = [
        ('webhooks', '0003_delivery_leases'),
    ]

    operations = [
        migrations.AddField(
            model_name='webhookendpoint',
            name='event_types',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='webhookendpoint',
            name='previous_secret',
            field=models.CharField(blank=True, editable=False, max_length=80),
        ),
        migrations.AddField(
            model_name='webhookendpoint',
            name='previous_secret_expires_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
