"""Cheaper deactivation (issue #17): a deactivating UPDATE changes `active` and `updated_at`, which indexes
mention (the active-NIF uniqueness rule, the updated_at sort and `updated_since`), so it can never be a
HOT update: every row version takes an entry in every index. This drops the indexes no query needs and
gives the row versions room on their own page.

- customer_account_mode_idx: every other b-tree leads with (account, mode), and the unfiltered counts
  read customers_customercount.
- customer_account_active_idx: `active` lists walk the sort key's index and skip the other status (1 row
  in 5 is inactive): the first page is as fast, page 500 of the inactive list goes from ~8 to ~64 ms.
- merged_into's index becomes partial: only merged customers are ever looked up by it, and a full index
  took a NULL entry for every version of every customer.
- fillfactor 90: a new row version fits on its page, one heap page dirtied instead of two. It applies to
  pages written from now on (a table rewrite, e.g. pg_repack, applies it to the existing ones).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from beel.db.operations import PostgreSQLOnlyRunSQL


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0014_customer_list_versions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='customer',
            name='customer_account_mode_idx',
        ),
        migrations.RemoveIndex(
            model_name='customer',
            name='customer_account_active_idx',
        ),
        migrations.AlterField(
            model_name='customer',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_customers', to='customers.customer'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='customer_merged_into_idx'),
        ),
        PostgreSQLOnlyRunSQL(
            sql="ALTER TABLE customers_customer SET (fillfactor = 90)",
            reverse_sql="ALTER TABLE customers_customer RESET (fillfactor)",
        ),
    ]
