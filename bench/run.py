"""Benchmark of the customers API on PostgreSQL at scale (issue: performance at 1,000,000 customers).

    uv run python bench/run.py --database beel_bench [--customers 1000000] [--repeat 50]

1. Creates the database if needed, migrates it, and loads N demo customers (customers.demo: Spanish names
   with accents, valid NIFs, ~20% inactive, ~10% with invoices) with COPY, indexes dropped during the load
   and rebuilt after. A database that already holds N customers for the bench account is reused
   (--reload forces a fresh load).
2. For each list case, times the API through the full Django stack (middleware, DRF, bearer auth,
   filters, pagination, envelope renderer) and the same page + total computed by one hand-written SQL
   query through psycopg (the floor), and prints the ratio.
3. Walks every customer with `cursor=` (100 a page) and estimates the same walk by page number from
   evenly spaced sample pages (--full-page-walk walks them all), and compares the first cursor page with
   the deepest one for a few sorts and filters.
4. Times the partial-match queries with and without their trigram index (dropped inside a transaction
   that is rolled back), the cost of counting `total_items`, and DELETE /customers/bulk with 1, 10 and
   100 ids (time and number of SQL queries).
5. With --pgbouncer (or only that with --pgbouncer-only), the default page's throughput straight to PostgreSQL
   and through a PgBouncer in transaction mode started for the run (issue 28).

Results go to stdout and to bench/results/latest.md (or --output) as markdown.
"""

import argparse
import contextlib
import math
import multiprocessing
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.replicas import measure_with_a_replica, replica_report  # noqa: E402

