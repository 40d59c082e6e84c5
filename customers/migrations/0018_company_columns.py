"""Customers belong to a company (issue 24), in three steps so that 1,000,000 customers never wait behind a
table lock: the columns arrive nullable here (a catalogue change, no rewrite; the foreign key NOT VALID, so
nothing is scanned under the ALTER TABLE's lock), 0019 fills them in committed batches, 0020 makes them
required and moves the indexes and constraints from the account to the company (beel.db.online).

The release still running while this one migrates inserts customers without a company: on PostgreSQL a
trigger gives each such row its account's primary company (what that release's single company is), so the
backfill never misses a row inserted behind it and 0020's NOT NULL holds for both releases. The release after
this one drops the trigger (docs/deploy.md, "Data migrations")."""

import django.db.models.deletion
from django.db import migrations, models

from beel.db.online import AddForeignKeyOnline
from beel.db.operations import PostgreSQLOnlyRunSQL

COMPANY_OF_OLD_RELEASE = """
CREATE FUNCTION customers_company_of_old_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.company_id := (SELECT c.id FROM companies_company c WHERE c.account_id = NEW.account_id AND c.is_primary);
    RETURN NEW;
END $$;
CREATE TRIGGER customers_company_of_old_release BEFORE INSERT ON customers_customer
    FOR EACH ROW WHEN (NEW.company_id IS NULL) EXECUTE FUNCTION customers_company_of_old_release();
"""
NO_COMPANY_TRIGGER = """
DROP TRIGGER IF EXISTS customers_company_of_old_release ON customers_customer;
DROP FUNCTION IF EXISTS customers_company_of_old_release();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_a_primary_company_for_every_account"),
        ("customers", "0017_beel_payment_methods_and_website"),
    ]

    atomic = False
    operations = [
        AddForeignKeyOnline(
            model_name="customer",
            name="company",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="customers",
                to="companies.company",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted at"),
        ),
        migrations.AddField(
            model_name="customercount",
            name="company",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="companies.company"
            ),
        ),
        PostgreSQLOnlyRunSQL(sql=COMPANY_OF_OLD_RELEASE, reverse_sql=NO_COMPANY_TRIGGER),
    ]
