"""Benchmark of a customer's statement (GET /customers/{id}/statement, JSON and CSV) on PostgreSQL (issue 29).

    uv run python bench/statement_bench.py [--database beel_bench_statement] [--runs 7] [--reload]

One account of 1,000,000 customers and 2,000,000 invoices (set-based `INSERT ... SELECT generate_series`,
secondary indexes dropped during the load and rebuilt, built once and reused), of which one customer has 5,000
issued invoices over three years, most paid (one payment) and some partly (two payments). Through the full
Django stack in this process (middleware, bearer auth, DRF, rendering), each measured --runs times:

- the statement of all its history (every invoice and payment a line: ~5,000 invoices, ~4,000 payments) as
  JSON and as CSV (the stream consumed as a client would);
- the default period (the year so far);
- the floor: the raw SQL of the same rows (the customer, its standing invoices up to `to`, their payments up
  to `to`) through psycopg, fetched whole, in the same run.

Results to stdout (and docs/performance.md, "Statements", by hand)."""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: the database and Django's configuration

USER = "bench-statement"
TARGET_INVOICES = 5_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="beel_bench_statement")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5432")
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--invoices", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0")
    return parser.parse_args()


def _defaults(model, given: set[str]) -> tuple[list[str], list]:
    """The NOT NULL columns not in `given`, with their model defaults (JSON as text, timestamps now())."""
    import json

    from django.db import models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in given or field.null:
            continue
        if isinstance(field, models.DateTimeField):
            columns.append(field.column)
            values.append(None)  # now(), below
            continue
        value = field.get_default()
        columns.append(field.column)
        values.append(json.dumps(value) if isinstance(value, list | dict) else value)
    return columns, values


def _default_sql(columns: list[str], values: list) -> tuple[str, list]:
    parts, params = [], []
    for value in values:
        if value is None:
            parts.append("now()")
        else:
            parts.append("%s")
            params.append(value)
    return "".join(f", {part}" for part in parts), params


# The customer of index g, and the target's index (1).
CUSTOMER_ID = "uuid_in(md5('bench-customer-' || {g})::cstring)"