BENCH_USER = "bench"
CUSTOMER_COLUMNS = [
    "id", "account_id", "company_id", "legal_name", "nif", "email", "phone", "street", "number", "floor", "door",
    "postal_code", "city", "province", "country", "active", "deactivated_at", "created_at", "updated_at",
    "legal_name_folded", "city_folded", "province_folded", "mode",
]  # fmt: skip
INVOICE_COLUMNS = [
    "id", "account_id", "company_id", "customer_id", "series", "number", "status", "issue_date", "currency", "subtotal",
    "tax_total", "total", "created_at", "updated_at", "mode",
]  # fmt: skip
SELECT_COLUMNS = (
    "id, legal_name, nif, email, phone, street, number, floor, door, postal_code, city, province, country, "
    "active, created_at, updated_at"
)
TRIGRAM_INDEXES = ["customer_name_trgm_idx", "customer_nif_trgm_idx", "customer_email_trgm_idx"]


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Which database holds the bench data and how much of it (bench/run.py and bench/csv_bench.py)."""
    parser.add_argument("--database", required=True, help="PostgreSQL database name (created if missing).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5432")
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reload", action="store_true", help="Reload the data even if already there.")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser)
    parser.add_argument("--repeat", type=int, default=50, help="Repetitions per list case.")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    parser.add_argument("--walk-only", action="store_true", help="Only the cursor and page walks.")
    parser.add_argument("--load-only", action="store_true", help="Load (or check) the data, measure nothing.")
    parser.add_argument(
        "--full-page-walk", action="store_true", help="Walk every page by number instead of sampling pages."
    )
    parser.add_argument("--page-samples", type=int, default=40, help="Pages timed to estimate the page walk.")
    parser.add_argument("--runs", type=int, default=3, help="Runs of every measurement, to report the spread.")
    parser.add_argument("--walk-runs", type=int, default=None, help="Runs that include the walks (default: all).")
    parser.add_argument("--no-throughput", action="store_true", help="Skip the gunicorn + wrk section.")
    parser.add_argument(
        "--replica", action="store_true", help="Add the default page's throughput with a replica (bench/replicas.py)."
    )
    parser.add_argument("--replica-only", action="store_true", help="Measure only the read-replica comparison.")
    parser.add_argument("--bulk-only", action="store_true", help="Measure only DELETE /customers/bulk (1, 10, 100).")
    parser.add_argument("--no-audit", action="store_true", help="Skip timing each index's query without it.")
    parser.add_argument("--http-port", type=int, default=18517, help="Port for the benchmark's gunicorn.")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers.")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per endpoint and concurrency.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32], help="wrk connections.")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0", help="Redis for the rate-limit counters.")
    parser.add_argument(
        "--pgbouncer", action="store_true", help="Also the default page through PgBouncer (transaction mode) vs direct."
    )
    parser.add_argument("--pgbouncer-only", action="store_true", help="Only the PgBouncer vs direct throughput.")
    args = parser.parse_args()
    if args.walk_runs is None:
        args.walk_runs = args.runs
    return args


def configure_django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = f"postgres://{args.user}@{args.host}:{args.port}/{args.database}"
    # Production-like: DEBUG off (no query log in memory), quiet logs.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The load builds indexes over 1,000,000 rows and the baseline scans them: longer than production's limit.
    os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "600000")
    # As in production: Redis holds the rate-limit counters and the API keys' generation, without which a
    # process does not keep copies of keys (APIKEY_CACHE_SECONDS). The bench's keys have their own prefix.
    os.environ.setdefault("CACHE_URL", args.cache_url)
    # As in production, a change's webhook events are handed to a queue for a Celery worker; without a
    # broker Celery would run the dispatch inside the request (eager mode) and bill it to the bulk endpoint.
    # The in-memory broker takes the message and nothing consumes it.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    # The bench measures the stack, not the rate limiter's refusals.
    os.environ.setdefault("RATE_LIMIT_PER_RESOURCE", "1000000/min")
    os.environ.setdefault("RATE_LIMIT_GLOBAL", "1000000/min")
    # The product's settings plus the baseline and bare view under /bench/ (bench/baseline).
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.baseline.settings"
    import django

    django.setup()


def ensure_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.database}"')


# ---------------------------------------------------------------------------------------------- loading


def _record_defaults(model_label: str = "customers.Customer", listed=CUSTOMER_COLUMNS) -> list[tuple[str, object]]:
    """The rest of a customer's (or an invoice's) columns at their model defaults, so the COPY follows the
    model when fields are added instead of failing on their NOT NULL columns."""
    import json

    from django.apps import apps

    defaults = []
    for model_field in apps.get_model(model_label)._meta.concrete_fields:
        if model_field.column in listed or model_field.null:
            continue
        value = model_field.get_default()
        defaults.append((model_field.column, json.dumps(value) if isinstance(value, list | dict) else value))
    return defaults


def _invoice_defaults() -> list[tuple[str, object]]:
    return _record_defaults("invoices.Invoice", INVOICE_COLUMNS)


def _rows_for_chunk(task: tuple[int, int, int, uuid.UUID, float, int]) -> tuple[list[tuple], list[tuple]]:
    """Customer and invoice rows for demo indexes [start, stop). Runs in a worker process."""
    from customers.demo import demo_customer
    from customers.validators import fold
    from invoices.demo import demo_invoices

    start, stop, account_id, company_id, now_ts, total = task
    record_defaults = tuple(value for _column, value in _record_defaults())
    invoice_defaults = tuple(value for _column, value in _invoice_defaults())
    now = datetime.fromtimestamp(now_ts, UTC)
    span = timedelta(days=730)
    customers, invoices = [], []
    for index in range(start, stop):
        demo = demo_customer(index)
        customer_id = uuid.uuid4()
        created = now - span * (1 - index / total)
        updated = created + timedelta(hours=index % 500)
        customers.append(
            (
                customer_id, account_id, company_id, demo.legal_name, demo.nif, demo.email, demo.phone, demo.street,
                demo.number, demo.floor, demo.door, demo.postal_code, demo.city, demo.province, "España",
                demo.active, None if demo.active else updated, created, updated, fold(demo.legal_name),
                fold(demo.city), fold(demo.province), "live", *record_defaults,
            )
        )  # fmt: skip
        for invoice in demo_invoices(index, demo.invoice_count):
            invoices.append(
                (
                    uuid.uuid4(), account_id, company_id, customer_id, "A", None, invoice.status,
                    (created + timedelta(days=invoice.nth * 30)).date(), "EUR", invoice.subtotal, invoice.tax_total,
                    invoice.total, created, created, "live", *invoice_defaults,
                )
            )  # fmt: skip
    return customers, invoices


def load(args: argparse.Namespace, account) -> dict[str, float]:
    from django.db import connection

    from companies.models import primary_company_of
    from customers.models import Customer
    from invoices.models import Invoice, InvoiceSeriesCounter

    company = primary_company_of(account)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM customers_auditentry WHERE customer_id IN "
            "(SELECT id FROM customers_customer WHERE account_id = %s)",
            [account.pk],
        )
        cursor.execute("DELETE FROM invoices_invoice WHERE account_id = %s", [account.pk])
        cursor.execute("DELETE FROM customers_customer WHERE account_id = %s", [account.pk])
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('customers_customer', "
            "'invoices_invoice') AND indexname NOT LIKE '%%_pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
        secondary_indexes = cursor.fetchall()
        for name, _definition in secondary_indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        raw = connection.connection  # psycopg 3 connection under Django's
        chunk = 20_000
        tasks = [
            (start, min(start + chunk, args.customers), account.pk, company.pk, time.time(), args.customers)
            for start in range(0, args.customers, chunk)
        ]
        number = loaded = 0
        customer_columns = CUSTOMER_COLUMNS + [column for column, _value in _record_defaults()]
        with multiprocessing.get_context("fork").Pool(max(1, (os.cpu_count() or 2))) as pool:
            for customers, invoices in pool.imap(_rows_for_chunk, tasks):
                with raw.cursor() as cursor:
                    with cursor.copy(f"COPY customers_customer ({', '.join(customer_columns)}) FROM STDIN") as copy:
                        for row in customers:
                            copy.write_row(row)
                    invoice_columns = INVOICE_COLUMNS + [column for column, _value in _invoice_defaults()]
                    with cursor.copy(f"COPY invoices_invoice ({', '.join(invoice_columns)}) FROM STDIN") as copy:
                        for row in invoices:
                            if row[6] == "draft":  # drafts take no number (invoices.services.issue_invoice)
                                copy.write_row(row)
                                continue
                            number += 1
                            copy.write_row((*row[:5], number, *row[6:]))
                raw.commit()
                loaded += len(customers)
                print(f"  {loaded:,} customers", end="\r", flush=True)
        print()
        timings["copy (s)"] = time.perf_counter() - started
        InvoiceSeriesCounter.objects.update_or_create(company=company, series="A", defaults={"last_number": number})
    finally:
        # Rebuilt even when the load fails, so a failed run never leaves the database without its indexes.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for _name, definition in secondary_indexes:
                cursor.execute(definition)
    timings["index build (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    connection.ensure_connection()
    previous_autocommit = raw.autocommit
    raw.autocommit = True
    raw.execute("VACUUM ANALYZE customers_customer")
    raw.execute("VACUUM ANALYZE invoices_invoice")
    raw.autocommit = previous_autocommit
    timings["vacuum analyze (s)"] = time.perf_counter() - started
    timings["customers"] = Customer.objects.filter(account=account).count()
    timings["invoices"] = Invoice.objects.filter(account=account).count()
    return timings


# ------------------------------------------------------------------------------------------ measuring


@dataclass
class Samples:
    values: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.values.append(seconds * 1000)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        ordered = sorted(self.values)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class ListCase:
    name: str
    params: dict[str, str]
    where: str  # extra SQL condition, "" for none
    where_params: list
    order: str
    page: int = 1
    limit: int = 20
    # The same request to the plain DRF baseline (bench/baseline): its parameter names, icontains semantics.
    baseline: dict[str, str] = field(default_factory=dict)
    # Pages after the first of a counted filter: the API may reuse page 1's count, so it is held to the page
    # alone (target 1.5x) as well as to the floor.
    page_only_target: bool = False

    @property
    def counted(self) -> bool:
        """Nothing but `active` narrows the list: its total is read from customers_customercount, the
        trigger-kept counters, by the API and by the floor alike."""
        return self.where in ("", "active = false", "active = true")


def list_cases(common_term: str, rare_term: str) -> list[ListCase]:
    search_sql = "(legal_name_folded LIKE %s OR email LIKE %s OR nif LIKE %s)"
    common = [f"%{common_term}%", f"%{common_term}%", f"%{common_term.upper()}%"]
    rare = [f"%{rare_term}%", f"%{rare_term}%", f"%{rare_term.upper()}%"]
    return [
        ListCase("default first page", {}, "", [], "created_at, id"),
        ListCase("page 2,000", {"page": "2000"}, "", [], "created_at, id", page=2000, baseline={"page": "2000"}),
        ListCase(f"search={common_term} (common)", {"search": common_term}, search_sql, common, "created_at, id",
                 baseline={"search": common_term}),
        ListCase(f"search={common_term} page 2", {"search": common_term, "page": "2"}, search_sql, common,
                 "created_at, id", page=2, baseline={"search": common_term, "page": "2"}, page_only_target=True),
        ListCase(f"search={rare_term} (rare)", {"search": rare_term}, search_sql, rare, "created_at, id",
                 baseline={"search": rare_term}),
        ListCase("legal_name=ópti (partial)", {"legal_name": "ópti"}, "legal_name_folded LIKE %s", ["%opti%"],
                 "created_at, id", baseline={"legal_name": "ópti"}),
        ListCase("nif=7919 (partial)", {"nif": "7919"}, "nif LIKE %s", ["%7919%"], "created_at, id",
                 baseline={"nif": "7919"}),
        ListCase("email=ruiz12 (partial)", {"email": "ruiz12"}, "email LIKE %s", ["%ruiz12%"], "created_at, id",
                 baseline={"email": "ruiz12"}),
        ListCase("city=Cádiz", {"city": "cadiz"}, "city_folded = %s", ["cadiz"], "created_at, id",
                 baseline={"city": "cádiz"}),
        ListCase("active=false", {"active": "false"}, "active = false", [], "created_at, id",
                 baseline={"active": "false"}),
        ListCase("sort_by=created_at desc", {"sort_by": "created_at", "sort_order": "desc"}, "", [],
                 "created_at DESC, id DESC", baseline={"ordering": "-created_at"}),
        ListCase(
            "province=Madrid + active + sort legal_name + page 50",
            {"province": "madrid", "active": "true", "sort_by": "legal_name", "page": "50", "limit": "50"},
            "province_folded = %s AND active = true",
            ["madrid"],
            "legal_name_folded, id",
            page=50,
            limit=50,
            baseline={"province": "madrid", "active": "true", "ordering": "legal_name", "page": "50",
                      "page_size": "50"},
        ),
    ]  # fmt: skip


def _condition(case: ListCase) -> str:
    # The bench key is a live key of a one-company account: the API confines every query to that company's
    # live data.
    return "company_id = %s AND mode = 'live'" + (f" AND {case.where}" if case.where else "")


def floor_sql(case: ListCase) -> tuple[str, list]:
    """The page and its total in one hand-written statement: the best SQL can do for this request."""
    condition = _condition(case)
    offset = (case.page - 1) * case.limit
    sql = (
        f"SELECT ({count_sql(case)}) AS total, {SELECT_COLUMNS} "
        f"FROM customers_customer WHERE {condition} ORDER BY {case.order} LIMIT {case.limit} OFFSET {offset}"
    )
    return sql, case.where_params


def count_sql(case: ListCase) -> str:
    if case.counted:
        return f"SELECT coalesce(sum(n), 0) FROM customers_customercount WHERE {_condition(case)}"
    return f"SELECT count(*) FROM customers_customer WHERE {_condition(case)}"


def page_sql(case: ListCase) -> str:
    condition = _condition(case)
    offset = (case.page - 1) * case.limit
    return (
        f"SELECT {SELECT_COLUMNS} FROM customers_customer WHERE {condition} "
        f"ORDER BY {case.order} LIMIT {case.limit} OFFSET {offset}"
    )


def time_sql(conn, sql: str, params: list, repeat: int) -> tuple[Samples, list]:
    samples, rows = Samples(), []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = conn.execute(sql, params).fetchall()
        samples.add(time.perf_counter() - started)
    return samples, rows


def measure_lists(args, client, conn, company_id: uuid.UUID, cases: list[ListCase]) -> list[dict]:
    results = []
    for case in cases:
        api, response = Samples(), None
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/api/v1/customers", case.params)
            api.add(time.perf_counter() - started)
        assert response is not None and response.status_code == 200, response.content[:500]
        data = response.json()["data"]
        sql, params = floor_sql(case)
        floor, rows = time_sql(conn, sql, [company_id, *params, company_id, *params], args.repeat)
        expected_ids = [str(row[1]) for row in rows]
        got_ids = [customer["id"] for customer in data["customers"]]
        assert got_ids == expected_ids, f"{case.name}: API and SQL disagree"
        counting, _ = time_sql(conn, count_sql(case), [company_id, *params], args.repeat)
        paging, _ = time_sql(conn, page_sql(case), [company_id, *params], args.repeat)
        bare = None
        if case is cases[0]:
            # The default page as the bare Django view serves it (its floor SQL through psycopg, JsonResponse,
            # the same middleware): what any Django code costs on this machine, in-process like the API.
            bare = Samples()
            for _ in range(args.repeat):
                started = time.perf_counter()
                bare_response = client.get(BARE_URL)
                bare.add(time.perf_counter() - started)
            assert bare_response.status_code == 200, bare_response.content[:500]
        # The baseline scans the table for most cases (icontains, COUNT(*)): fewer repetitions.
        baseline = Samples()
        for _ in range(max(3, args.repeat // 5)):
            started = time.perf_counter()
            baseline_response = client.get(BASELINE_URL, case.baseline)
            baseline.add(time.perf_counter() - started)
            # DRF's page-number pagination answers 404 past the last page (a small --customers).
            assert baseline_response.status_code in (200, 404), baseline_response.content[:500]
        results.append(
            {
                "case": case.name,
                "api": api,
                "sql": floor,
                "count": counting,
                "page": paging,
                "baseline": baseline,
                "bare": bare,
                "page_only_target": case.page_only_target,
                "total_items": data["pagination"]["total_items"],
                "counted": case.counted,
                "rows": len(got_ids),
            }
        )
        print(
            f"  {case.name}: API {api.median:.1f} ms, SQL {floor.median:.1f} ms, page only {paging.median:.1f} ms, "
            f"baseline {baseline.median:.1f} ms"
        )
    return results


def measure_company_resolution(api_key, repeat: int) -> Samples:
    """What companies add to every API request: the key's company read (companies.access, one query on
    companies_company for a flat route without the header), timed alone in-process as a request without a
    copy of its key does it; a copy (with Redis) keeps it, so most requests no longer make it."""
    samples = Samples()
    for _ in range(repeat):
        # The read a request makes when its key is not a process's copy (APIKey._only_company keeps it on one).
        api_key.__dict__.pop("_only_company_memo", None)
        started = time.perf_counter()
        api_key.data_scope()
        samples.add(time.perf_counter() - started)
    return samples


def company_resolution_report(resolution: Samples, runs: list[dict]) -> list[str]:
    pages = [run["lists"][0]["api"].median for run in runs if run.get("lists")]
    share = f", {resolution.median / statistics.median(pages):.1%} of the default page's API time" if pages else ""
    return [
        "## The company read per request",
        "",
        f"`APIKey.data_scope()` (the active company of a one-company account): median {resolution.median:.3f} ms, "
        f"p95 {resolution.p95:.3f} ms{share}.",
        "",
    ]


def measure_without_indexes(args, conn, company_id: uuid.UUID, cases: list[ListCase]) -> list[dict]:
    """Same statement with and without the trigram indexes; the DROP is rolled back."""
    repeat = max(5, args.repeat // 5)
    results = []
    partial_cases = [case for case in cases if "LIKE" in case.where]
    with_index = {}
    for case in partial_cases:
        sql, params = floor_sql(case)
        with_index[case.name], _ = time_sql(conn, sql, [company_id, *params, company_id, *params], repeat)
    with conn.transaction(force_rollback=True):
        for name in TRIGRAM_INDEXES:
            conn.execute(f"DROP INDEX {name}")
        for case in partial_cases:
            sql, params = floor_sql(case)
            without, _ = time_sql(conn, sql, [company_id, *params, company_id, *params], repeat)
            results.append({"case": case.name, "with": with_index[case.name], "without": without})
            print(f"  {case.name}: {with_index[case.name].median:.1f} ms indexed, {without.median:.1f} ms not")
    return results


def measure_bulk(args, client, account) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.models import AuditEntry, Customer

    repeat = max(10, args.repeat // 2)
    sizes = [1, 10, 100]
    needed = sum(sizes) * repeat
    pool = list(
        Customer.objects.filter(account=account, active=True, invoices__isnull=True).values_list("pk", flat=True)[
            :needed
        ]
    )
    results = []
    cursor = 0
    used = []
    for size in sizes:
        samples, queries = Samples(), set()
        for _ in range(repeat):
            ids = pool[cursor : cursor + size]
            cursor += size
            used.extend(ids)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.delete(f"/api/v1/customers/bulk?ids={','.join(map(str, ids))}")
                samples.add(time.perf_counter() - started)
            assert response.status_code == 200 and response.json()["data"]["successful"] == size
            queries.add(len(captured))
        results.append({"ids": size, "time": samples, "queries": sorted(queries)})
        print(f"  bulk {size} ids: {samples.median:.1f} ms, queries {sorted(queries)}")
    # Put the data back as loaded, so the next run measures the same thing.
    AuditEntry.objects.filter(customer_id__in=used).delete()
    Customer.objects.filter(pk__in=used).update(active=True, deactivated_at=None)
    return results


BASELINE_URL = "/bench/baseline/customers"
BARE_URL = "/bench/bare/customers"
WALK_LIMIT = 100
DEPTH_CASES = [
    ("default order (created_at)", {}),
    ("sort_by=legal_name desc", {"sort_by": "legal_name", "sort_order": "desc"}),
    ("province=Madrid + active + sort legal_name", {"province": "madrid", "active": "true", "sort_by": "legal_name"}),
]


def _get_page(client, params: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.get("/api/v1/customers", params)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    return elapsed, response.json()["data"]


def measure_walks(args, client, total: int) -> dict:
    """Every customer once by following next_cursor, against the same walk by page number."""
    pages = math.ceil(total / WALK_LIMIT)
    started = time.perf_counter()
    elapsed, data = _get_page(client, {"limit": WALK_LIMIT})
    seen = len(data["customers"])
    cursor_pages = Samples()
    cursor_pages.add(elapsed)
    while (cursor := data["pagination"]["next_cursor"]) is not None:
        elapsed, data = _get_page(client, {"limit": WALK_LIMIT, "cursor": cursor})
        cursor_pages.add(elapsed)
        seen += len(data["customers"])
        if len(cursor_pages.values) % 1000 == 0:
            print(f"  cursor walk: {seen:,} customers", end="\r", flush=True)
    cursor_total = time.perf_counter() - started
    print()
    assert seen == total, f"the cursor walk saw {seen:,} customers of {total:,}"

    page_samples = Samples()
    if args.full_page_walk:
        sampled = list(range(1, pages + 1))
    else:
        step = max(1, pages // args.page_samples)
        sampled = sorted({*range(1, pages + 1, step), pages})
    for page in sampled:
        elapsed, data = _get_page(client, {"limit": WALK_LIMIT, "page": page})
        page_samples.add(elapsed)
        print(f"  page walk: page {page:,}", end="\r", flush=True)
    print()
    # OFFSET cost grows linearly with the page number, so the mean of evenly spaced pages times the number
    # of pages estimates the walk.
    page_total = statistics.fmean(page_samples.values) / 1000 * pages
    print(f"  cursor walk {cursor_total:.1f} s, page walk {'' if args.full_page_walk else '~'}{page_total:.1f} s")
    return {
        "customers": seen,
        "pages": pages,
        "cursor_total": cursor_total,
        "cursor_pages": cursor_pages,
        "page_total": page_total,
        "page_samples": page_samples,
        "page_sampled": len(sampled),
    }


def measure_cursor_depth(args, client) -> list[dict]:
    """The first cursor page against the deepest: the cursor after page 1 and after the next-to-last
    page (the page mode request that yields the deep cursor is not timed)."""
    results = []
    for name, params in DEPTH_CASES:
        _elapsed, first_page = _get_page(client, {**params, "limit": WALK_LIMIT})
        pages = first_page["pagination"]["total_pages"]
        if pages < 3:
            continue  # a small --customers: no deep page to compare
        _elapsed, before_last = _get_page(client, {**params, "limit": WALK_LIMIT, "page": max(1, pages - 1)})
        timings = {}
        for label, cursor in (
            ("first", first_page["pagination"]["next_cursor"]),
            ("deep", before_last["pagination"]["next_cursor"]),
        ):
            samples = Samples()
            for _ in range(args.repeat):
                elapsed, _data = _get_page(client, {**params, "limit": WALK_LIMIT, "cursor": cursor})
                samples.add(elapsed)
            timings[label] = samples
        results.append({"case": name, "pages": pages, **timings})
        print(
            f"  {name}: first cursor page {timings['first'].median:.1f} ms, "
            f"page {pages:,} {timings['deep'].median:.1f} ms"
        )
    return results


def walk_report(walks: dict, depth: list[dict], full_page_walk: bool) -> list[str]:
    speedup = walks["page_total"] / walks["cursor_total"]
    how = "every page" if full_page_walk else f"estimated from {walks['page_sampled']} evenly spaced pages"
    lines = [
        "#### Walking every customer: cursor against page number",
        "",
        f"{walks['customers']:,} customers, {WALK_LIMIT} a page ({walks['pages']:,} pages), default order, "
        "through the full Django stack. The cursor walk is timed end to end; the page-number walk is "
        f"{how}. Target: the cursor walk at least 20x faster.",
        "",
        "| walk | total (s) | per page median (ms) | per page p95 (ms) |",
        "|---|---:|---:|---:|",
        f"| cursor | {walks['cursor_total']:.1f} | {walks['cursor_pages'].median:.1f} | "
        f"{walks['cursor_pages'].p95:.1f} |",
        f"| page number | {'' if full_page_walk else '~'}{walks['page_total']:.1f} | "
        f"{walks['page_samples'].median:.1f} | {walks['page_samples'].p95:.1f} |",
        "",
        f"Cursor walk {speedup:.0f}x faster: target {'met' if speedup >= 20 else 'MISSED'}.",
        "",
        "#### The deepest cursor page against the first",
        "",
        "Milliseconds, medians and p95 of the request for the page after page 1 and for the last page. "
        "Target: the deep page within 1.5x of the first.",
        "",
        "| case | pages | first median | first p95 | last median | last p95 | last/first | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in depth:
        ratio = row["deep"].median / row["first"].median
        lines.append(
            f"| {row['case']} | {row['pages']:,} | {row['first'].median:.1f} | {row['first'].p95:.1f} | "
            f"{row['deep'].median:.1f} | {row['deep'].p95:.1f} | {ratio:.2f} | {'met' if ratio <= 1.5 else 'MISSED'} |"
        )
    return lines


# ----------------------------------------------------------------------------------------- throughput

THROUGHPUT_TARGETS = [
    ("service", "/api/v1/customers"),
    ("bare view", BARE_URL),
    ("baseline", "/bench/baseline/customers"),
]
_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert match, text
    return float(match.group(1)) * _WRK_UNITS[match.group(2)]


def parse_wrk(output: str) -> dict:
    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else 0.0

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": number(r"(\d+) requests in"),
        "p50": _wrk_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": _wrk_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "errors": int(number(r"Non-2xx or 3xx responses: (\d+)"))
        + (sum(int(group) for group in socket_errors.groups()) if socket_errors else 0),
    }


def _wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds:.0f} s")


def measure_throughput(
    args, raw_key: str, company_id: uuid.UUID, *, extra_env: dict | None = None, targets=THROUGHPUT_TARGETS
) -> list[dict]:
    """The service's default page, the bare view and the baseline (or `targets`) under one gunicorn (the
    production configuration file, 4 sync workers, plus `extra_env`: PgBouncer's URL and DATABASE_POOLER, or
    replicas), each driven by wrk at each concurrency
    for a fixed duration."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk); --no-throughput skips this section.")
    base = f"http://127.0.0.1:{args.http_port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.baseline.settings",
        "BENCH_COMPANY_ID": str(company_id),
        "GUNICORN_BIND": f"127.0.0.1:{args.http_port}",
        "GUNICORN_WORKERS": str(args.workers),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # As in production: rate-limit counters shared by the workers in Redis.
        "CACHE_URL": args.cache_url,
        "DB_STATEMENT_TIMEOUT_MS": "60000",
        "GUNICORN_TIMEOUT": "120",
        **(extra_env or {}),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, start_new_session=True
    )
    results = []
    try:
        _wait_until_serving(base + BARE_URL, server)
        for name, path in targets:
            command = [wrk, "-t2", "--latency", "-H", f"Authorization: Bearer {raw_key}"]
            # Warm every worker (connections, caches, code paths) before timing.
            subprocess.run([*command, "-c8", "-d3s", base + path], capture_output=True, check=True)
            for concurrency in args.concurrency:
                done = subprocess.run(
                    [*command, f"-c{concurrency}", f"-d{args.duration}s", "--timeout", "10s", base + path],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                row = {"endpoint": name, "path": path, "concurrency": concurrency, **parse_wrk(done.stdout)}
                results.append(row)
                print(
                    f"  {name} c={concurrency}: {row['rps']:.0f} req/s, p50 {row['p50']:.1f} ms, "
                    f"p99 {row['p99']:.1f} ms, errors {row['errors']}"
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return results


def measure_pgbouncer(args, raw_key: str, company_id: uuid.UUID) -> list[dict]:
    """The default page under the same gunicorn, straight to PostgreSQL and then through a PgBouncer in
    transaction mode (Debian's, started here as tests/ops/test_pgbouncer.py starts it) on the same server."""
    from tests.ops.pgbouncer import PgBouncer

    bouncer = PgBouncer(host=args.host, port=int(args.port), user=args.user)
    bouncer.start()
    try:
        service = [THROUGHPUT_TARGETS[0]]
        direct = measure_throughput(args, raw_key, company_id, targets=service)
        pooled = measure_throughput(
            args,
            raw_key,
            company_id,
            targets=service,
            extra_env={"DATABASE_URL": bouncer.url(args.database), "DATABASE_POOLER": "pgbouncer"},
        )
    finally:
        bouncer.stop()
    return [{"direct": d, "pgbouncer": b} for d, b in zip(direct, pooled, strict=True)]


def pgbouncer_report(rows: list[dict]) -> list[str]:
    return [
        "## Through PgBouncer",
        "",
        "The default page (`GET /api/v1/customers`) under one gunicorn, straight to PostgreSQL and then through",
        "PgBouncer in transaction mode (`DATABASE_POOLER=pgbouncer`), one after the other in this run.",
        "",
        "| connections | direct req/s | through PgBouncer req/s | ratio | p50 direct | p50 PgBouncer | errors |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {row['direct']['concurrency']} | {row['direct']['rps']:.0f} | {row['pgbouncer']['rps']:.0f} "
            f"| {row['pgbouncer']['rps'] / row['direct']['rps']:.2f} | {row['direct']['p50']:.1f} ms "
            f"| {row['pgbouncer']['p50']:.1f} ms | {row['direct']['errors']} / {row['pgbouncer']['errors']} |"
            for row in rows
        ],
        "",
    ]


# ---------------------------------------------------------------------------------------------- writes

DEACTIVATE_SQL = (
    "EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) UPDATE customers_customer "
    "SET active = false, deactivated_at = now(), updated_at = now() WHERE id = ANY(%s)"
)


def measure_wal(conn, company_id: uuid.UUID) -> list[dict]:
    """What deactivating 1 and 100 customers writes: the UPDATE that deactivate_customers runs, under
    EXPLAIN (ANALYZE, WAL, BUFFERS) in a rolled-back transaction, so the figures are this statement's alone
    (pg_stat_wal would include every other session on the server). Each right after a CHECKPOINT: the first
    change of a page after a checkpoint writes the whole page to the WAL, which is the common case for the
    scattered index leaves a deactivation touches, and the figure no longer depends on when the last
    checkpoint happened. Measured with the server's wal_compression and with lz4 (a superuser setting)."""
    import psycopg

    results = []
    for compression in ("default", "lz4"):
        for size in (1, 100):
            # Rows away from the bulk endpoint's (which takes the first ones the planner returns).
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM customers_customer WHERE company_id = %s AND mode = 'live' AND active "
                    "ORDER BY nif DESC LIMIT %s",
                    [company_id, size],
                ).fetchall()
            ]
            with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
                conn.execute("CHECKPOINT")
            with conn.transaction(force_rollback=True):
                if compression != "default":
                    try:
                        conn.execute(f"SET LOCAL wal_compression = {compression}")
                    except psycopg.Error:
                        break  # not built with lz4, or not a superuser
                plan = conn.execute(DEACTIVATE_SQL, [ids]).fetchone()[0][0]
            top = plan["Plan"]
            results.append(
                {
                    "compression": compression,
                    "rows": size,
                    "wal_records": top.get("WAL Records", 0),
                    "wal_fpi": top.get("WAL FPI", 0),
                    "wal_bytes": top.get("WAL Bytes", 0),
                    "dirtied": top.get("Shared Dirtied Blocks", 0),
                    "ms": plan.get("Execution Time", 0.0),
                }
            )
            row = results[-1]
            print(
                f"  UPDATE of {size} rows, wal_compression {compression}: {row['wal_records']} WAL records "
                f"({row['wal_fpi']} full pages, {row['wal_bytes']:,} bytes), {row['dirtied']} pages dirtied"
            )
    return results


