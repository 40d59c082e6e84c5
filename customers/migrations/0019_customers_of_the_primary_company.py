"""Every existing customer belongs to its account's primary company: set-based, in committed batches along the
primary key (beel.db.backfill), so no transaction holds a million rows. Only rows still without a company
are touched: a run that was interrupted resumes, and rows the trigger of 0018 filled are left alone."""

from django.db import migrations

from beel.db.backfill import update_in_batches

PRIMARY_COMPANY = (
    "company_id = (SELECT c.id FROM companies_company c"
    " WHERE c.account_id = customers_customer.account_id AND c.is_primary)"
)


def fill_company(apps, schema_editor):
    update_in_batches(
        schema_editor.connection, table="customers_customer", assignments=PRIMARY_COMPANY, pending="company_id IS NULL"
    )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("customers", "0018_company_columns")]

    operations = [migrations.RunPython(fill_company, migrations.RunPython.noop, elidable=True)]
