"""A version per (account, mode, active) counter row, raised by the counting triggers with every statement
that writes the group's customers (PostgreSQL only; SQLite has neither counters nor versions).

The sum of an account and mode's versions changes in the same transaction as any write to its customers,
whatever made it (services, ORM `.update()`, raw SQL, bulk inserts), so a filtered list's exact count can
be reused under that sum until the next write (customers.totals). Unlike the counters, a statement that
moves no customer between groups (a rename) now also updates its group's row: the version lives in the row
the counters already lock, in the same ordered upsert, so no new lock and no new lock order appear (see the
lock order in invoices/services.py).

Existing rows start at the migration's time in microseconds rather than 0: versions then never repeat one
from before a reverse migration, which would let a count cached then be read again.
"""

from django.db import migrations, models

from beel.db.operations import PostgreSQLOnlyRunSQL


def upsert(changes: str, *, versioned: bool) -> str:
    if not versioned:
        return f"""
    INSERT INTO customers_customercount (account_id, mode, active, n)
    SELECT account_id, mode, active, sum(delta) FROM ({changes}) AS changes
    GROUP BY account_id, mode, active
    HAVING sum(delta) <> 0
    ORDER BY account_id, mode, active
    ON CONFLICT (account_id, mode, active) DO UPDATE SET n = customers_customercount.n + EXCLUDED.n;
"""
    # Every touched group, even one whose net change is 0, so that its version moves.
    return f"""
    INSERT INTO customers_customercount (account_id, mode, active, n, version)
    SELECT account_id, mode, active, sum(delta), 1 FROM ({changes}) AS changes
    GROUP BY account_id, mode, active
    ORDER BY account_id, mode, active
    ON CONFLICT (account_id, mode, active) DO UPDATE
        SET n = customers_customercount.n + EXCLUDED.n, version = customers_customercount.version + 1;
"""


NEW_ROWS = "SELECT account_id, mode, active, 1 AS delta FROM new_rows"
OLD_ROWS = "SELECT account_id, mode, active, -1 AS delta FROM old_rows"


def functions(*, versioned: bool) -> str:
    reset = (
        "UPDATE customers_customercount SET n = 0, version = version + 1;"
        if versioned
        else "DELETE FROM customers_customercount;"
    )
    return f"""
CREATE OR REPLACE FUNCTION customers_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {upsert(NEW_ROWS, versioned=versioned)}
    ELSIF TG_OP = 'DELETE' THEN
        {upsert(OLD_ROWS, versioned=versioned)}
    ELSE
        {upsert(NEW_ROWS + " UNION ALL " + OLD_ROWS, versioned=versioned)}
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION customers_count_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {reset}
    RETURN NULL;
END $$;
"""


FORWARD = (
    functions(versioned=True)
    + "UPDATE customers_customercount SET version = (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;"
)


class Migration(migrations.Migration):
    dependencies = [("customers", "0013_customer_record")]

    operations = [
        migrations.AddField(
            model_name="customercount",
            name="version",
            field=models.BigIntegerField(default=0),
        ),
        # Reversed before the column is dropped: the old functions no longer write it.
        PostgreSQLOnlyRunSQL(sql=FORWARD, reverse_sql=functions(versioned=False)),
    ]
