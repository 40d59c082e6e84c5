"""Every existing invoice belongs to its customer's company (the account's primary company, customers 0019),
and every series counter to the account's primary company. Set-based, in committed batches. Invoices issued
before companies have no `issuer` copy: there was no issuer to copy, and inventing one now would put on a
legal document what it never said. Only rows still without a company are
touched (an interrupted run resumes; what 0007's triggers filled stays)."""

from django.db import migrations

from beel.db.backfill import update_in_batches


def fill_company(apps, schema_editor):
    connection = schema_editor.connection
    update_in_batches(
        connection,
        table="invoices_invoice",
        assignments=(
            "company_id = (SELECT c.company_id FROM customers_customer c WHERE c.id = invoices_invoice.customer_id)"
        ),
        pending="company_id IS NULL",
    )
    update_in_batches(
        connection,
        table="invoices_invoiceseriescounter",
        assignments=(
            "company_id = (SELECT c.id FROM companies_company c"
            " WHERE c.account_id = invoices_invoiceseriescounter.account_id AND c.is_primary)"
        ),
        pending="company_id IS NULL",
    )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("invoices", "0007_company_columns")]

    operations = [migrations.RunPython(fill_company, migrations.RunPython.noop, elidable=True)]