def audit_queries(conn, company_id: uuid.UUID) -> list[tuple[str, str, str, list]]:
    """(index, the request it serves, the SQL that request runs, its parameters): what each index on the
    customers and invoices tables is for, so that each earns its place or goes."""
    live = "company_id = %s AND mode = 'live'"
    recent = conn.execute(
        f"SELECT max(updated_at) - interval '1 day' FROM customers_customer WHERE {live}", [company_id]
    ).fetchone()[0]
    some_customers = [
        row[0]
        for row in conn.execute(
            f"SELECT customer_id FROM invoices_invoice WHERE {live} ORDER BY number LIMIT 100", [company_id]
        ).fetchall()
    ]
    page = f"SELECT id FROM customers_customer WHERE {live}"
    invoices = f"SELECT id FROM invoices_invoice WHERE {live}"
    return [
        ("customer_company_created_idx", "default page (sort by created_at)",
         f"{page} ORDER BY created_at, id LIMIT 20", [company_id]),
        ("customer_company_updated_idx", "sort_by=updated_at", f"{page} ORDER BY updated_at, id LIMIT 20",
         [company_id]),
        ("customer_company_updated_idx", "updated_since=<a day before the latest change>, its count",
         f"SELECT count(*) FROM customers_customer WHERE {live} AND updated_at >= %s", [company_id, recent]),
        ("customer_company_name_idx", "sort_by=legal_name", f"{page} ORDER BY legal_name_folded, id LIMIT 20",
         [company_id]),
        ("customer_company_nif_idx", "sort_by=nif", f"{page} ORDER BY nif, id LIMIT 20", [company_id]),
        ("customer_company_email_idx", "sort_by=email", f"{page} ORDER BY email, id LIMIT 20", [company_id]),
        ("customer_company_city_idx", "sort_by=city", f"{page} ORDER BY city_folded, id LIMIT 20", [company_id]),
        ("customer_company_province_idx", "sort_by=province", f"{page} ORDER BY province_folded, id LIMIT 20",
         [company_id]),
        ("customer_company_active_idx", "active=false, page 1", f"{page} AND NOT active ORDER BY created_at, id "
         "LIMIT 20", [company_id]),
        ("customer_company_active_idx", "active=false, page 500", f"{page} AND NOT active ORDER BY created_at, id "
         "LIMIT 20 OFFSET 9980", [company_id]),
        ("customer_company_mode_idx", "count of the account's customers (SQLite's total; PostgreSQL reads "
         "the counters)", f"SELECT count(*) FROM customers_customer WHERE {live}", [company_id]),
        ("customer_phone_trgm_idx", "phone=612 (partial)", f"{page} AND phone LIKE %s ORDER BY created_at, id "
         "LIMIT 20", [company_id, "%61234%"]),
        ("invoice_customer_status_idx", "invoice counts of 100 customers (bulk deactivation)",
         "SELECT customer_id, count(*) FROM invoices_invoice WHERE customer_id = ANY(%s) GROUP BY customer_id",
         [some_customers]),
        ("invoice_company_order_idx", "invoice list, default order",
         f"{invoices} ORDER BY issue_date DESC, series, number DESC, id LIMIT 20", [company_id]),
        ("invoice_company_created_idx", "invoices sort by created_at / cursor",
         f"{invoices} ORDER BY created_at, id LIMIT 20", [company_id]),
        ("invoice_company_updated_idx", "invoices sort by updated_at / updated_since",
         f"{invoices} ORDER BY updated_at, id LIMIT 20", [company_id]),
    ]  # fmt: skip