def load(args, account, company) -> None:
    from django.db import connection

    from customers.models import Customer
    from invoices.models import Invoice, InvoicePayment

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM invoices_invoicepayment WHERE invoice_id IN "
            "(SELECT id FROM invoices_invoice WHERE account_id = %s)",
            [account.pk],
        )
        cursor.execute("DELETE FROM invoices_invoice WHERE account_id = %s", [account.pk])
        cursor.execute(
            "DELETE FROM customers_auditentry WHERE customer_id IN (SELECT id FROM customers_customer "
            "WHERE account_id = %s)",
            [account.pk],
        )
        cursor.execute("DELETE FROM customers_customer WHERE account_id = %s", [account.pk])
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('customers_customer', "
            "'invoices_invoice', 'invoices_invoicepayment') AND indexname NOT LIKE '%%_pkey' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        try:
            given = {"id", "account_id", "company_id", "legal_name", "nif", "legal_name_folded", "mode"}
            columns, values = _defaults(Customer, given)
            extra, params = _default_sql(columns, values)
            cursor.execute(
                f"INSERT INTO customers_customer (id, account_id, company_id, legal_name, nif, legal_name_folded, "
                f"mode{''.join(', ' + column for column in columns)}) "
                f"SELECT {CUSTOMER_ID.format(g='g')}, %s, %s, 'Cliente ' || g || ' S.L.', "
                f"lpad(g::text, 8, '0') || 'X', 'cliente ' || g || ' s.l.', 'live'{extra} "
                "FROM generate_series(1, %s) g",
                [account.pk, company.pk, *params, args.customers],
            )
            print(f"  customers: {time.perf_counter() - started:.0f} s", flush=True)
            given = {
                "id", "account_id", "company_id", "customer_id", "mode", "series", "number", "status", "issue_date",
                "due_date", "currency", "subtotal", "tax_total", "total", "amount_paid", "payment_date",
            }  # fmt: skip
            columns, values = _defaults(Invoice, given)
            extra, params = _default_sql(columns, values)
            # Invoice g: the target customer's for g <= 5,000 (one every ~5 hours over three years to 2026-06),
            # else customer 2 + g mod (N - 1). Every fourth is issued and unpaid, every tenth partly paid.
            cursor.execute(
                f"INSERT INTO invoices_invoice (id, account_id, company_id, customer_id, mode, series, number, "
                f"status, issue_date, due_date, currency, subtotal, tax_total, total, amount_paid, payment_date"
                f"{''.join(', ' + column for column in columns)}) "
                "SELECT gen_random_uuid(), %s, %s, "
                f"CASE WHEN g <= %s THEN {CUSTOMER_ID.format(g='1')} "
                f"ELSE {CUSTOMER_ID.format(g='(2 + g %% (%s - 1))')} END, 'live', 'A', g, "
                "CASE WHEN g %% 4 = 0 OR g %% 10 = 0 THEN 'issued' ELSE 'paid' END, d, d + 30, 'EUR', "
                "100 + g %% 900, 21 + g %% 189, 121 + g %% 900 + g %% 189, "
                "CASE WHEN g %% 4 = 0 THEN 0 WHEN g %% 10 = 0 THEN 50 ELSE 121 + g %% 900 + g %% 189 END, "
                f"CASE WHEN g %% 4 = 0 OR g %% 10 = 0 THEN NULL ELSE d + 20 END{extra} "
                "FROM generate_series(1, %s) g, LATERAL (SELECT DATE '2023-06-01' + (g %% 1095) AS d) day",
                [account.pk, company.pk, TARGET_INVOICES, args.customers, *params, args.invoices],
            )
            print(f"  invoices: {time.perf_counter() - started:.0f} s", flush=True)
            # The target's payments: one for each paid invoice, two (50 and 0... the rest later) for partly paid.
            cursor.execute(
                "INSERT INTO invoices_invoicepayment (id, invoice_id, amount, payment_date, method, recorded_by, "
                "created_at) "
                "SELECT gen_random_uuid(), id, CASE WHEN status = 'paid' THEN total ELSE 25 END, issue_date + 20, "
                "'BANK_TRANSFER', 'bench', now() FROM invoices_invoice "
                "WHERE customer_id = " + CUSTOMER_ID.format(g="1") + " AND amount_paid > 0 "
                "UNION ALL SELECT gen_random_uuid(), id, 25, issue_date + 25, '', 'bench', now() "
                "FROM invoices_invoice WHERE customer_id = " + CUSTOMER_ID.format(g="1") + " AND status = 'issued' "
                "AND amount_paid > 0"
            )
        finally:
            for _name, definition in indexes:
                cursor.execute(definition)
        print(f"  indexes: {time.perf_counter() - started:.0f} s", flush=True)
    # Django's connection is in autocommit mode: VACUUM runs outside a transaction, as it must.
    for table in ("customers_customer", "invoices_invoice", "invoices_invoicepayment"):
        connection.connection.execute(f"VACUUM ANALYZE {table}")
    print(
        f"Loaded {Customer.objects.filter(account=account).count():,} customers, "
        f"{Invoice.objects.filter(account=account).count():,} invoices, "
        f"{InvoicePayment.objects.filter(invoice__account=account).count():,} payments "
        f"in {time.perf_counter() - started:.0f} s"
    )


FLOOR = [
    "SELECT id, legal_name, nif FROM customers_customer WHERE id = %(customer)s AND company_id = %(company)s "
    "AND mode = 'live'",
    "SELECT id, series, number, issue_date, due_date, currency, total FROM invoices_invoice "
    "WHERE customer_id = %(customer)s AND company_id = %(company)s AND mode = 'live' "
    "AND status IN ('issued', 'paid') AND number IS NOT NULL AND issue_date <= %(to)s "
    "ORDER BY issue_date, series, number",
    "SELECT p.id, p.invoice_id, p.payment_date, p.amount FROM invoices_invoicepayment p "
    "JOIN invoices_invoice i ON i.id = p.invoice_id WHERE i.customer_id = %(customer)s "
    "AND i.company_id = %(company)s AND i.mode = 'live' AND i.status IN ('issued', 'paid') "
    "AND i.number IS NOT NULL AND i.issue_date <= %(to)s AND p.payment_date <= %(to)s "
    "ORDER BY p.payment_date, p.created_at, p.id",
]


def timed(function, runs: int) -> list[float]:
    function()  # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    args = parse_args()
    run.ensure_database(args)
    run.configure_django(args)

    import psycopg
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from apikeys.models import ALL_SCOPES, APIKey
    from beel.clock import today
    from companies.models import primary_company_of
    from invoices.models import Invoice

    call_command("migrate", verbosity=0)
    account, _ = get_user_model().objects.get_or_create(username=USER)
    company = primary_company_of(account)
    if args.reload or Invoice.objects.filter(account=account).count() != args.invoices:
        print(f"Loading into {args.database} ...")
        load(args, account, company)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {CUSTOMER_ID.format(g='1')}")
        customer_id = cursor.fetchone()[0]
    issued = APIKey.issue(account=account, name="bench-statement", scopes=list(ALL_SCOPES))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    url = f"/api/v1/customers/{customer_id}/statement"
    everything = {"from": "2020-01-01", "to": today().isoformat()}
    lines = {}

    def get_json(period):
        response = client.get(url, period)
        assert response.status_code == 200, response.content[:300]
        lines["json"] = sum(len(section["lines"]) for section in response.json()["data"]["currencies"])

    def get_csv(period):
        response = client.get(url, period, HTTP_ACCEPT="text/csv")
        assert response.status_code == 200
        lines["csv"] = b"".join(response.streaming_content).count(b"\r\n")

    dsn = dict(host=args.host, port=args.port, user=args.user, dbname=args.database)
    try:
        with psycopg.connect(**dsn) as conn:

            def floor(period):
                values = {"customer": customer_id, "company": company.pk, "to": period["to"]}
                for sql in FLOOR:
                    conn.execute(sql, values).fetchall()

            results = []
            for name, period in (("all history", everything), ("the year so far (default)", {})):
                floor_period = period or {"to": today().isoformat()}
                row = {
                    "case": name,
                    "floor": timed(lambda p=floor_period: floor(p), args.runs),
                    "json": timed(lambda p=period: get_json(p), args.runs),
                    "csv": timed(lambda p=period: get_csv(p), args.runs),
                    "lines": lines["json"],
                    "csv_lines": lines["csv"],
                }
                results.append(row)
            plans = [
                conn.execute(
                    "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql,
                    {"customer": customer_id, "company": company.pk, "to": everything["to"]},
                ).fetchall()
                for sql in FLOOR[1:]
            ]
    finally:
        issued.api_key.revoke()
    print()
    print("| case | lines | floor (raw SQL) p50 | JSON p50 | JSON / floor | CSV p50 | CSV / floor |")
    print("|---|---|---|---|---|---|---|")
    for row in results:
        floor_ms, json_ms, csv_ms = (statistics.median(row[key]) for key in ("floor", "json", "csv"))
        print(
            f"| {row['case']} | {row['lines']:,} ({row['csv_lines']:,} CSV rows) | {floor_ms:.1f} ms | "
            f"{json_ms:.1f} ms | {json_ms / floor_ms:.1f}x | {csv_ms:.1f} ms | {csv_ms / floor_ms:.1f}x |"
        )
    for row in results:
        print(row["case"], {key: [round(value, 1) for value in row[key]] for key in ("floor", "json", "csv")})
    for plan in plans:
        print("\n".join(line for (line,) in plan))
        print()


if __name__ == "__main__":
    main()
