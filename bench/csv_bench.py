"""Benchmark of the customers' CSV export and import, and of bulk creation, on PostgreSQL (issues #14, #26, #30).

    uv run python bench/csv_bench.py --database beel_bench [--customers 1000000] [--runs 3] [--repeat 10]

Reuses bench/run.py's loader and database (the same N demo customers; loaded if missing), then, through the
full Django stack (middleware, bearer auth, DRF, filters, streaming response) in this process, every figure
beside its floor measured in the same run (issue 30):

1. GET /customers/export of every customer, and with a filter and a sort (`?active=true&sort_by=legal_name`):
   per query the reference path once (the Python writer every export ran before issue 30: its SHA-256 and
   rate), then --runs times the export through the whole stack, consuming the stream as a client would (rows
   per second, bytes, time to the first row, resident memory sampled as the rows go by and its peak), each
   against its floor, `COPY (the same query) TO STDOUT WITH CSV` read to its end. The bench EXITS if an
   export's bytes differ from the reference path's.
2. In the loaded account (N customers), --runs times, every write rolled back: the preview of a 1,000-row
   file (POST /customers/import-csv-preview, demo customers, some invalid NIFs, some duplicates; median of
   --repeat requests), the same file imported (dry_run=false, with audit entries and events) and 500
   customers created by POST /customers/bulk. Floors: reading the data, the request's own duplicate check
   replayed as SQL, and for the writes `COPY ... FROM STDIN` of the very rows it wrote into their own tables
   (every index, constraint and trigger; rolled back in turn). Then the duplicate check's plan (EXPLAIN
   ANALYZE; issue 26: without the mode it went through the trigram index, 5.7 s a file at 300,000).
   `--import-only` skips the export.
3. An export job (POST /customers/exports) of every customer: its run, as a Celery worker does it (the bench's
   broker is in memory, nothing consumes it), timed, and its file's size; then the job is purged.

The direct exports of step 1 measure the streaming of every customer, past the product's limit of a direct
export (EXPORT_DIRECT_MAX_ROWS, lifted here): what a direct export of N rows costs, and why it is bounded.

Not named csv.py: run as a script, bench/ comes first on sys.path and would shadow the standard library's
csv module. Results go to stdout and bench/results/csv.md (or --output).
"""

import argparse
import hashlib
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: the database, its loader and the machine's description

PREVIEW_ROWS = 1000
PAGE_SIZE = 4096


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_data_arguments(parser)
    parser.add_argument("--repeat", type=int, default=10, help="Repetitions of the 1,000-row preview.")
    parser.add_argument("--output", type=Path, default=run.ROOT / "bench" / "results" / "csv.md")
    parser.add_argument("--import-only", action="store_true", help="Skip the export measurements.")
    parser.add_argument("--export-only", action="store_true", help="Skip the import measurements.")
    parser.add_argument("--runs", type=int, default=3, help="Runs of each measurement against its floor.")
    # run.configure_django reads it (bench/run.py has the same option).
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0", help="Redis for the rate-limit counters.")
    return parser.parse_args()


