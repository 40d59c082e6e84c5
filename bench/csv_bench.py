"""Benchmark of the customers' CSV export and import on PostgreSQL (issue #14).

    uv run python bench/csv_bench.py --database beel_bench [--customers 1000000] [--repeat 10]

Reuses bench/run.py's loader and database (the same N demo customers; loaded if missing), then, through the
full Django stack (middleware, bearer auth, DRF, filters, streaming response) in this process:

1. GET /customers/export of every customer, consuming the stream as a client would: rows per second, bytes,
   time to the first row, and the process's resident memory (RSS) sampled as the rows go by, with its peak
   (getrusage's ru_maxrss) before and after, so memory that grew with the number of rows would show. The
   same with a filter and a sort (`?active=true&sort_by=legal_name`).
2. POST /customers/import-csv-preview of a 1,000-row file (demo customers, some with invalid NIFs, some
   duplicates): the dry-run preview timed --repeat times, and one real import (dry_run=false) into an
   account of its own, removed afterwards.
3. The same file imported (dry_run=false) into the loaded account, N customers already there, rolled back
   afterwards: its time, and the plan of its duplicate check (`nif IN (...)` of the whole file), with
   EXPLAIN ANALYZE (issue 26: without the mode it went through the trigram index, 5.7 s a file at 300,000).
   `--import-only` skips the export.
4. An export job (POST /customers/exports) of every customer: its run, as a Celery worker does it (the bench's
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
    parser.add_argument("--runs", type=int, default=3, help="Runs of each export against its COPY floor.")
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


def measure_import(args, client, import_client) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = import_file()
    samples = run.Samples()
    data = None
    for _ in range(args.repeat):
        upload = SimpleUploadedFile("clientes.csv", content, content_type="text/csv")
        started = time.perf_counter()
        response = client.post("/api/v1/customers/import-csv-preview", {"file": upload})
        samples.add(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:500]
        data = response.json()["data"]
    upload = SimpleUploadedFile("clientes.csv", content, content_type="text/csv")
    started = time.perf_counter()
    response = import_client.post("/api/v1/customers/import-csv-preview?dry_run=false", {"file": upload})
    write_seconds = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    written = response.json()["data"]
    print(f"  preview of {PREVIEW_ROWS} rows: {samples.median:.0f} ms (p95 {samples.p95:.0f})")
    print(f"  import of {PREVIEW_ROWS} rows: {write_seconds:.2f} s")
    return {
        "bytes": len(content),
        "preview": samples,
        "counts": data["statistics"],
        "write_seconds": write_seconds,
        "created": written["statistics"]["imported"],
    }


class RolledBack(Exception):
    pass


def measure_import_at_scale(client) -> dict:
    """The 1,000-row import into the loaded account, rolled back (the account keeps its N customers), and the
    plan of the duplicate check it ran."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    upload = SimpleUploadedFile("clientes.csv", import_file(), content_type="text/csv")
    with CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic():
                started = time.perf_counter()
                response = client.post("/api/v1/customers/import-csv-preview?dry_run=false", {"file": upload})
                seconds = time.perf_counter() - started
                raise RolledBack
        except RolledBack:
            pass
    assert response.status_code == 200, response.content[:500]
    checks = [
        query
        for query in captured.captured_queries
        if "customers_customer" in query["sql"] and '"nif" IN' in query["sql"]
    ]
    assert len(checks) == 1, f"{len(checks)} duplicate checks"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + checks[0]["sql"])
        plan = [line if len(line) < 160 else line[:157] + "..." for (line,) in cursor.fetchall()]
    statistics = response.json()["data"]["statistics"]
    print(f"  import of {PREVIEW_ROWS} rows into the loaded account: {seconds:.2f} s, check {checks[0]['time']} s")
    return {"seconds": seconds, "check_seconds": float(checks[0]["time"]), "plan": plan, "statistics": statistics}


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
    preview = imported["preview"]
    lines += [
        "",
        "## Import (POST /customers/import-csv-preview, a 1,000-row Windows-1252 file)",
        "",
        f"- file: {imported['bytes'] / 1024:.0f} KiB; statuses {imported['counts']}",
        f"- preview (dry_run=true, {args.repeat} runs): median {preview.median:.0f} ms, p95 {preview.p95:.0f} ms",
        f"- import (dry_run=false, into an empty account): {imported['write_seconds'] * 1000:.0f} ms for "
        f"{imported['created']} customers (with their audit entries and events)",
    ]
    at_scale = imported["at_scale"]
    lines += [
        "",
        f"## Import of {PREVIEW_ROWS:,} rows into the account of {args.customers:,} customers (rolled back)",
        "",
        f"- dry_run=false: {at_scale['seconds'] * 1000:.0f} ms in all; its duplicate check (one query for the "
        f"file's NIFs): {at_scale['check_seconds'] * 1000:.1f} ms; duplicates found: "
        f"{at_scale['statistics']['duplicates']}",
        "",
        "```",
        *at_scale["plan"],
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
    importer, _ = get_user_model().objects.get_or_create(username=f"{run.BENCH_USER}-import")
    Customer.objects.filter(account=importer).delete()

    issued = APIKey.issue(account=account, name="bench-csv", scopes=list(ALL_SCOPES))
    import_issued = APIKey.issue(account=importer, name="bench-csv", scopes=list(ALL_SCOPES))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    import_client = Client(HTTP_AUTHORIZATION=f"Bearer {import_issued.raw_key}")
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
            imported = measure_import(args, client, import_client)
            imported["at_scale"] = measure_import_at_scale(client)
    finally:
        issued.api_key.revoke()
        import_issued.api_key.revoke()
        Customer.objects.filter(account=importer).delete()

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
