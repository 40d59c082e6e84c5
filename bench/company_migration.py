"""The companies migrations (customers 0018-0020, invoices 0007-0009) at 1,000,000 customers on PostgreSQL:
how long each step takes, and how long a writer of the release still running waits at most meanwhile.

    uv run python bench/company_migration.py --database beel_speed_mig [--customers 1000000] [--invoices 1000000]

1. Recreates the database, migrates everything, then takes customers back to 0017 (invoices to 0006 with
   them): the schema before companies, with every account's primary company already there (companies 0002).
2. Loads the customers and invoices with set-based SQL (INSERT ... SELECT generate_series, secondary indexes
   dropped during the load and rebuilt after), then VACUUM ANALYZE.
3. Starts a writer process doing what the release before this one does, one short transaction each, without
   pause: update a customer, insert a customer, insert a draft invoice, read a page of the list; none names a
   company (the migrations' triggers give them one). It records every statement's latency.
4. Runs the migrations with every SQL statement timed, and reports per migration and per statement the time
   and the writer's longest wait while it ran (its stall: the lock the migration held that mattered).

Results go to stdout as markdown (docs/performance.md keeps the run of record)."""

import argparse
import bisect
import multiprocessing
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_BEFORE = [("customers", "0017_beel_payment_methods_and_website")]
ACCOUNTS = 20
CITIES = ["Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "A Coruña"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="beel_speed_mig")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5432")
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--no-writer", action="store_true", help="migrate with nobody else writing")
    parser.add_argument(
        "--reuse", action="store_true", help="copy the loaded database kept by an earlier run (<database>_loaded)"
    )
    return parser.parse_args()


def dsn(args) -> str:
    return f"postgres://{args.user}@{args.host}:{args.port}/{args.database}"


def recreate_database(args, *, template: str = "") -> None:
    import psycopg

    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"' + (f' TEMPLATE "{template}"' if template else ""))


def keep_loaded(args) -> None:
    """A copy of the loaded database before any migration, for --reuse."""
    import psycopg

    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}_loaded"')
        conn.execute(f'CREATE DATABASE "{args.database}_loaded" TEMPLATE "{args.database}"')


def configure_django(args) -> None:
    os.environ["DATABASE_URL"] = dsn(args)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"  # as `migrate` in production (beel.ops)
    os.environ["DJANGO_SETTINGS_MODULE"] = "beel.settings"
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------- loading


