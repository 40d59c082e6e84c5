"""Benchmark of a customer's `stats` and the customer list by what is owed (issue 29, item 2) on PostgreSQL.

    uv run python bench/stats_bench.py --database beel_bench_stats [--customers 1000000] [--invoices 2000000]

Builds once (reused when the counts match) one account with N customers and M invoices by set-based SQL
(`INSERT ... SELECT generate_series`): every customer has M/N invoices, of every status (10 % drafts, 50 %
paid, 35 % issued, due 30 days after issue, so most of them overdue, 5 % cancelled), 5 % in USD; one
customer has 5,000 more (a long history). The balances are then built by the same INSERT ... SELECT as
migration invoices 0015's backfill, timed. Then, through the full Django stack in this process:

1. GET /customers/{id} with its `stats`, against the same GET with the balance reads left out (the provider
   unregistered: the plain customer GET, the floor), for an ordinary customer and for the long history; and
   the alternative not chosen, the stats aggregated from the invoices on every read (SQL only).
2. The list's first page sorted by outstanding (desc and asc), with has_overdue=true and =false, and
   include=summary on has_overdue=true, against the default first page; the next page of has_overdue=true
   and of the outstanding sort by cursor (which counts nothing).
3. The cost a write pays: refresh_balance of an ordinary customer and of the long history.

Results go to stdout and bench/results/stats.md (or --output).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: the database, Django's settings for benches, the machine's description

LONG_HISTORY = 5_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_data_arguments(parser)
    parser.add_argument("--invoices", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=30, help="Requests per case (median and p95 reported).")
    parser.add_argument("--output", type=Path, default=run.ROOT / "bench" / "results" / "stats.md")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0", help="Redis for the rate-limit counters.")
    return parser.parse_args()


def _insert_customers(cursor, account_id, company_id, n: int) -> None:
    defaults = run._record_defaults()
    columns = run.CUSTOMER_COLUMNS + [column for column, _ in defaults]
    values = [
        "gen_random_uuid()", "%s", "%s", "'Cliente ' || i", "'N' || lpad(i::text, 8, '0')",
        "'c' || i || '@example.com'", "''",
        "'Calle Mayor'", "'1'", "''", "''", "'28001'", "'Madrid'", "'Madrid'", "'España'", "TRUE", "NULL",
        "now() - mod(i, 730) * interval '1 day'", "now() - mod(i, 730) * interval '1 day'", "'cliente ' || i",
        "'madrid'", "'madrid'", "'live'",
    ]  # fmt: skip
    params = [account_id, company_id, *(value for _column, value in defaults)]
    values += ["%s"] * len(defaults)
    cursor.execute(
        f"INSERT INTO customers_customer ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS i",
        [*params, n],
    )


def _insert_invoices(cursor, account_id, company_id, n_customers: int, n_invoices: int) -> None:
    """Invoice g goes to the customer numbered g mod N; its status, currency and dates follow g."""
    defaults = run._invoice_defaults()
    cursor.execute(
        "CREATE TEMP TABLE bench_customer AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n "
        "FROM customers_customer WHERE company_id = %s",
        [company_id],
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_customer (n)")
    columns = [*run.INVOICE_COLUMNS, "due_date", "amount_paid", *(c for c, _ in defaults if c != "amount_paid")]
    status = (
        "CASE WHEN mod(g, 20) < 2 THEN 'draft' WHEN mod(g, 20) < 12 THEN 'paid' WHEN mod(g, 20) < 19 THEN 'issued' "
        "ELSE 'cancelled' END"
    )
    issue_date = "(current_date - mod(g, 700))"
    total = "(mod(g, 997) + 1)::numeric(12, 2)"
    values = [
        "gen_random_uuid()", "%s", "%s", "c.id", "'A'", "CASE WHEN mod(g, 20) < 2 THEN NULL ELSE g END", status,
        issue_date, "CASE WHEN mod(g, 20) = 7 THEN 'USD' ELSE 'EUR' END", total, "0", total, "now()", "now()", "'live'",
        f"{issue_date} + 30",
        f"CASE WHEN mod(g, 20) BETWEEN 2 AND 11 THEN {total} WHEN mod(g, 20) = 13 THEN 1 ELSE 0 END",
    ]  # fmt: skip
    params = [account_id, company_id]
    for column, value in defaults:
        if column != "amount_paid":
            values.append("%s")
            params.append(value)
    cursor.execute(
        f"INSERT INTO invoices_invoice ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM generate_series(1, %s) AS g JOIN bench_customer c ON c.n = mod(g, %s)",
        [*params, n_invoices, n_customers],
    )
    # The long history: LONG_HISTORY more for customer 0.
    cursor.execute(
        f"INSERT INTO invoices_invoice ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM generate_series(%s, %s) AS g JOIN bench_customer c ON c.n = 0",
        [*params, n_invoices + 1, n_invoices + LONG_HISTORY],
    )
    cursor.execute("UPDATE invoices_invoice SET payment_date = issue_date, paid_at = now() WHERE status = 'paid'")


def build(args, account) -> dict[str, float]:
    from django.db import connection

    from companies.models import primary_company_of
    from invoices.balances import REBUILD_SQL

    company = primary_company_of(account)
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM invoices_customerbalance")
        cursor.execute("DELETE FROM invoices_invoice WHERE account_id = %s", [account.pk])
        cursor.execute("DELETE FROM customers_customer WHERE account_id = %s", [account.pk])
        started = time.perf_counter()
        _insert_customers(cursor, account.pk, company.pk, args.customers)
        timings["customers (s)"] = time.perf_counter() - started
        started = time.perf_counter()
        _insert_invoices(cursor, account.pk, company.pk, args.customers, args.invoices)
        timings["invoices (s)"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(REBUILD_SQL.format(where="TRUE"))
        timings["balances backfill, as migration 0015 (s)"] = time.perf_counter() - started
    raw = connection.connection
    raw.commit()
    previous, raw.autocommit = raw.autocommit, True
    for table in ("customers_customer", "invoices_invoice", "invoices_customerbalance"):
        raw.execute(f"VACUUM ANALYZE {table}")
    raw.autocommit = previous
    return timings


def timed(call, repeat: int) -> dict[str, float]:
    call()  # warm
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"median": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1]}


def get_ok(client, url: str, params: dict | None = None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return response


def sql_ms(conn, sql: str, params: list, repeat: int) -> dict[str, float]:
    return timed(lambda: conn.execute(sql, params).fetchall(), repeat)


STATS_FROM_INVOICES = """
SELECT currency, COUNT(*), SUM(total), SUM(amount_paid), MAX(issue_date),
       SUM(CASE WHEN status = 'issued' AND due_date < current_date THEN total - amount_paid ELSE 0 END),
       MIN(CASE WHEN status = 'issued' AND due_date < current_date AND total > amount_paid THEN due_date END)
