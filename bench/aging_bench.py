"""Benchmark of the aging report across customers on PostgreSQL (issue 29, item 4).

    uv run python bench/aging_bench.py --database beel_bench_aging [--customers 1000000] [--runs 3]

One account of N customers and 2N invoices (default 1,000,000 and 2,000,000), loaded once by set-based SQL
(`INSERT ... SELECT generate_series`) and reused: each customer has two invoices; by the invoice's number,
half are issued (a quarter of those partly paid), 30% paid, 10% drafts, 10% cancelled; one in 20 is in USD;
due dates spread from 20 days ahead to 180 days past, so every bucket is full. Then, through the full Django
stack in this process (middleware, bearer key, DRF, streaming response):

1. GET /customers/aging/export of the whole account, the stream consumed as a client would: rows per second,
   time to the first row, resident memory before and after; against its floor, the same aggregate's rows by
   `COPY (SELECT ...) TO STDOUT` (the database's own speed, no Python, no CSV cells).
2. GET /customers/aging (first page, 20 rows, default order: total descending) and the same sorted by
   `legal_name`: median of --repeat requests, against the raw SQL of the page plus the totals.
3. The first page as of 30 days ago (payments after that day still owed): the exact, slower path.
4. EXPLAIN (ANALYZE) of today's aggregate, to show the index-only scan of invoice_unpaid_aging_idx.

Results go to stdout and bench/results/aging.md (or --output).
"""

import argparse
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: configure_django, ensure_database, Samples, the machine's description

BENCH_USER = "aging-bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_data_arguments(parser)
    parser.add_argument("--repeat", type=int, default=5, help="Requests per JSON page case.")
    parser.add_argument("--runs", type=int, default=3, help="Runs of the CSV export and its floor.")
    parser.add_argument("--output", type=Path, default=run.ROOT / "bench" / "results" / "aging.md")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0", help="Redis for the rate-limit counters.")
    return parser.parse_args()


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


CUSTOMERS_SQL = """
INSERT INTO customers_customer ({columns})
SELECT md5('aging-customer-' || n)::uuid, %(account)s, %(company)s,
       'Cliente ' || lpad(n::text, 7, '0') || ' SL', lpad((n %% 100000000)::text, 8, '0') || 'Z',
       'cliente' || n || '@example.es', '', '', '', '', '', '28013', 'Madrid', 'Madrid', 'España', true, NULL,
       now(), now(), 'cliente ' || lpad(n::text, 7, '0') || ' sl', 'madrid', 'madrid', 'live' {defaults}
FROM generate_series(1, %(customers)s) AS n
"""
# Invoice g (1..2N) of customer ((g - 1) % N) + 1; its status, amounts and due date follow from g.
INVOICES_SQL = """
INSERT INTO invoices_invoice ({columns})
SELECT md5('aging-invoice-' || g)::uuid, %(account)s, %(company)s,
       md5('aging-customer-' || (((g - 1) %% %(customers)s) + 1))::uuid, 'A',
       CASE WHEN g %% 10 = 8 THEN NULL ELSE g END,
       CASE WHEN g %% 10 < 5 THEN 'issued' WHEN g %% 10 < 8 THEN 'paid' WHEN g %% 10 = 8 THEN 'draft'
            ELSE 'cancelled' END,
       due - 30, CASE WHEN g %% 20 = 0 THEN 'USD' ELSE 'EUR' END, amount, 0, amount,
       CASE WHEN g %% 10 < 5 AND g %% 4 = 0 THEN round(amount / 2, 2) WHEN g %% 10 BETWEEN 5 AND 7 THEN amount
            ELSE 0 END,
       CASE WHEN g %% 10 = 8 THEN NULL ELSE due END, now(), now(), 'live' {defaults}
FROM (
    SELECT g, CURRENT_DATE - ((g * 7919) %% 201 - 20)::int AS due, ((g * 37) %% 100000) / 100.0 + 1 AS amount
    FROM generate_series(1::bigint, %(invoices)s) AS g
) AS spread
"""
CUSTOMER_COLUMNS = [
    "id", "account_id", "company_id", "legal_name", "nif", "email", "phone", "street", "number", "floor", "door",
    "postal_code", "city", "province", "country", "active", "deactivated_at", "created_at", "updated_at",
    "legal_name_folded", "city_folded", "province_folded", "mode",
]  # fmt: skip
INVOICE_COLUMNS = [
    "id", "account_id", "company_id", "customer_id", "series", "number", "status", "issue_date", "currency",
    "subtotal", "tax_total", "total", "amount_paid", "due_date", "created_at", "updated_at", "mode",
]  # fmt: skip