def _filler(cursor, table: str, given: dict[str, str]) -> tuple[list[str], list[str]]:
    """Columns and SQL values for an INSERT ... SELECT into `table` as the database has it now: `given` for
    the columns named, a neutral value of its type for every other NOT NULL column without a default."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    neutral = {"boolean": "false", "jsonb": "'{}'::jsonb", "numeric": "0", "date": "current_date", "ARRAY": "'{}'"}
    neutral.update(dict.fromkeys(["integer", "bigint", "smallint", "double precision"], "0"))
    columns, values = list(given), list(given.values())
    for column, data_type in cursor.fetchall():
        if column not in given:
            columns.append(column)
            values.append("now()" if data_type.startswith("timestamp") else neutral.get(data_type, "''"))
    return columns, values


def customer_values(account_ids: str, n: str, *, live_id: bool) -> dict[str, str]:
    """SQL for the i-th customer (`n` an SQL integer expression), as the release before companies wrote it."""
    cities = "ARRAY[" + ", ".join(f"'{city}'" for city in CITIES) + "]"
    return {
        "id": f"md5('customer ' || {n})::uuid" if not live_id else "gen_random_uuid()",
        "account_id": f"({account_ids})[1 + mod({n}, {ACCOUNTS})]",
        "mode": "'live'",
        "legal_name": f"'Cliente Ñandú ' || {n}",
        "legal_name_folded": f"'cliente nandu ' || {n}",
        "nif": f"lpad(({n})::text, 8, '0') || 'Z'" if not live_id else "''",
        "email": f"'cliente' || {n} || '@example.es'",
        "city": f"({cities})[1 + mod({n}, {len(CITIES)})]",
        "city_folded": f"lower(({cities})[1 + mod({n}, {len(CITIES)})])",
        "province": "'Madrid'",
        "province_folded": "'madrid'",
        "country": "'España'",
        "active": f"mod({n}, 5) <> 0",
        "created_at": f"now() - ({n}) * interval '1 minute'",
        "updated_at": f"now() - ({n}) * interval '30 seconds'",
    }


def invoice_values(account_ids: str, customers: int, n: str, *, draft: bool) -> dict[str, str]:
    owner = f"1 + mod({n}, {customers})"
    return {
        "id": "gen_random_uuid()",
        "account_id": f"({account_ids})[1 + mod({owner}, {ACCOUNTS})]",
        "customer_id": f"md5('customer ' || ({owner}))::uuid",
        "mode": "'live'",
        "series": "'A'",
        "number": "NULL" if draft else n,
        "status": "'draft'" if draft else "'issued'",
        "issue_date": f"current_date - mod({n}, 700)::int",
        "currency": "'EUR'",
        "subtotal": "100",
        "tax_total": "21",
        "total": "121",
        "created_at": "now()",
        "updated_at": "now()",
    }


def load(args, conn) -> dict[str, float]:
    from django.contrib.auth import get_user_model

    accounts = [
        get_user_model().objects.create(username=f"mig{i}", first_name="Cuenta", last_name=str(i))
        for i in range(ACCOUNTS)
    ]
    account_ids = "ARRAY[" + ", ".join(str(account.pk) for account in accounts) + "]"
    timings, cursor = {}, conn.cursor()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('customers_customer', 'invoices_invoice')"
        " AND indexname NOT LIKE '%%_pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
    )
    secondary = cursor.fetchall()
    for name, _definition in secondary:
        cursor.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    for table, rows, values in [
        ("customers_customer", args.customers, lambda: customer_values(account_ids, "i", live_id=False)),
        ("invoices_invoice", args.invoices, lambda: invoice_values(account_ids, args.customers, "i", draft=False)),
    ]:
        columns, sql_values = _filler(cursor, table, values())
        for start in range(1, rows + 1, 100_000):
            stop = min(start + 99_999, rows)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(sql_values)}"
                f" FROM generate_series({start}, {stop}) AS i"
            )
            print(f"  {table}: {stop:,}", end="\r", flush=True)
        print()
    cursor.execute(
        "INSERT INTO invoices_invoiceseriescounter (account_id, mode, series, last_number)"
        " SELECT account_id, 'live', 'A', max(number) FROM invoices_invoice GROUP BY account_id"
    )
    timings["insert ... select (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    for _name, definition in secondary:
        cursor.execute(definition)
    timings["index build (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    cursor.execute("VACUUM ANALYZE customers_customer")
    cursor.execute("VACUUM ANALYZE invoices_invoice")
    timings["vacuum analyze (s)"] = time.perf_counter() - started
    return timings


# ---------------------------------------------------------------------------------------------- writer


def writer(url: str, customers: int, stop, results) -> None:
    """The release before companies at work: one short autocommitted statement after another."""
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    cursor = conn.cursor()
    cursor.execute("SELECT array_agg(id ORDER BY id) FROM auth_user WHERE username LIKE 'mig%%'")
    (ids,) = cursor.fetchone()
    account_ids = "ARRAY[" + ", ".join(map(str, ids)) + "]"
    # What the old release inserts: the columns it knows (the database it started on had no company).
    with conn.cursor() as probe:
        new_customer = _filler(probe, "customers_customer", customer_values(account_ids, "%s", live_id=True))
        new_invoice = _filler(probe, "invoices_invoice", invoice_values(account_ids, customers, "%s", draft=True))
    insert_customer = (
        f"INSERT INTO customers_customer ({', '.join(new_customer[0])}) SELECT {', '.join(new_customer[1])}"
    )
    insert_invoice = f"INSERT INTO invoices_invoice ({', '.join(new_invoice[0])}) SELECT {', '.join(new_invoice[1])}"
    samples, rng = [], random.Random(24)
    while not stop.is_set():
        n = rng.randint(1, customers)
        for kind, sql, params in [
            ("update", "UPDATE customers_customer SET updated_at = now() WHERE id = md5('customer ' || %s)::uuid", [n]),
            ("insert customer", insert_customer, [customers + n] * insert_customer.count("%s")),
            ("insert invoice", insert_invoice, [n] * insert_invoice.count("%s")),
            (
                "read page",
                "SELECT id FROM customers_customer WHERE account_id = %s AND mode = 'live'"
                " ORDER BY created_at, id LIMIT 20",
                [ids[n % len(ids)]],
            ),
        ]:
            started = time.time()
            cursor.execute(sql, params)
            samples.append((kind, started, time.time() - started))
    results.put(samples)
    conn.close()


# ------------------------------------------------------------------------------------------- migrating


class StatementLog:
    """Every statement the migrations send, with its start and duration (connection.execute_wrapper)."""

    def __init__(self, migration: list):
        self.migration, self.rows = migration, []

    def __call__(self, execute, sql, params, many, context):
        started = time.time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((self.migration[0], " ".join(str(sql).split())[:110], started, time.time() - started))


def migrate(log: StatementLog) -> list[tuple[str, float, float]]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    steps = []

    def progress(action, migration=None, fake=False):
        if action == "apply_start":
            log.migration[0] = f"{migration.app_label}.{migration.name}"
            steps.append([log.migration[0], time.time(), None])
        elif action == "apply_success":
            steps[-1][2] = time.time()

    executor.progress_callback = progress
    with connection.execute_wrapper(log):
        executor.migrate(executor.loader.graph.leaf_nodes())
    return [(name, start, end) for name, start, end in steps]


def stall(samples, start: float, end: float, *, reads: bool = False) -> tuple[float, str]:
    """The writer's longest write (or read) overlapping [start, end], and its kind. `samples` sorted by start;
    no statement of the writer is longer than the longest one, so only those starting after start - longest
    are looked at."""
    begins = samples.begins
    first = bisect.bisect_left(begins, start - samples.longest)
    last = bisect.bisect_right(begins, end)
    overlapping = [
        (duration, kind)
        for kind, began, duration in samples.rows[first:last]
        if began + duration > start and (kind == "read page") == reads
    ]
    return max(overlapping, default=(0.0, "-"))


class Samples:
    def __init__(self, rows):
        self.rows = sorted(rows, key=lambda row: row[1])
        self.begins = [row[1] for row in self.rows]
        self.longest = max((row[2] for row in self.rows), default=0.0)


def _statement_kind(sql: str) -> str:
    """Statements of one kind grouped: the batches of a backfill, the steps of one ALTER."""
    return re.sub(r"\s+", " ", re.sub(r"(%s|\d+)", "?", sql))[:90]


def report(load_timings, steps, log, samples, args) -> None:
    print(f"\n## Companies migration at {args.customers:,} customers and {args.invoices:,} invoices\n")
    for name, value in load_timings.items():
        print(f"- load: {name} {value:.1f}")
    before = [row for row in samples.rows if row[1] < steps[0][1]]
    if before:
        print(
            f"- the writer before the migrations: {len(before)} statements,"
            f" longest {max(row[2] for row in before) * 1000:.0f} ms"
        )
    print(
        "\n| migration | time (s) | writer's longest write (ms) | its kind | longest read (ms) |"
        "\n|---|---:|---:|---|---:|"
    )
    for name, start, end in steps:
        if name.startswith(("customers.00", "invoices.00")):
            longest, kind = stall(samples, start, end)
            read, _kind = stall(samples, start, end, reads=True)
            print(f"| {name} | {end - start:.2f} | {longest * 1000:.0f} | {kind} | {read * 1000:.0f} |")
    groups: dict[tuple[str, str], list] = {}
    for migration, sql, began, duration in log.rows:
        group = groups.setdefault((migration, _statement_kind(sql)), [0, 0.0, 0.0, 0.0])
        group[0] += 1
        group[1] += duration
        group[2] = max(group[2], duration)
        group[3] = max(group[3], stall(samples, began, began + duration)[0])
    print(
        "\n| statement (taking > 0.1 s, or a write waited > 100 ms) | times | total s | longest s |"
        " writer's longest write (ms) |\n|---|---:|---:|---:|---:|"
    )
    for (migration, kind), (count, total, longest, wait) in groups.items():
        if longest > 0.1 or wait > 0.1:
            print(f"| {migration}: `{kind}` | {count} | {total:.2f} | {longest:.2f} | {wait * 1000:.0f} |")
    writes = [row[2] for row in samples.rows if row[0] != "read page"]
    if writes:
        print(f"\nWriter: {len(samples.rows):,} statements during the run, longest write {max(writes) * 1000:.0f} ms.")


def main() -> None:
    args = parse_args()
    recreate_database(args, template=f"{args.database}_loaded" if args.reuse else "")
    configure_django(args)
    from django.core.management import call_command
    from django.db import connection

    load_timings = {"(reused)": 0.0}
    if not args.reuse:
        call_command("migrate", verbosity=0)
        call_command("migrate", *TARGET_BEFORE[0], verbosity=0)
        connection.ensure_connection()
        connection.connection.autocommit = True
        load_timings = load(args, connection.connection)
        connection.close()
        keep_loaded(args)
    spawn = multiprocessing.get_context("spawn")
    stop, results = spawn.Event(), spawn.Queue()
    process = None
    if not args.no_writer:
        process = spawn.Process(target=writer, args=(dsn(args), args.customers, stop, results))
        process.start()
        time.sleep(3)  # the writer's baseline before any migration
    log = StatementLog(["-"])
    steps = migrate(log)
    samples: list = []
    if process is not None:
        time.sleep(1)
        stop.set()
        samples = results.get()
        process.join()
    samples = Samples(samples)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer WHERE company_id IS NULL")
        assert cursor.fetchone()[0] == 0
        # The counters are exact after the writer's inserts during the migrations.
        cursor.execute(
            "SELECT company_id, mode, active, count(*) FROM customers_customer WHERE deleted_at IS NULL"
            " GROUP BY company_id, mode, active EXCEPT SELECT company_id, mode, active, n FROM customers_customercount"
        )
        assert cursor.fetchall() == [], "a counter differs from its count"
    report(load_timings, steps, log, samples, args)


if __name__ == "__main__":
    main()
