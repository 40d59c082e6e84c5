"""Invoices and their numbering series belong to a company, and an issued invoice keeps its issuer (issue 24).
As for customers (customers 0018-0020): nullable columns here (the invoice's foreign key NOT VALID), committed
batches in 0008, required in 0009.

On PostgreSQL, triggers give what the release still running inserts without a company the company it means:
an invoice its customer's, a series counter its account's primary company (see customers 0018)."""

import django.db.models.deletion
from django.db import migrations, models

from beel.db.online import AddForeignKeyOnline
from beel.db.operations import PostgreSQLOnlyRunSQL

COMPANY_OF_OLD_RELEASE = """
CREATE FUNCTION invoices_company_of_old_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.company_id := (SELECT c.company_id FROM customers_customer c WHERE c.id = NEW.customer_id);
    RETURN NEW;
END $$;
CREATE TRIGGER invoices_company_of_old_release BEFORE INSERT ON invoices_invoice
    FOR EACH ROW WHEN (NEW.company_id IS NULL) EXECUTE FUNCTION invoices_company_of_old_release();

CREATE FUNCTION invoice_counters_company_of_old_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.company_id := (SELECT c.id FROM companies_company c WHERE c.account_id = NEW.account_id AND c.is_primary);
    RETURN NEW;
END $$;
CREATE TRIGGER invoice_counters_company_of_old_release BEFORE INSERT ON invoices_invoiceseriescounter
    FOR EACH ROW WHEN (NEW.company_id IS NULL) EXECUTE FUNCTION invoice_counters_company_of_old_release();
"""
NO_COMPANY_TRIGGERS = """
DROP TRIGGER IF EXISTS invoices_company_of_old_release ON invoices_invoice;
DROP FUNCTION IF EXISTS invoices_company_of_old_release();
DROP TRIGGER IF EXISTS invoice_counters_company_of_old_release ON invoices_invoiceseriescounter;
DROP FUNCTION IF EXISTS invoice_counters_company_of_old_release();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_a_primary_company_for_every_account"),
        ("customers", "0020_company_required"),
        ("invoices", "0006_foreign_keys_use_the_composite_indexes"),
    ]

    atomic = False
    operations = [
        AddForeignKeyOnline(
            model_name="invoice",
            name="company",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="companies.company",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="issuer",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="issuer"),
        ),
        migrations.AddField(
            model_name="invoiceseriescounter",
            name="company",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="companies.company"
            ),
        ),
        PostgreSQLOnlyRunSQL(sql=COMPANY_OF_OLD_RELEASE, reverse_sql=NO_COMPANY_TRIGGERS),
    ]