def rss_mib() -> float:
    """The process's resident memory now."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * PAGE_SIZE / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure_export(client, query: str, expected_rows: int | None) -> dict:
    peak_before, rss_before = peak_rss_mib(), rss_mib()
    started = time.perf_counter()
    response = client.get("/api/v1/customers/export" + query)
    assert response.status_code == 200, response.content[:500]
    lines = size = 0
    first_row = None
    samples: list[tuple[int, float]] = []
    next_sample = 100_000
    digest = hashlib.sha256()
    for chunk in response.streaming_content:
        digest.update(chunk)
        size += len(chunk)
        lines += chunk.count(b"\r\n")  # the demo data has no line break inside a cell
        if first_row is None and lines > 1:
            first_row = time.perf_counter() - started
        if lines >= next_sample:
            samples.append((next_sample, rss_mib()))
            next_sample += 100_000
    response.close()
    seconds = time.perf_counter() - started
    rows = lines - 1  # the header
    if expected_rows is not None:
        assert rows == expected_rows, f"exported {rows} rows, expected {expected_rows}"
    result = {
        "query": query or "(none)",
        "rows": rows,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "mib": size / 2**20,
        "first_row_ms": (first_row or 0) * 1000,
        "rss_before": rss_before,
        "rss_samples": samples,
        "rss_after": rss_mib(),
        "peak_before": peak_before,
        "peak_after": peak_rss_mib(),
        "sha256": digest.hexdigest(),
    }
    print(
        f"  export {result['query']}: {rows:,} rows in {seconds:.1f} s ({result['rows_per_second']:,.0f} rows/s), "
        f"RSS {rss_before:.0f} -> {result['rss_after']:.0f} MiB, peak {peak_before:.0f} -> "
        f"{result['peak_after']:.0f} MiB"
    )
    return result


def import_file() -> bytes:
    """1,000 demo customers as a Spanish Excel saves them: `;`, Windows-1252, Spanish headers, local phone
    numbers; every 50th NIF spoilt, every 100th row repeating the previous NIF."""
    from customers.demo import demo_customer

    lines = ["Razón social;NIF;Email;Teléfono;Dirección;Número;Código postal;Ciudad;Provincia"]
    previous_nif = ""
    for n in range(PREVIEW_ROWS):
        demo = demo_customer(5_000_000 + n)
        nif = demo.nif
        if n % 50 == 7 and nif:  # a demo customer with an alternative id has no NIF
            nif = nif[:-1] + ("A" if nif[-1] != "A" else "B")
        if n % 100 == 99:
            nif = previous_nif
        previous_nif = nif
        phone = demo.phone.removeprefix("+34")
        cells = [demo.legal_name, nif, demo.email, phone, demo.street, demo.number, demo.postal_code, demo.city]
        lines.append(";".join([*(cell.replace(";", ",") for cell in cells), demo.province]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace")


# Issue 30's targets for the paths that validate and write many rows (seconds).
TARGETS = {"preview": 0.5, "import": 1.5, "bulk": 1.0}
BULK_ITEMS = 500  # the contract's maximum per POST /customers/bulk


class RolledBack(Exception):
    pass


def bulk_body() -> bytes:
    """POST /customers/bulk of 500 new demo customers (those with a Spanish NIF), as a client sends them."""
    import json

    from customers.demo import demo_customer

    items, index = [], 6_000_000
    while len(items) < BULK_ITEMS:
        demo = demo_customer(index)
        index += 1
        if not demo.nif:
            continue
        address = {"street": demo.street, "number": demo.number, "postal_code": demo.postal_code}
        address |= {"city": demo.city, "province": demo.province, "country": "ES"}
        items.append(
            {
                "legal_name": demo.legal_name,
                "nif": demo.nif,
                "email": demo.email,
                "phone": demo.phone,
                "address": address,
            }
        )
    return json.dumps({"customers": items}).encode()


def written_rows(account, since) -> dict[str, bytes]:
    """What the request wrote in the bench's open transaction, table by table, as COPY's binary rows: the
    customers it created, their audit entries and its events."""
    from django.db import connection

    from beel.events.models import Event
    from customers.audit import AuditEntry
    from customers.models import Customer

    customer_ids = list(Customer.objects.filter(account=account, created_at__gte=since).values_list("pk", flat=True))
    chosen = {
        Customer: Customer.objects.filter(pk__in=customer_ids),
        AuditEntry: AuditEntry.objects.filter(customer_id__in=customer_ids),
        Event: Event.objects.filter(account=account, created_at__gte=since),
    }
    rows = {}
    with connection.cursor() as cursor:
        for model, queryset in chosen.items():
            sql, params = queryset.values("pk").query.sql_with_params()
            table = model._meta.db_table
            data = bytearray()
            with cursor.cursor.copy(
                f'COPY (SELECT * FROM "{table}" WHERE "{model._meta.pk.column}" IN ({sql})) TO STDOUT (FORMAT binary)',
                params,
            ) as copy:
                for chunk in copy:
                    data += chunk
            rows[table] = bytes(data)
    return rows


def copy_in_floor(rows: dict[str, bytes]) -> float:
    """The database writing the same rows at its own speed: `COPY ... FROM STDIN (FORMAT binary)` of them into
    their own tables (the request that wrote them was rolled back), with every index of the loaded account's
    rows, constraint and trigger, in a transaction rolled back in turn. Seconds of the COPYs alone."""
    from django.db import connection, transaction

    seconds = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            for table, data in rows.items():
                with cursor.cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                    copy.write(data)
            seconds = time.perf_counter() - started
            raise RolledBack
    except RolledBack:
        pass
    return seconds


def duplicate_check_floor(sql: str, parse) -> float:
    """The irreducible part of a dry run: reading the request's data (`parse`) and the one duplicate check it
    ran, replayed as SQL. Seconds."""
    from django.db import connection

    started = time.perf_counter()
    parse()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchall()
    return time.perf_counter() - started


def timed_request(send, *, writes: bool, account=None) -> tuple[float, list[dict], dict, dict[str, bytes]]:
    """One request (`send()`), its queries, its data and, when it writes, the rows it wrote; always rolled back,
    so the loaded account keeps its N customers and every run starts from the same data. The commit's hooks
    (the events' message to the broker) are not timed."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    rows: dict[str, bytes] = {}
    since = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic():
                started = time.perf_counter()
                response = send()
                seconds = time.perf_counter() - started
                assert response.status_code in (200, 201), response.content[:500]
                if writes:
                    rows = written_rows(account, since)
                raise RolledBack
        except RolledBack:
            pass
    return seconds, captured.captured_queries, response.json()["data"], rows


def the_duplicate_check(queries: list[dict]) -> str:
    checks = [q["sql"] for q in queries if "customers_customer" in q["sql"] and '"nif" IN' in q["sql"]]
    assert len(checks) == 1, f"{len(checks)} duplicate checks"
    return checks[0]


def measure_writes(args, client, account) -> dict:
    """Issue 30's items 2 and 3, in the loaded account (N customers), `args.runs` runs: the 1,000-row preview
    (median of --repeat requests a run), the same file imported (dry_run=false) and 500 customers created by
    POST /customers/bulk, each against its floor measured right after it; writes rolled back."""
    import csv
    import io
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    content, body = import_file(), bulk_body()

    def preview():
        upload = SimpleUploadedFile("clientes.csv", content, content_type="text/csv")
        return client.post("/api/v1/customers/import-csv-preview", {"file": upload})

    def write_import():
        upload = SimpleUploadedFile("clientes.csv", content, content_type="text/csv")
        return client.post("/api/v1/customers/import-csv-preview?dry_run=false", {"file": upload})

    def bulk():
        return client.post("/api/v1/customers/bulk", body, content_type="application/json")

    def parse_file():
        return list(csv.reader(io.StringIO(content.decode("cp1252")), delimiter=";"))

    def parse_body():
        return json.loads(body)

    timed_request(preview, writes=False)  # warm up: imports, the phone metadata, connections
    results = {name: {"seconds": [], "floors": []} for name in TARGETS}
    for run_number in range(args.runs):
        samples, floors, statistics_seen = [], [], None
        for _ in range(args.repeat):
            seconds, queries, data, _rows = timed_request(preview, writes=False)
            samples.append(seconds)
            floors.append(duplicate_check_floor(the_duplicate_check(queries), parse_file))
            statistics_seen = data["statistics"]
        results["preview"]["seconds"].append(statistics.median(samples))
        results["preview"]["floors"].append(statistics.median(floors))
        results["preview"]["statistics"] = statistics_seen

        for name, send, parse in (("import", write_import, parse_file), ("bulk", bulk, parse_body)):
            seconds, queries, data, rows = timed_request(send, writes=True, account=account)
            if name == "bulk":  # all or nothing: a refused item would leave nothing to measure
                assert data["statistics"]["imported"] == BULK_ITEMS, data["statistics"]
            check = the_duplicate_check(queries)
            results[name]["seconds"].append(seconds)
            results[name]["floors"].append(duplicate_check_floor(check, parse) + copy_in_floor(rows))
            results[name].update(statistics=data["statistics"], queries=len(queries), check=check)
        print(
            f"  run {run_number + 1}: "
            + ", ".join(
                f"{name} {results[name]['seconds'][-1] * 1000:.0f} ms (floor {results[name]['floors'][-1] * 1000:.0f})"
                for name in TARGETS
            )
        )
    results["plan"] = explained(results["import"]["check"])
    return results


def explained(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [line if len(line) < 160 else line[:157] + "..." for (line,) in cursor.fetchall()]


def writes_report(args, results: dict) -> list[str]:
    names = {
        "preview": f"`POST /customers/import-csv-preview`, {PREVIEW_ROWS:,} rows, dry run "
        f"(median of {args.repeat} a run)",
        "import": f"the same file, `dry_run=false` ({results['import']['statistics']['imported']} created)",
        "bulk": f"`POST /customers/bulk`, {BULK_ITEMS} customers",
    }
    floors = {
        "preview": "decode + `csv.reader` + its duplicate check's SQL",
        "import": "the preview's floor + `COPY FROM STDIN` of the rows it wrote",
        "bulk": "`json.loads` + its duplicate check's SQL + `COPY FROM STDIN` of the rows it wrote",
    }
    lines = [
        "",
        f"## Import, preview and bulk create in the account of {args.customers:,} customers (issue 30)",
        "",
        "Each run rolled back (the account keeps its customers). Floors measured right after each request: "
        "reading the data, the request's own duplicate check replayed as SQL, and for writes `COPY ... FROM STDIN "
        "(FORMAT binary)` of the very rows it wrote (customers, audit entries, events) into their own tables, "
        "with every index, constraint and trigger, rolled back in turn. Neither side commits: the deferred "
        "foreign-key checks and the commit's hooks are in neither.",
        "",
        "| what | target | runs (ms) | floor, same runs (ms) | floor | x floor (median, range) | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, target in TARGETS.items():
        seconds, floor_seconds = results[name]["seconds"], results[name]["floors"]
        ratios = [s / f for s, f in zip(seconds, floor_seconds, strict=True)]
        met = "yes" if max(seconds) < target else f"**no** (max {max(seconds):.2f} s)"
        lines.append(
            f"| {names[name]} | < {target} s | {', '.join(f'{s * 1000:.0f}' for s in seconds)} | "
            f"{', '.join(f'{s * 1000:.0f}' for s in floor_seconds)} | {floors[name]} | "
            f"{statistics.median(ratios):.1f} ({min(ratios):.1f}-{max(ratios):.1f}) | {met} |"
        )
    lines += [
        "",
        f"Statuses of the file: {results['preview']['statistics']}; queries: import {results['import']['queries']}, "
        f"bulk create {results['bulk']['queries']}.",
    ]
    return lines


def export_queryset(account, query: str):
    """The queryset GET /customers/export`query` streams (the list's filters and sort)."""
    from django.http import QueryDict

    from beel.tenancy import DataScope
    from companies.models import primary_company_of
    from customers import selectors
    from customers.filters import CustomerFilterSet
    from customers.models import Customer

    scope = DataScope.of_company(primary_company_of(account), "live")
    customers = Customer.objects.within(scope)
    filterset = CustomerFilterSet(QueryDict(query.lstrip("?")), queryset=customers)
    assert filterset.is_valid(), filterset.errors
    return selectors.sorted_customers(customers, filterset.asked())


def copy_floor(customers) -> tuple[float, int]:
    """`COPY (the export's query: its columns, filters and sort) TO STDOUT WITH CSV`, read to its end: what the
    server alone takes to hand the same rows over. Seconds and bytes."""
    from django.db import connection, transaction

    from customers import spreadsheet

    fields = [column.field for column in spreadsheet.COLUMNS]
    inner, params = customers.values_list(*fields).query.sql_with_params()
    size = 0
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")
        with cursor.cursor.copy(f"COPY ({inner}) TO STDOUT WITH CSV", params) as copy:
            for chunk in copy:
                size += len(chunk)
    return time.perf_counter() - started, size


def reference_export(customers) -> tuple[float, str, int]:
    """The reference path (Python, cell by cell: what every export ran before issue 30, SQLite's now) over the
    same queryset: seconds, SHA-256 and bytes of its text."""
    from customers import spreadsheet

    digest, size = hashlib.sha256(), 0
    started = time.perf_counter()
    for piece in spreadsheet.reference_export_lines(customers):
        data = piece.encode()
        digest.update(data)
        size += len(data)
    return time.perf_counter() - started, digest.hexdigest(), size


def measure_copy_exports(client, account, runs: int) -> list[dict]:
    """Per query: the reference path once (its bytes and rate), then `runs` times the export through the whole
    stack and its COPY floor. Exits at once if the export's bytes differ from the reference's."""
    results = []
    for query in ("", "?active=true&sort_by=legal_name"):
        customers = export_queryset(account, query)
        expected_rows = customers.count()
        reference_seconds, reference_digest, reference_size = reference_export(customers)
        print(f"  reference {query or '(none)'}: {expected_rows:,} rows in {reference_seconds:.1f} s")
        exports, floors = [], []
        for _ in range(runs):
            export = measure_export(client, query, expected_rows)
            if export["sha256"] != reference_digest:
                raise SystemExit(
                    f"EXPORT BYTES DIFFER from the reference path for {query or '(none)'}: "
                    f"{export['sha256']} ({export['mib']:.1f} MiB) != {reference_digest} ({reference_size} bytes)"
                )
            floor_seconds, floor_size = copy_floor(customers)
            print(f"  COPY ... WITH CSV floor: {floor_seconds:.2f} s ({floor_size / 2**20:.0f} MiB)")
            exports.append(export)
            floors.append(floor_seconds)
        results.append(
            {
                "query": query or "(none)",
                "rows": expected_rows,
                "reference_seconds": reference_seconds,
                "runs": exports,
                "floors": floors,
                "ratios": [export["seconds"] / floor for export, floor in zip(exports, floors, strict=True)],
            }
        )
    return results


def copy_report(results: list[dict]) -> list[str]:
    lines = [
        "",
        "## Export through COPY against its floor and the reference path (issue 30)",
        "",
        "Each run: `GET /customers/export` through the whole stack (bytes checked against the reference path's "
        "SHA-256) and `COPY (the same query) TO STDOUT WITH CSV` read to its end (the floor).",
        "",
        "| query | rows | reference path (s, rows/s) | export, 3 runs (s) | floor, 3 runs (s) "
        "| export / floor (median, range) "
        "| rows/s (median) | x reference |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        seconds = [run["seconds"] for run in result["runs"]]
        rate = result["rows"] / statistics.median(seconds)
        reference_rate = result["rows"] / result["reference_seconds"]
        ratios = result["ratios"]
        lines.append(
            f"| `{result['query']}` | {result['rows']:,} | {result['reference_seconds']:.1f}, {reference_rate:,.0f} | "
            f"{', '.join(f'{s:.2f}' for s in seconds)} | {', '.join(f'{s:.2f}' for s in result['floors'])} | "
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) | {rate:,.0f} | "
            f"{rate / reference_rate:.1f} |"
        )
    return lines


def report(args, exports: list[dict], imported: dict | None, machine: list[str], job: dict | None) -> str:
    lines = [
        f"# Benchmark: CSV export of {args.customers:,} customers and import of {PREVIEW_ROWS:,} rows",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `uv run python bench/csv_bench.py --database "
        f"{args.database} --customers {args.customers} --repeat {args.repeat}`.",
        "",
        *machine,
        "",
        "## Export (GET /customers/export, full stack, stream consumed in-process)",
        "",
        "| query | rows | time (s) | rows/s | MiB | first row (ms) | RSS before → after (MiB) | peak RSS before → after (MiB) |",  # noqa: E501
        "|---|---|---|---|---|---|---|---|",
    ]
    for export in exports:
        lines.append(
            f"| `{export['query']}` | {export['rows']:,} | {export['seconds']:.1f} | "
            f"{export['rows_per_second']:,.0f} | {export['mib']:.0f} | {export['first_row_ms']:.0f} | "
            f"{export['rss_before']:.0f} → "
            f"{export['rss_after']:.0f} | {export['peak_before']:.0f} → {export['peak_after']:.0f} |"
        )
    if job is not None:
        lines += [
            "",
            f"Export job of every customer (POST /customers/exports, then its run as a worker does it): "
            f"{job['rows']:,} rows, {job['mib']:.0f} MiB, in {job['seconds']:.1f} s "
            f"({job['rows'] / job['seconds']:,.0f} rows/s).",
        ]
    lines += ["", "Resident memory as the rows went by (rows: MiB):", ""]
    for export in exports:
        samples = ", ".join(f"{rows // 1000}k: {mib:.0f}" for rows, mib in export["rss_samples"])
        lines.append(f"- `{export['query']}`: {samples}")
    lines += copy_report(args.copy_results)
    if imported is None:
        return "\n".join(lines) + "\n"
    lines += writes_report(args, imported)
    lines += [
        "",
        "The import's duplicate check (one query for the file's NIFs), EXPLAIN ANALYZE in the loaded account:",
        "",
        "```",
        *imported["plan"],
        "```",
    ]
    return "\n".join(lines) + "\n"


def measure_export_job(client, expected_rows: int) -> dict:
    from customers.export_jobs import CustomerExport
    from customers.services import exports

    started = time.perf_counter()
    response = client.post("/api/v1/customers/exports", {}, content_type="application/json")
    assert response.status_code == 202, response.content[:500]
    job_id = response.json()["data"]["id"]
    exports.run_export(job_id)
    seconds = time.perf_counter() - started
    job = CustomerExport.objects.get(pk=job_id)
    assert job.status == "succeeded" and job.row_count == expected_rows, (job.status, job.row_count)
    result = {"rows": job.row_count, "seconds": seconds, "mib": job.size_bytes / 2**20}
    exports.export_storage().delete(job.file_name)
    job.delete()
    print(f"  export job: {result['rows']:,} rows in {seconds:.1f} s ({result['rows'] / seconds:,.0f} rows/s)")
    return result


def main() -> None:
    args = parse_args()
    run.ensure_database(args)
    # The direct exports below stream every customer: past the product's limit, on purpose (see above).
    os.environ.setdefault("EXPORT_DIRECT_MAX_ROWS", str(10**9))
    run.configure_django(args)

    import psycopg
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from apikeys.models import ALL_SCOPES, APIKey
    from customers.models import Customer

    call_command("migrate", verbosity=0)
    account, _ = get_user_model().objects.get_or_create(username=run.BENCH_USER)
    if args.reload or Customer.objects.filter(account=account).count() != args.customers:
        print(f"Loading {args.customers:,} customers into {args.database} ...")
        run.load(args, account)

    issued = APIKey.issue(account=account, name="bench-csv", scopes=list(ALL_SCOPES))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    live = Customer.objects.filter(account=account, mode="live")
    try:
        exports, job, imported, args.copy_results = [], None, None, []
        if not args.import_only:
            print("Export ...")
            measure_export(client, "?limit=1&search=zzzz-nothing", 0)  # warm up: imports, connection, caches
            args.copy_results = measure_copy_exports(client, account, args.runs)
            exports = [result["runs"][-1] for result in args.copy_results]
            job = measure_export_job(client, live.count())
        if not args.export_only:
            print("Import ...")
            imported = measure_writes(args, client, account)
    finally:
        issued.api_key.revoke()

    with psycopg.connect(host=args.host, port=args.port, user=args.user, dbname=args.database) as conn:
        machine = run.machine_description(conn)
    text = report(args, exports, imported, machine, job)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