FROM invoices_invoice WHERE customer_id = %s AND status IN ('issued', 'paid') GROUP BY currency
"""


def main() -> None:
    args = parse_args()
    run.ensure_database(args)
    run.configure_django(args)

    import psycopg
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from apikeys.models import ALL_SCOPES, APIKey
    from customers import receivables
    from customers.models import Customer
    from invoices.balances import InvoiceReceivables, refresh_balance
    from invoices.models import Invoice

    call_command("migrate", verbosity=0)
    account, _ = get_user_model().objects.get_or_create(username="bench-stats")
    build_timings = {}
    invoices_wanted = args.invoices + LONG_HISTORY
    if (
        args.reload
        or Customer.objects.filter(account=account).count() != args.customers
        or Invoice.objects.filter(account=account).count() != invoices_wanted
    ):
        print(f"Building {args.customers:,} customers and {invoices_wanted:,} invoices in {args.database} ...")
        build_timings = build(args, account)
        print(build_timings)
    issued = APIKey.issue(account=account, name="bench", scopes=list(ALL_SCOPES))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    conn = psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.database, autocommit=True)
    long_id = conn.execute(
        "SELECT customer_id FROM invoices_invoice GROUP BY customer_id ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    ordinary_id = conn.execute(
        "SELECT customer_id FROM invoices_customerbalance WHERE oldest_unpaid_due_date < current_date "
        "AND customer_id <> %s LIMIT 1",
        [long_id],
    ).fetchone()[0]
    results: list[tuple[str, dict, str]] = []
    provider = receivables.receivables()
    try:
        for label, customer_id in (("ordinary customer (2 invoices)", ordinary_id), ("long history", long_id)):
            url = f"/api/v1/customers/{customer_id}"
            receivables.register_receivables(receivables._NoInvoices())
            plain = timed(lambda url=url: get_ok(client, url), args.repeat)
            receivables.register_receivables(provider)
            with_stats = timed(lambda url=url: get_ok(client, url), args.repeat)
            results.append((f"GET customer, plain: {label}", plain, "floor"))
            results.append(
                (f"GET customer with stats: {label}", with_stats, f"{with_stats['median'] / plain['median']:.2f}x")
            )
            aggregate = sql_ms(conn, STATS_FROM_INVOICES, [customer_id], args.repeat)
            results.append((f"SQL: stats aggregated from invoices: {label}", aggregate, "alternative"))
            balance = sql_ms(
                conn, "SELECT * FROM invoices_customerbalance WHERE customer_id = %s", [customer_id], args.repeat
            )
            results.append((f"SQL: balance rows: {label}", balance, "chosen"))
        lists = [
            ("default first page", {}),
            ("sort_by=outstanding desc", {"sort_by": "outstanding", "sort_order": "desc"}),
            ("sort_by=outstanding asc", {"sort_by": "outstanding", "sort_order": "asc"}),
            (
                "sort_by=outstanding desc, currency=USD",
                {"sort_by": "outstanding", "sort_order": "desc", "currency": "USD"},
            ),
            ("has_overdue=true", {"has_overdue": "true"}),
            ("has_overdue=false", {"has_overdue": "false"}),
            ("has_overdue=true&include=summary", {"has_overdue": "true", "include": "summary"}),
            ("include=stats (20 rows)", {"include": "stats"}),
        ]
        for label, params in (
            ("has_overdue=true, next page by cursor", {"has_overdue": "true"}),
            ("sort_by=outstanding desc, next page by cursor", {"sort_by": "outstanding", "sort_order": "desc"}),
        ):
            cursor = get_ok(client, "/api/v1/customers", params).json()["data"]["pagination"]["next_cursor"]
            lists.append((label, {**params, "cursor": cursor}))
        floor = None
        for label, params in lists:
            measured = timed(
                lambda params=params: get_ok(client, "/api/v1/customers", params), max(5, args.repeat // 3)
            )
            floor = floor or measured
            results.append((f"list: {label}", measured, f"{measured['median'] / floor['median']:.2f}x"))
        for label, customer_id in (("ordinary customer", ordinary_id), ("long history", long_id)):

            def refresh(customer_id=customer_id):
                with transaction.atomic():
                    refresh_balance(customer_id)
                    transaction.set_rollback(True)

            results.append((f"write: refresh_balance, {label}", timed(refresh, args.repeat), "per invoice change"))
    finally:
        receivables.register_receivables(InvoiceReceivables())
        issued.api_key.revoke()
        connection.close()
    lines = [
        f"# Stats bench: {args.customers:,} customers, {invoices_wanted:,} invoices",
        "",
        *(f"- {name} = {value:.2f}" for name, value in build_timings.items()),
        "",
        "| case | median ms | p95 ms | ratio |",
        "|---|---|---|---|",
        *(f"| {label} | {m['median']:.2f} | {m['p95']:.2f} | {note} |" for label, m, note in results),
    ]
    text = "\n".join(lines)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
