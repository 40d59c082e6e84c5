"""Statement-level triggers that keep customers_customercount exact (PostgreSQL only; SQLite counts rows).

Each INSERT, UPDATE or DELETE statement on customers_customer adds its net change per (account, mode,
active) group to the counters, in the same transaction; groups are upserted in a fixed order so two
transactions never wait on each other's counter rows in opposite orders (no deadlock). An UPDATE that
moves no customer between groups (a name change) touches no counter row."""

from django.db import migrations

from beel.db.operations import PostgreSQLOnlyRunSQL

UPSERT = """
    INSERT INTO customers_customercount (account_id, mode, active, n)
    SELECT account_id, mode, active, sum(delta) FROM ({changes}) AS changes
    GROUP BY account_id, mode, active
    HAVING sum(delta) <> 0
    ORDER BY account_id, mode, active
    ON CONFLICT (account_id, mode, active) DO UPDATE SET n = customers_customercount.n + EXCLUDED.n;
"""
NEW_ROWS = "SELECT account_id, mode, active, 1 AS delta FROM new_rows"
OLD_ROWS = "SELECT account_id, mode, active, -1 AS delta FROM old_rows"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION customers_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {UPSERT.format(changes=NEW_ROWS)}
    ELSIF TG_OP = 'DELETE' THEN
        {UPSERT.format(changes=OLD_ROWS)}
    ELSE
        {UPSERT.format(changes=NEW_ROWS + " UNION ALL " + OLD_ROWS)}
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION customers_count_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM customers_customercount;
    RETURN NULL;
END $$;

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers_customer
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customers_count_changes();
CREATE TRIGGER customers_count_update AFTER UPDATE ON customers_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customers_count_changes();
CREATE TRIGGER customers_count_delete AFTER DELETE ON customers_customer
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customers_count_changes();
CREATE TRIGGER customers_count_truncate AFTER TRUNCATE ON customers_customer
    FOR EACH STATEMENT EXECUTE FUNCTION customers_count_reset();

DELETE FROM customers_customercount;
INSERT INTO customers_customercount (account_id, mode, active, n)
    SELECT account_id, mode, active, count(*) FROM customers_customer GROUP BY account_id, mode, active;
"""

REVERSE = """
DROP TRIGGER IF EXISTS customers_count_insert ON customers_customer;
DROP TRIGGER IF EXISTS customers_count_update ON customers_customer;
DROP TRIGGER IF EXISTS customers_count_delete ON customers_customer;
DROP TRIGGER IF EXISTS customers_count_truncate ON customers_customer;
DROP FUNCTION IF EXISTS customers_count_changes();
DROP FUNCTION IF EXISTS customers_count_reset();
"""


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_customer_counts")]

    operations = [PostgreSQLOnlyRunSQL(sql=FUNCTION, reverse_sql=REVERSE)]
