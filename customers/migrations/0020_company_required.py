"""The company becomes required; the list indexes, the identifier's uniqueness and the counters move from the
account to the company (an account's two companies may each have a customer with the same NIF).

The counting triggers (0008, 0014) now group by company: the counters' rows are rebuilt from the customers,
and their versions restart above every earlier one (the migration's time in microseconds), so no count
cached under an older version can be read again.

The rebuild counts the customers by company without stopping anyone (SNAPSHOT: one REPEATABLE READ
transaction reads the customers and the counters by account as of one moment), then, in the short
transaction that keeps the customers' writers out, adds what those writers changed since: the difference
between the counters by account now and at that moment, counted by the triggers of the release before, which
writes only its accounts' primary companies and deletes no one. So the counts are exact, and the writers wait
for a few hundred rows of counters instead of a count over every customer.

At 1,000,000 customers no step holds a lock that stops writers for long (beel.db.online; measured in
docs/performance.md): NOT NULL is proven by a validated CHECK, the new indexes and unique indexes are built
CONCURRENTLY before the old ones are dropped CONCURRENTLY (so no moment lacks either the lists' indexes or
the identifier's uniqueness: with one company per account the two uniquenesses are the same), and the
counters change in one short transaction that keeps the customers' writers out (readers in) while the
triggers change and the counts are brought up to date, so no write is counted twice or missed."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

from beel.db.online import (
    AddIndexOnline,
    AddUniqueConstraintOnline,
    InOneTransaction,
    RemoveIndexOnline,
    RemoveUniqueConstraintOnline,
    SetNotNullOnline,
)
from beel.db.operations import PostgreSQLOnlyRunSQL

# A deleted customer (deleteCompanyCustomer) is in no list, so in no count: deleting one leaves its group.
NEW_ROWS = "SELECT account_id, company_id, mode, active, 1 AS delta FROM new_rows WHERE deleted_at IS NULL"
OLD_ROWS = "SELECT account_id, company_id, mode, active, -1 AS delta FROM old_rows WHERE deleted_at IS NULL"


def upsert(changes: str) -> str:
    # Every touched group, even one whose net change is 0, so that its version moves; in a fixed order, so two
    # transactions never wait on each other's counter rows in opposite orders.
    return f"""
    INSERT INTO customers_customercount (account_id, company_id, mode, active, n, version)
    SELECT account_id, company_id, mode, active, sum(delta), 1 FROM ({changes}) AS changes
    GROUP BY account_id, company_id, mode, active
    ORDER BY company_id, mode, active
    ON CONFLICT (company_id, mode, active) DO UPDATE
        SET n = customers_customercount.n + EXCLUDED.n, version = customers_customercount.version + 1;
"""


COUNT_BY_COMPANY = f"""
CREATE OR REPLACE FUNCTION customers_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {upsert(NEW_ROWS)}
    ELSIF TG_OP = 'DELETE' THEN
        {upsert(OLD_ROWS)}
    ELSE
        {upsert(NEW_ROWS + " UNION ALL " + OLD_ROWS)}
    END IF;
    RETURN NULL;
END $$;

DELETE FROM customers_customercount;
INSERT INTO customers_customercount (account_id, company_id, mode, active, n, version)
    SELECT account_id, company_id, mode, active, sum(n), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
    FROM (
        SELECT account_id, company_id, mode, active, n FROM customers_count_snapshot
        UNION ALL
        SELECT since.account_id, primary_company.id, since.mode, since.active, since.n
        FROM (
            SELECT account_id, mode, active, sum(n) AS n FROM (
                SELECT account_id, mode, active, n FROM customers_count_now
                UNION ALL
                SELECT account_id, mode, active, -n FROM customers_count_snapshot_by_account
            ) AS both_moments GROUP BY account_id, mode, active
        ) AS since
        JOIN companies_company primary_company ON primary_company.account_id = since.account_id
            AND primary_company.is_primary
    ) AS counted
    GROUP BY account_id, company_id, mode, active HAVING sum(n) > 0;