def measure_index_audit(conn, company_id: uuid.UUID, repeat: int = 5) -> list[dict]:
    """Each query with its index and without it (dropped inside a rolled-back transaction); an index
    already gone is reported as such, with the query's time now."""
    existing = {row[0] for row in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    results = []
    for index, request, sql, params in audit_queries(conn, company_id):
        present = index in existing
        with_index = time_sql(conn, sql, params, repeat)[0] if present else None
        with conn.transaction(force_rollback=True):
            if present:
                conn.execute(f"DROP INDEX {index}")
            without = time_sql(conn, sql, params, max(3, repeat // 2))[0]
        results.append({"index": index, "request": request, "with": with_index, "without": without})
        print(
            f"  {index} / {request}: "
            f"{f'{with_index.median:.1f} ms' if with_index else 'absent'}, without {without.median:.1f} ms"
        )
    return results


def audit_report(audit: list[dict]) -> list[str]:
    lines = [
        "## What each index is for",
        "",
        "Milliseconds (medians), the query a request runs with the index and without it (dropped in a "
        "rolled-back transaction). 'absent': the index is not in this schema. Not listed, because no query "
        "could do without them: the primary keys, `customer_unique_active_nif_per_company` and "
        "`invoice_unique_number_per_company_series` (uniqueness rules), `customer_erasure_due_idx` (partial, holds "
        "only the customers waiting for anonymisation). The name, NIF and email trigram indexes are timed in "
        "'Partial matches with and without the trigram indexes'.",
        "",
        "| index | request | with | without | without / with |",
        "|---|---|---:|---:|---:|",
    ]
    for row in audit:
        if row["with"] is None:
            lines.append(f"| {row['index']} | {row['request']} | absent | {row['without'].median:.1f} | |")
        else:
            lines.append(
                f"| {row['index']} | {row['request']} | {row['with'].median:.1f} | {row['without'].median:.1f} | "
                f"{row['without'].median / row['with'].median:.1f}x |"
            )
    return lines


def index_inventory(conn) -> list[tuple]:
    return conn.execute(
        "SELECT c.relname, i.indexrelname, pg_relation_size(i.indexrelid), i.idx_scan, "
        "pg_get_indexdef(i.indexrelid) FROM pg_stat_user_indexes i JOIN pg_class c ON c.oid = i.relid "
        "WHERE c.relname IN ('customers_customer', 'invoices_invoice') ORDER BY c.relname, i.indexrelname"
    ).fetchall()


# ------------------------------------------------------------------------------------------ reporting


def machine_description(conn) -> list[str]:
    import django

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except (OSError, IndexError):
        memory = "unknown"
    pg_version = conn.execute("SHOW server_version").fetchone()[0]
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory: {memory}",
        f"- OS: {platform.platform()}",
        f"- PostgreSQL {pg_version} (local, default configuration); Python {platform.python_version()}; "
        f"Django {django.get_version()}",
    ]


def spread(values: list[float], fmt: str = "{:.2f}", suffix: str = "") -> str:
    """Median of the runs and their range: '2.10x (1.90-2.40)'."""
    middle = fmt.format(statistics.median(values)) + suffix
    if len(values) == 1:
        return middle
    return f"{middle} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def verdict(flags: list[bool]) -> str:
    met = sum(flags)
    if met == len(flags):
        return "met" if len(flags) == 1 else f"met {met}/{len(flags)}"
    return f"MISSED {len(flags) - met}/{len(flags)}"


def summary_report(runs: list[dict]) -> list[str]:
    """The targets, each ratio as the median of the runs and its range."""
    n = len(runs)
    lines = []
    if runs[0].get("lists"):
        lines += [
            "## List cases: the service against its SQL floor and the plain DRF baseline",
            "",
            f"Milliseconds, medians of each run's median ({n} runs). Ratios: median of the runs (min-max). "
            "Target: API <= 3x the SQL floor; pages after the first of a counted search also <= 1.5x the "
            "page-only floor (the count cached from page 1).",
            "",
            "| case | total_items | API | SQL floor | page-only floor | baseline | API/floor | target 3x | "
            "API/page-only | baseline/API |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        for index, first in enumerate(runs[0]["lists"]):
            rows = [run["lists"][index] for run in runs]
            api = [row["api"].median for row in rows]
            floor = [row["sql"].median for row in rows]
            page = [row["page"].median for row in rows]
            baseline = [row["baseline"].median for row in rows]
            to_floor = [a / f for a, f in zip(api, floor, strict=True)]
            to_page = [a / p for a, p in zip(api, page, strict=True)]
            page_cell = spread(to_page, suffix="x")
            if first["page_only_target"]:
                page_cell += f" {verdict([ratio <= 1.5 for ratio in to_page])}"
            lines.append(
                f"| {first['case']} | {first['total_items']:,} | {statistics.median(api):.1f} | "
                f"{statistics.median(floor):.1f} | {statistics.median(page):.1f} | "
                f"{statistics.median(baseline):.1f} | {spread(to_floor, suffix='x')} | "
                f"{verdict([ratio <= 3 for ratio in to_floor])} | {page_cell} | "
                f"{spread([b / a for b, a in zip(baseline, api, strict=True)], fmt='{:.1f}', suffix='x')} |"
            )
        first_rows = [run["lists"][0] for run in runs]
        if first_rows[0].get("bare"):
            bare = [row["bare"].median for row in first_rows]
            lines += [
                "",
                f"The bare Django view (the {first_rows[0]['case']}'s floor SQL through psycopg, `JsonResponse`, the "
                f"same middleware, no authentication), in-process like the API: {statistics.median(bare):.2f} ms, "
                f"{spread([b / row['sql'].median for b, row in zip(bare, first_rows, strict=True)], suffix='x')} "
                "the SQL floor; the service's page takes "
                f"{spread([row['api'].median / b for b, row in zip(bare, first_rows, strict=True)], suffix='x')} "
                "the bare view.",
            ]
        lines.append("")
    if runs[0].get("throughput"):
        lines += [
            "## Throughput under gunicorn",
            "",
            f"Default first page (20 customers with `total_items`), gunicorn with gunicorn.conf.py and 4 sync "
            f"workers, driven by wrk (2 threads) on the same machine. req/s: median of {n} runs (min-max); "
            "latencies and errors: median / sum over the runs. Target: service >= 2/3 of the bare view.",
            "",
            "| endpoint | concurrency | req/s | p50 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        keys = [(row["endpoint"], row["concurrency"]) for row in runs[0]["throughput"]]
        by_key = {key: [] for key in keys}
        for run in runs:
            for row in run["throughput"]:
                by_key[(row["endpoint"], row["concurrency"])].append(row)
        for key in keys:
            rows = by_key[key]
            lines.append(
                f"| {key[0]} | {key[1]} | {spread([row['rps'] for row in rows], fmt='{:.0f}')} | "
                f"{statistics.median(row['p50'] for row in rows):.1f} | "
                f"{statistics.median(row['p99'] for row in rows):.1f} | {sum(row['errors'] for row in rows)} |"
            )
        lines += ["", "| ratio | concurrency | median (min-max) | target |", "|---|---:|---:|---|"]
        for concurrency in sorted({key[1] for key in keys}):
            service = [row["rps"] for row in by_key[("service", concurrency)]]
            bare = [row["rps"] for row in by_key[("bare view", concurrency)]]
            baseline = [row["rps"] for row in by_key[("baseline", concurrency)]]
            to_bare = [a / b for a, b in zip(service, bare, strict=True)]
            lines.append(
                f"| service / bare view | {concurrency} | {spread(to_bare)} | "
                f"{verdict([ratio >= 2 / 3 for ratio in to_bare])} |"
            )
            lines.append(
                f"| service / baseline | {concurrency} | "
                f"{spread([a / b for a, b in zip(service, baseline, strict=True)], fmt='{:.1f}', suffix='x')} | |"
            )
        lines.append("")
    if runs[0].get("bulk"):
        lines += bulk_report(runs)
        lines += [
            "",
            "The deactivating UPDATE alone (`EXPLAIN (ANALYZE, BUFFERS, WAL)`, rolled back, right after a "
            "CHECKPOINT), values of each run:",
            "",
            "| wal_compression | rows | WAL records | per row | full-page images | WAL bytes | pages dirtied | ms |",
            "|---|---:|---|---|---|---|---|---|",
        ]
        for index, first in enumerate(runs[0]["wal"]):
            rows = [run["wal"][index] for run in runs if len(run["wal"]) > index]
            lines.append(
                f"| {first['compression']} | {first['rows']} | {', '.join(str(r['wal_records']) for r in rows)} | "
                f"{', '.join(f'{r["wal_records"] / r["rows"]:.1f}' for r in rows)} | "
                f"{', '.join(str(r['wal_fpi']) for r in rows)} | {', '.join(f'{r["wal_bytes"]:,}' for r in rows)} | "
                f"{', '.join(str(r['dirtied']) for r in rows)} | {', '.join(f'{r["ms"]:.1f}' for r in rows)} |"
            )
        lines.append("")
    walked = [run for run in runs if run.get("walks")]
    if walked:
        speedups = [run["walks"]["page_total"] / run["walks"]["cursor_total"] for run in walked]
        lines += [
            "## Walks (cursor against page number)",
            "",
            f"Every customer, 100 a page, {len(walked)} run(s). Target: the cursor walk >= 20x faster; the deepest "
            "cursor page within 1.5x of the first.",
            "",
            "| measure | median (min-max) | target |",
            "|---|---:|---|",
            f"| cursor walk (s) | {spread([run['walks']['cursor_total'] for run in walked], fmt='{:.1f}')} | |",
            f"| page-number walk (s) | {spread([run['walks']['page_total'] for run in walked], fmt='{:.1f}')} | |",
            f"| cursor page median (ms) | "
            f"{spread([run['walks']['cursor_pages'].median for run in walked], fmt='{:.1f}')} | |",
            f"| walk speed-up | {spread(speedups, fmt='{:.1f}', suffix='x')} | "
            f"{verdict([ratio >= 20 for ratio in speedups])} |",
        ]
        for index, first in enumerate(walked[0]["depth"]):
            ratios = [run["depth"][index]["deep"].median / run["depth"][index]["first"].median for run in walked]
            lines.append(
                f"| last/first cursor page, {first['case']} | {spread(ratios, suffix='x')} | "
                f"{verdict([ratio <= 1.5 for ratio in ratios])} |"
            )
        lines.append("")
    return lines


def run_details(run: dict, full_page_walk: bool) -> list[str]:
    lines = []
    if run.get("lists"):
        lines += [
            "#### List: API, SQL floor, baseline",
            "",
            "| case | total_items | API median | API p95 | SQL median | SQL p95 | count | page only | baseline |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in run["lists"]:
            name = f"{row['case']} *" if row["counted"] else row["case"]
            lines.append(
                f"| {name} | {row['total_items']:,} | {row['api'].median:.1f} | {row['api'].p95:.1f} | "
                f"{row['sql'].median:.1f} | {row['sql'].p95:.1f} | {row['count'].median:.1f} | "
                f"{row['page'].median:.1f} | {row['baseline'].median:.1f} |"
            )
        lines += ["", "(* total read from the trigger-kept counters)", ""]
    if run.get("without"):
        lines += [
            "#### Partial matches with and without the trigram indexes",
            "",
            "| case | with index | without index | speed-up |",
            "|---|---:|---:|---:|",
        ]
        for row in run["without"]:
            lines.append(
                f"| {row['case']} | {row['with'].median:.1f} | {row['without'].median:.1f} | "
                f"{row['without'].median / row['with'].median:.0f}x |"
            )
        lines.append("")
    if run.get("bulk"):
        base = run["bulk"][0]["time"].median
        lines += ["#### DELETE /customers/bulk", "", "| ids | median | p95 | SQL queries | vs 1 id |"]
        lines.append("|---:|---:|---:|---|---:|")
        for row in run["bulk"]:
            lines.append(
                f"| {row['ids']} | {row['time'].median:.1f} | {row['time'].p95:.1f} | "
                f"{', '.join(map(str, row['queries']))} | {row['time'].median / base:.2f}x |"
            )
        lines.append("")
    if run.get("throughput"):
        lines += ["#### Throughput", "", "| endpoint | concurrency | req/s | p50 ms | p99 ms | errors |"]
        lines.append("|---|---:|---:|---:|---:|---:|")
        for row in run["throughput"]:
            lines.append(
                f"| {row['endpoint']} | {row['concurrency']} | {row['rps']:.0f} | {row['p50']:.1f} | "
                f"{row['p99']:.1f} | {row['errors']} |"
            )
        lines.append("")
    if run.get("walks"):
        lines += walk_report(run["walks"], run["depth"], full_page_walk)
        lines.append("")
    return lines


def index_report(inventory: list[tuple]) -> list[str]:
    lines = [
        "## Indexes",
        "",
        "| table | index | size (MB) | scans (since the stats were reset) | definition |",
        "|---|---|---:|---:|---|",
    ]
    for table, name, size, scans, definition in inventory:
        lines.append(f"| {table} | {name} | {size / 2**20:.0f} | {scans:,} | `{definition.split(' USING ')[1]}` |")
    return lines


def main() -> None:
    args = parse_args()
    ensure_database(args)
    configure_django(args)

    import psycopg
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from apikeys.models import ALL_SCOPES, APIKey
    from companies.models import primary_company_of
    from customers.models import Customer

    call_command("migrate", verbosity=0)
    account, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    # Every list reads one company's customers (the indexes lead with it): the SQL floors name it as the API does.
    company_id = primary_company_of(account).pk
    load_timings: dict[str, float] = {}
    if args.reload or Customer.objects.filter(account=account).count() != args.customers:
        print(f"Loading {args.customers:,} customers into {args.database} ...")
        load_timings = load(args, account)
    else:
        print(f"Reusing the {args.customers:,} customers already in {args.database}.")
        load_timings = {"customers": args.customers, "(reused)": 0}
    if args.load_only:
        print(load_timings)
        return

    issued = APIKey.issue(account=account, name="bench", scopes=list(ALL_SCOPES))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    # prepare_threshold=None: no server-side prepared statements, whose generic plans would handicap the
    # floor on LIKE patterns; Django sends its queries the same way.
    conn = psycopg.connect(
        host=args.host, port=args.port, user=args.user, dbname=args.database, autocommit=True, prepare_threshold=None
    )
    if args.pgbouncer_only:
        try:
            print("Throughput direct and through PgBouncer ...")
            text = "\n".join(pgbouncer_report(measure_pgbouncer(args, issued.raw_key, company_id)))
        finally:
            issued.api_key.revoke()
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(text)
        return
    total = Customer.objects.filter(account=account, mode="live").count()
    load_before = os.getloadavg()
    cases = list_cases(common_term="garcia", rare_term="velazquez saiz")
    runs = []
    try:
        for number in range(1, args.runs + 1):
            print(f"Run {number} of {args.runs}")
            run: dict = {}
            if args.replica or args.replica_only:
                print("Throughput with a read replica ...")
                run["replica"] = measure_with_a_replica(
                    args, issued.raw_key, company_id, measure_throughput, THROUGHPUT_TARGETS[0]
                )
            if args.replica_only:
                runs.append(run)
                continue
            if args.bulk_only:
                print("Bulk deactivation ...")
                run["bulk"] = measure_bulk(args, client, account)
                runs.append(run)
                continue
            if not args.walk_only:
                print("List cases ...")
                run["lists"] = measure_lists(args, client, conn, company_id, cases)
                print("Without trigram indexes ...")
                run["without"] = measure_without_indexes(args, conn, company_id, cases)
                print("Bulk deactivation ...")
                run["bulk"] = measure_bulk(args, client, account)
                run["wal"] = measure_wal(conn, company_id)
                if not args.no_throughput:
                    print("Throughput under gunicorn ...")
                    run["throughput"] = measure_throughput(args, issued.raw_key, company_id)
                if args.pgbouncer:
                    print("Throughput direct and through PgBouncer ...")
                    run["pgbouncer"] = measure_pgbouncer(args, issued.raw_key, company_id)
            if number <= args.walk_runs:
                print("Cursor depth ...")
                run["depth"] = measure_cursor_depth(args, client)
                print("Walks ...")
                run["walks"] = measure_walks(args, client, total)
            runs.append(run)
    finally:
        issued.api_key.revoke()

    # A run of one part alone: its report under the same heading as a full run's.
    parts_alone = (
        (args.bulk_only, "bulk deactivation", bulk_report),
        (args.replica_only, "read replica", replica_report),
    )
    for asked, part, report in parts_alone:
        if asked:
            write_report(
                args,
                [
                    f"# Benchmark: {part}, {total:,} customers, {args.runs} run(s)",
                    "",
                    *machine_description(conn),
                    f"- Load average (1, 5, 15 min) at the start: {', '.join(f'{v:.1f}' for v in load_before)}; "
                    f"at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}",
                    "",
                    *report(runs),
                ],
            )
            return
    resolution = measure_company_resolution(issued.api_key, max(200, args.repeat))
    audit = []
    if not args.walk_only and not args.no_audit:
        print("Index audit ...")
        audit = measure_index_audit(conn, company_id)
    command = " ".join(["uv run python bench/run.py", *sys.argv[1:]])
    lines = [
        f"# Benchmark: {total:,} customers, {args.runs} run(s)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}`.",
        "",
        *machine_description(conn),
        # The machine is shared: how busy it was says how far to trust the absolute figures.
        f"- Load average (1, 5, 15 min) at the start: {', '.join(f'{v:.1f}' for v in load_before)}; "
        f"at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}",
        "",
        "## Load",
        "",
        "| step | value |",
        "|---|---|",
        *[f"| {key} | {value:,.1f} |" for key, value in load_timings.items()],
        "",
        *summary_report(runs),
        *replica_report(runs),
        *company_resolution_report(resolution, runs),
        *([*audit_report(audit), ""] if audit else []),
        *index_report(index_inventory(conn)),
        "",
    ]
    for number, run in enumerate(runs, start=1):
        lines += [f"## Run {number}", "", *run_details(run, args.full_page_walk)]
        if run.get("pgbouncer"):
            lines += ["#" + line if line.startswith("## ") else line for line in pgbouncer_report(run["pgbouncer"])]
    write_report(args, lines)


def bulk_report(runs: list[dict]) -> list[str]:
    lines = [
        "## Bulk deactivation",
        "",
        "DELETE /customers/bulk through the full stack in-process; per run the median time of 10 and 100 "
        "ids against 1 id, and the queries counted with CaptureQueriesContext. Target: 100 ids under 5x "
        "1 id in every run, the same number of queries.",
        "",
        "| ids | median ms per run | vs 1 id: median (min-max) | target | SQL queries |",
        "|---:|---|---:|---|---|",
    ]
    for index, first in enumerate(runs[0]["bulk"]):
        times = [run["bulk"][index]["time"].median for run in runs]
        ratios = [run["bulk"][index]["time"].median / run["bulk"][0]["time"].median for run in runs]
        queries = sorted({q for run in runs for q in run["bulk"][index]["queries"]})
        target = verdict([ratio < 5 for ratio in ratios]) if first["ids"] == 100 else ""
        lines.append(
            f"| {first['ids']} | {', '.join(f'{t:.1f}' for t in times)} | {spread(ratios, suffix='x')} | "
            f"{target} | {', '.join(map(str, queries))} |"
        )
    return lines


def write_report(args, lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