def _insert(cursor, sql: str, model_label: str, listed: list[str], params: dict) -> None:
    defaults = run._record_defaults(model_label, listed)
    names = [*listed, *(column for column, _value in defaults)]
    placeholders = "".join(f", %(default_{n})s" for n in range(len(defaults)))
    params = {**params, **{f"default_{n}": value for n, (_column, value) in enumerate(defaults)}}
    cursor.execute(sql.format(columns=", ".join(names), defaults=placeholders), params)


def load(args, account) -> dict:
    from django.db import connection

    from companies.models import primary_company_of

    company = primary_company_of(account)
    params = {"account": account.pk, "company": company.pk, "customers": args.customers, "invoices": 2 * args.customers}
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM invoices_invoice WHERE account_id = %s", [account.pk])
        cursor.execute("SELECT count(*) FROM customers_customer WHERE account_id = %s", [account.pk])
        if args.reload or cursor.fetchone()[0] != args.customers:  # kept when only the invoices are missing
            cursor.execute("DELETE FROM customers_customer WHERE account_id = %s", [account.pk])
            started = time.perf_counter()
            _insert(cursor, CUSTOMERS_SQL, "customers.Customer", CUSTOMER_COLUMNS, params)
            timings["customers (s)"] = time.perf_counter() - started
        started = time.perf_counter()
        _insert(cursor, INVOICES_SQL, "invoices.Invoice", INVOICE_COLUMNS, params)
        timings["invoices (s)"] = time.perf_counter() - started
    raw = connection.connection
    previous, raw.autocommit = raw.autocommit, True
    started = time.perf_counter()
    raw.execute("VACUUM ANALYZE customers_customer")
    raw.execute("VACUUM ANALYZE invoices_invoice")
    raw.autocommit = previous
    timings["vacuum analyze (s)"] = time.perf_counter() - started
    return timings


def measure_export(client, url: str) -> dict:
    rss_before = rss_mib()
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    lines = size = 0
    first_row = None
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
        if first_row is None and lines > 1:
            first_row = time.perf_counter() - started
    response.close()
    seconds = time.perf_counter() - started
    rows = lines - 1
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "mib": size / 2**20,
        "first_row_s": first_row or 0.0,
        "rss_before": rss_before,
        "rss_after": rss_mib(),
        "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def query_sql(queryset) -> str:
    """A queryset's SQL with its parameters inlined by the database driver (for COPY and EXPLAIN)."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def measure_copy(sql: str) -> dict:
    """The floor: the report's rows straight out of PostgreSQL as CSV text."""
    from django.db import connection

    size = rows = 0
    started = time.perf_counter()
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv, DELIMITER ';')"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            size += len(block)
            rows += bytes(block).count(b"\n")
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds, "mib": size / 2**20}