DROP TABLE customers_count_snapshot, customers_count_snapshot_by_account, customers_count_now;
"""

# Outside the lock, as of one moment: the customers by company, and the counters by account (exact, kept by
# the triggers of 0014 in the same transactions as the customers). Temporary tables: the migration's session.
SNAPSHOT = """
DROP TABLE IF EXISTS customers_count_snapshot, customers_count_snapshot_by_account, customers_count_now;
CREATE TEMPORARY TABLE customers_count_snapshot AS
    SELECT account_id, company_id, mode, active, count(*) AS n FROM customers_customer WHERE deleted_at IS NULL
    GROUP BY account_id, company_id, mode, active;
CREATE TEMPORARY TABLE customers_count_snapshot_by_account AS
    SELECT account_id, mode, active, n FROM customers_customercount;
"""
# Under the lock, first: the counters by account now (before they are emptied).
COUNTED_NOW = "CREATE TEMPORARY TABLE customers_count_now AS SELECT account_id, mode, active, n FROM customers_customercount;"


# Back to counting by account (0014's functions): the counters are emptied here, and refilled by account once
# their company column is nullable again (the reverse of the first DELETE below).
COUNT_BY_ACCOUNT = (
    importlib.import_module("customers.migrations.0014_customer_list_versions").functions(versioned=True)
    + "DELETE FROM customers_customercount;"
)
RECOUNT_BY_ACCOUNT = """
INSERT INTO customers_customercount (account_id, mode, active, n, version)
    SELECT account_id, mode, active, count(*), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
    FROM customers_customer GROUP BY account_id, mode, active;
"""


def add_index(fields: list[str], name: str):
    return AddIndexOnline(model_name="customer", index=models.Index(fields=fields, name=name))


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("customers", "0019_customers_of_the_primary_company")]

    operations = [
        SetNotNullOnline(
            model_name="customer",
            name="company",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="customers", to="companies.company"
            ),
        ),
        add_index(["company", "mode", "created_at", "id"], "customer_company_created_idx"),
        add_index(["company", "mode", "updated_at", "id"], "customer_company_updated_idx"),
        add_index(["company", "mode", "legal_name_folded", "id"], "customer_company_name_idx"),
        add_index(["company", "mode", "nif", "id"], "customer_company_nif_idx"),
        add_index(["company", "mode", "email", "id"], "customer_company_email_idx"),
        add_index(["company", "mode", "city_folded", "id"], "customer_company_city_idx"),
        add_index(["company", "mode", "province_folded", "id"], "customer_company_province_idx"),
        AddUniqueConstraintOnline(
            model_name="customer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True), models.Q(("nif", ""), _negated=True)),
                fields=("company", "mode", "nif"),
                name="customer_unique_active_nif_per_company",
            ),
        ),
        AddUniqueConstraintOnline(
            model_name="customer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True), models.Q(("alternative_id_type", ""), _negated=True)),
                fields=("company", "mode", "alternative_id_country", "alternative_id_number"),
                name="customer_unique_active_alternative_id_per_company",
            ),
        ),
        RemoveUniqueConstraintOnline(model_name="customer", name="customer_unique_active_nif_per_account"),
        RemoveUniqueConstraintOnline(model_name="customer", name="customer_unique_active_alternative_id"),
        *(
            RemoveIndexOnline(model_name="customer", name=f"customer_account_{key}_idx")
            for key in ("created", "updated", "name", "nif", "email", "city", "province")
        ),
        InOneTransaction(
            first="SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            operations=[PostgreSQLOnlyRunSQL(sql=SNAPSHOT, reverse_sql=migrations.RunSQL.noop)],
        ),
        InOneTransaction(
            first="LOCK TABLE customers_customer IN SHARE MODE",
            operations=[
                PostgreSQLOnlyRunSQL(sql=COUNTED_NOW, reverse_sql=migrations.RunSQL.noop),
                migrations.RemoveConstraint(model_name="customercount", name="customer_count_unique_group"),
                # Rebuilt by COUNT_BY_COMPANY below from the customers themselves, so no row may lack its company.
                PostgreSQLOnlyRunSQL(sql="DELETE FROM customers_customercount;", reverse_sql=RECOUNT_BY_ACCOUNT),
                migrations.AlterField(
                    model_name="customercount",
                    name="company",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="companies.company"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="customercount",
                    constraint=models.UniqueConstraint(
                        fields=("company", "mode", "active"), name="customer_count_unique_company_group"
                    ),
                ),
                PostgreSQLOnlyRunSQL(sql=COUNT_BY_COMPANY, reverse_sql=COUNT_BY_ACCOUNT),
            ],
        ),
    ]
