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

Results go to stdout and to bench/results/latest.md (or --output) as markdown.
"""

import argparse
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_USER = "bench"
CUSTOMER_COLUMNS = [
    "id", "account_id", "legal_name", "nif", "email", "phone", "street", "number", "floor", "door",
    "postal_code", "city", "province", "country", "active", "deactivated_at", "created_at", "updated_at",
    "legal_name_folded", "city_folded", "province_folded", "mode",
]  # fmt: skip
INVOICE_COLUMNS = [
    "id", "account_id", "customer_id", "series", "number", "status", "issue_date", "currency", "subtotal",
    "tax_total", "total", "created_at", "updated_at", "mode",
]  # fmt: skip
SELECT_COLUMNS = (
    "id, legal_name, nif, email, phone, street, number, floor, door, postal_code, city, province, country, "
    "active, created_at, updated_at"
)
TRIGRAM_INDEXES = ["customer_name_trgm_idx", "customer_nif_trgm_idx", "customer_email_trgm_idx"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="PostgreSQL database name (created if missing).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5432")
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50, help="Repetitions per list case.")
    parser.add_argument("--reload", action="store_true", help="Reload the data even if already there.")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    parser.add_argument("--walk-only", action="store_true", help="Only the cursor and page walks.")
    parser.add_argument(
        "--full-page-walk", action="store_true", help="Walk every page by number instead of sampling pages."
    )
    parser.add_argument("--page-samples", type=int, default=40, help="Pages timed to estimate the page walk.")
    return parser.parse_args()


def configure_django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = f"postgres://{args.user}@{args.host}:{args.port}/{args.database}"
    # Production-like: DEBUG off (no query log in memory), quiet logs.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The bench measures the stack, not the rate limiter's refusals.
    os.environ.setdefault("RATE_LIMIT_PER_RESOURCE", "1000000/min")
    os.environ.setdefault("RATE_LIMIT_GLOBAL", "1000000/min")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beel.settings")
    import django

    django.setup()


def ensure_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.database}"')


# ---------------------------------------------------------------------------------------------- loading


def _rows_for_chunk(task: tuple[int, int, int, float, int]) -> tuple[list[tuple], list[tuple]]:
    """Customer and invoice rows for demo indexes [start, stop). Runs in a worker process."""
    from customers.demo import demo_customer
    from customers.validators import fold
    from invoices.demo import demo_invoices

    start, stop, account_id, now_ts, total = task
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
                customer_id, account_id, demo.legal_name, demo.nif, demo.email, demo.phone, demo.street,
                demo.number, demo.floor, demo.door, demo.postal_code, demo.city, demo.province, "España",
                demo.active, None if demo.active else updated, created, updated, fold(demo.legal_name),
                fold(demo.city), fold(demo.province), "live",
            )
        )  # fmt: skip
        for invoice in demo_invoices(index, demo.invoice_count):
            invoices.append(
                (
                    uuid.uuid4(), account_id, customer_id, "A", None, invoice.status,
                    (created + timedelta(days=invoice.nth * 30)).date(), "EUR", invoice.subtotal, invoice.tax_total,
                    invoice.total, created, created, "live",
                )
            )  # fmt: skip
    return customers, invoices


def load(args: argparse.Namespace, account) -> dict[str, float]:
    from django.db import connection

    from customers.models import Customer
    from invoices.models import Invoice, InvoiceSeriesCounter

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
            (start, min(start + chunk, args.customers), account.pk, time.time(), args.customers)
            for start in range(0, args.customers, chunk)
        ]
        number = loaded = 0
        with multiprocessing.get_context("fork").Pool(max(1, (os.cpu_count() or 2))) as pool:
            for customers, invoices in pool.imap(_rows_for_chunk, tasks):
                with raw.cursor() as cursor:
                    with cursor.copy(f"COPY customers_customer ({', '.join(CUSTOMER_COLUMNS)}) FROM STDIN") as copy:
                        for row in customers:
                            copy.write_row(row)
                    with cursor.copy(f"COPY invoices_invoice ({', '.join(INVOICE_COLUMNS)}) FROM STDIN") as copy:
                        for row in invoices:
                            if row[5] == "draft":  # drafts take no number (invoices.services.issue_invoice)
                                copy.write_row(row)
                                continue
                            number += 1
                            copy.write_row((*row[:4], number, *row[5:]))
                raw.commit()
                loaded += len(customers)
                print(f"  {loaded:,} customers", end="\r", flush=True)
        print()
        timings["copy (s)"] = time.perf_counter() - started
        InvoiceSeriesCounter.objects.update_or_create(account=account, series="A", defaults={"last_number": number})
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

    @property
    def counted(self) -> bool:
        """Nothing but `active` narrows the list: its total is read from customers_customercount, the
        trigger-kept counters, by the API and by the floor alike."""
        return self.where in ("", "active = false", "active = true")


def list_cases(common_term: str, rare_term: str) -> list[ListCase]:
    search_sql = "(legal_name_folded LIKE %s OR email LIKE %s OR nif LIKE %s)"
    return [
        ListCase("default first page", {}, "", [], "created_at, id"),
        ListCase("page 2,000", {"page": "2000"}, "", [], "created_at, id", page=2000),
        ListCase(
            f"search={common_term} (common)",
            {"search": common_term},
            search_sql,
            [f"%{common_term}%", f"%{common_term}%", f"%{common_term.upper()}%"],
            "created_at, id",
        ),
        ListCase(
            f"search={rare_term} (rare)",
            {"search": rare_term},
            search_sql,
            [f"%{rare_term}%", f"%{rare_term}%", f"%{rare_term.upper()}%"],
            "created_at, id",
        ),
        ListCase(
            "legal_name=ópti (partial)",
            {"legal_name": "ópti"},
            "legal_name_folded LIKE %s",
            ["%opti%"],
            "created_at, id",
        ),
        ListCase("nif=7919 (partial)", {"nif": "7919"}, "nif LIKE %s", ["%7919%"], "created_at, id"),
        ListCase("email=ruiz12 (partial)", {"email": "ruiz12"}, "email LIKE %s", ["%ruiz12%"], "created_at, id"),
        ListCase("city=Cádiz", {"city": "cadiz"}, "city_folded = %s", ["cadiz"], "created_at, id"),
        ListCase("active=false", {"active": "false"}, "active = false", [], "created_at, id"),
        ListCase(
            "sort_by=created_at desc",
            {"sort_by": "created_at", "sort_order": "desc"},
            "",
            [],
            "created_at DESC, id DESC",
        ),
        ListCase(
            "province=Madrid + active + sort legal_name + page 50",
            {"province": "madrid", "active": "true", "sort_by": "legal_name", "page": "50", "limit": "50"},
            "province_folded = %s AND active = true",
            ["madrid"],
            "legal_name_folded, id",
            page=50,
            limit=50,
        ),
    ]  # fmt: skip


def _condition(case: ListCase) -> str:
    # The bench key is a live key: the API confines every query to the account's live data.
    return "account_id = %s AND mode = 'live'" + (f" AND {case.where}" if case.where else "")


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


def measure_lists(args, client, conn, account_id: int, cases: list[ListCase]) -> list[dict]:
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
        floor, rows = time_sql(conn, sql, [account_id, *params, account_id, *params], args.repeat)
        expected_ids = [str(row[1]) for row in rows]
        got_ids = [customer["id"] for customer in data["customers"]]
        assert got_ids == expected_ids, f"{case.name}: API and SQL disagree"
        counting, _ = time_sql(conn, count_sql(case), [account_id, *params], args.repeat)
        paging, _ = time_sql(conn, page_sql(case), [account_id, *params], args.repeat)
        results.append(
            {
                "case": case.name,
                "api": api,
                "sql": floor,
                "count": counting,
                "page": paging,
                "total_items": data["pagination"]["total_items"],
                "counted": case.counted,
                "rows": len(got_ids),
            }
        )
        print(f"  {case.name}: API {api.median:.1f} ms, SQL {floor.median:.1f} ms")
    return results


def measure_without_indexes(args, conn, account_id: int, cases: list[ListCase]) -> list[dict]:
    """Same statement with and without the trigram indexes; the DROP is rolled back."""
    repeat = max(5, args.repeat // 5)
    results = []
    partial_cases = [case for case in cases if "LIKE" in case.where]
    with_index = {}
    for case in partial_cases:
        sql, params = floor_sql(case)
        with_index[case.name], _ = time_sql(conn, sql, [account_id, *params, account_id, *params], repeat)
    with conn.transaction(force_rollback=True):
        for name in TRIGRAM_INDEXES:
            conn.execute(f"DROP INDEX {name}")
        for case in partial_cases:
            sql, params = floor_sql(case)
            without, _ = time_sql(conn, sql, [account_id, *params, account_id, *params], repeat)
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
        "## Walking every customer: cursor against page number",
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
        "## The deepest cursor page against the first",
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


def report(args, load_timings, lists, without, bulk, machine) -> str:
    lines = [
        f"# Benchmark: {int(load_timings.get('customers', 0)):,} customers",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `uv run python bench/run.py --database {args.database} "
        f"--customers {args.customers} --repeat {args.repeat}`.",
        "",
        *machine,
        "",
        "## Load",
        "",
        "| step | value |",
        "|---|---|",
        *[f"| {key} | {value:,.1f} |" for key, value in load_timings.items()],
        "",
        "## List: API through the full Django stack vs one hand-written SQL query",
        "",
        "Milliseconds. SQL is the page plus its total in one statement through psycopg (the floor). "
        "Target: API median <= 3x SQL median.",
        "",
        "| case | total_items | API median | API p95 | SQL median | SQL p95 | API/SQL | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in lists:
        ratio = row["api"].median / row["sql"].median
        lines.append(
            f"| {row['case']} | {row['total_items']:,} | {row['api'].median:.1f} | {row['api'].p95:.1f} | "
            f"{row['sql'].median:.1f} | {row['sql'].p95:.1f} | {ratio:.2f} | {'met' if ratio <= 3 else 'MISSED'} |"
        )
    lines += [
        "",
        "## What total_items costs",
        "",
        "Milliseconds, raw SQL: the count alone and the page alone. Cases marked * read the trigger-kept "
        "counters (customers_customercount); the others count their rows.",
        "",
        "| case | count median | page median | count share |",
        "|---|---:|---:|---:|",
    ]
    for row in lists:
        share = row["count"].median / (row["count"].median + row["page"].median)
        name = f"{row['case']} *" if row["counted"] else row["case"]
        lines.append(f"| {name} | {row['count'].median:.1f} | {row['page'].median:.1f} | {share:.0%} |")
    lines += [
        "",
        "## Partial matches with and without the trigram indexes",
        "",
        "Milliseconds, the same SQL statement; the indexes are dropped inside a rolled-back transaction. "
        "Target: at least 20x faster with the index.",
        "",
        "| case | with index | without index | speed-up | target |",
        "|---|---:|---:|---:|---|",
    ]
    for row in without:
        speedup = row["without"].median / row["with"].median
        lines.append(
            f"| {row['case']} | {row['with'].median:.1f} | {row['without'].median:.1f} | {speedup:.0f}x | "
            f"{'met' if speedup >= 20 else 'MISSED'} |"
        )
    base = bulk[0]["time"].median
    lines += [
        "",
        "## DELETE /customers/bulk",
        "",
        "Milliseconds through the full stack; queries counted with Django's CaptureQueriesContext. Target: the "
        "same number of queries for 1, 10 and 100 ids; 100 ids under 5x the time of 1 id.",
        "",
        "| ids | median | p95 | SQL queries | time vs 1 id |",
        "|---:|---:|---:|---|---:|",
    ]
    for row in bulk:
        lines.append(
            f"| {row['ids']} | {row['time'].median:.1f} | {row['time'].p95:.1f} | "
            f"{', '.join(map(str, row['queries']))} | {row['time'].median / base:.2f}x |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    ensure_database(args)
    configure_django(args)

    import psycopg
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from apikeys.models import ALL_SCOPES, APIKey
    from customers.models import Customer

    call_command("migrate", verbosity=0)
    account, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    load_timings: dict[str, float] = {}
    if args.reload or Customer.objects.filter(account=account).count() != args.customers:
        print(f"Loading {args.customers:,} customers into {args.database} ...")
        load_timings = load(args, account)
    else:
        print(f"Reusing the {args.customers:,} customers already in {args.database}.")
        load_timings = {"customers": args.customers, "(reused)": 0}

    issued = APIKey.issue(account=account, name="bench", scopes=list(ALL_SCOPES))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    # prepare_threshold=None: no server-side prepared statements, whose generic plans would handicap the
    # floor on LIKE patterns; Django sends its queries the same way.
    conn = psycopg.connect(
        host=args.host, port=args.port, user=args.user, dbname=args.database, autocommit=True, prepare_threshold=None
    )
    print("Cursor depth ...")
    depth = measure_cursor_depth(args, client)
    print("Walks ...")
    walks = measure_walks(args, client, Customer.objects.filter(account=account, mode="live").count())
    walk_lines = walk_report(walks, depth, args.full_page_walk)
    if args.walk_only:
        issued.api_key.revoke()
        text = "\n".join(
            [
                f"# Benchmark: walks over {walks['customers']:,} customers",
                "",
                f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `uv run python bench/run.py --database "
                f"{args.database} --customers {args.customers} --repeat {args.repeat} --walk-only`.",
                "",
                *machine_description(conn),
                "",
                *walk_lines,
            ]
        )
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
        print(text)
        return
    cases = list_cases(common_term="garcia", rare_term="velazquez saiz")
    print("List cases ...")
    lists = measure_lists(args, client, conn, account.pk, cases)
    print("Without trigram indexes ...")
    without = measure_without_indexes(args, conn, account.pk, cases)
    print("Bulk deactivation ...")
    bulk = measure_bulk(args, client, account)
    issued.api_key.revoke()

    text = report(args, load_timings, lists, without, bulk, machine_description(conn))
    text += "\n" + "\n".join(walk_lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