def time_requests(client, url: str, repeat: int) -> "run.Samples":
    samples = run.Samples()
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.add(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
    return samples


def time_sql(sqls: list[str], repeat: int) -> "run.Samples":
    from django.db import connection

    samples = run.Samples()
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in sqls:
                cursor.execute(sql)
                cursor.fetchall()
        samples.add(time.perf_counter() - started)
    return samples


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [line if len(line) < 150 else line[:147] + "..." for (line,) in cursor.fetchall()]


def main() -> None:
    args = parse_args()
    run.ensure_database(args)
    run.configure_django(args)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from apikeys.models import APIKey
    from beel.clock import today
    from beel.tenancy import DataScope
    from customers.models import Customer
    from invoices import aging_report
    from invoices.models import Invoice

    call_command("migrate", verbosity=0)
    account, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    lines = [f"# Aging across customers: {args.customers:,} customers, {2 * args.customers:,} invoices", ""]
    loaded = Customer.objects.filter(account=account).count(), Invoice.objects.filter(account=account).count()
    if args.reload or loaded != (args.customers, 2 * args.customers):
        print(f"Loading {args.customers:,} customers and {2 * args.customers:,} invoices ...")
        timings = load(args, account)
        print(timings)
        lines += [f"- load: {', '.join(f'{name} {value:.1f}' for name, value in timings.items())}"]
    issued = APIKey.issue(account=account, name="bench-aging", scopes=["invoices:read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    scope = DataScope.of_account(account, "live")
    owed = Invoice.objects.filter(account=account, status="issued").count()
    import psycopg

    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.database) as conn:
        lines += [f"- issued (unpaid) invoices: {owed:,}", *run.machine_description(conn)]
    try:
        asked = aging_report.AgingAsked(as_of=today())
        rows_sql = query_sql(aging_report.aging_rows(scope, asked))
        exports, floors = [], []
        for number in range(args.runs):
            print(f"Run {number + 1} of {args.runs}: the CSV export and its COPY floor ...")
            exports.append(measure_export(client, "/api/v1/customers/aging/export"))
            floors.append(measure_copy(rows_sql))
            print(f"  export {exports[-1]['rows']:,} rows in {exports[-1]['seconds']:.1f} s; "
                  f"COPY {floors[-1]['seconds']:.1f} s")  # fmt: skip
        lines += ["", "## The whole account's CSV (GET /customers/aging/export)", ""]
        lines += ["| run | rows | seconds | rows/s | first row (s) | MiB | RSS before -> after (MiB) | "
                  "COPY floor (s) | floor rows/s | ratio |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for number, (export, floor) in enumerate(zip(exports, floors, strict=True), 1):
            lines.append(
                f"| {number} | {export['rows']:,} | {export['seconds']:.1f} | {export['rows_per_second']:,.0f} | "
                f"{export['first_row_s']:.2f} | {export['mib']:.0f} | {export['rss_before']:.0f} -> "
                f"{export['rss_after']:.0f} | {floor['seconds']:.1f} | {floor['rows_per_second']:,.0f} | "
                f"{export['seconds'] / floor['seconds']:.2f}x |"
            )
        lines += ["", "## JSON pages (GET /customers/aging), median of requests", ""]
        lines += ["| case | median (ms) | p95 (ms) | raw SQL floor (ms) | ratio |", "|---|---|---|---|---|"]
        past = today() - timedelta(days=30)
        cases = [
            ("first page, by total (default)", "", aging_report.AgingAsked(as_of=today())),
            ("first page, by legal_name", "?sort_by=legal_name", aging_report.AgingAsked(
                as_of=today(), sort_by="legal_name", descending=False)),
            (f"first page as of {past} (exact past)", f"?as_of={past}", aging_report.AgingAsked(as_of=past)),
        ]  # fmt: skip
        for name, query, case in cases:
            print(f"JSON: {name} ...")
            api = time_requests(client, "/api/v1/customers/aging" + query, args.repeat)
            page_sql = query_sql(aging_report.aging_rows(scope, case)[:20])
            totals = aging_report.owed_invoices(scope, case.as_of).order_by().values("currency")
            totals_sql = query_sql(totals.annotate(**aging_report._bucket_sums(case.as_of)))
            floor = time_sql([page_sql, totals_sql], args.repeat)
            lines.append(
                f"| {name} | {api.median:.0f} | {api.p95:.0f} | {floor.median:.0f} | {api.median / floor.median:.2f}x |"
            )
        lines += ["", "## Plan of today's aggregate", "", "```", *explain(rows_sql), "```"]
    finally:
        issued.api_key.revoke()
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
