"""The invoice's account and customer lose their own indexes (issue #17's index audit): every
(account, mode, ...) index leads with the account, and invoice_customer_status_idx with the customer, so
the foreign-key lookups and checks keep an index and each new invoice writes two index entries fewer."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0015_cheaper_deactivation'),
        ('invoices', '0005_drafts_unnumbered_and_recipient_copy'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='invoice',
            name='account',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='customer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='customers.customer'),
        ),
    ]
