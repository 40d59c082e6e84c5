"""Benchmark of the bulk paths (issue 30, items 2 and 3): the CSV import's preview (dry run) and import of the
1,000-row file of bench/csv_bench.py, and POST /api/v1/customers/bulk of 500 demo customers, each with its
audit entries and events, through the whole Django stack in this process (the test client), against a
database loaded by bench/run.py. Only the request is timed: the previous run's customers are deleted, and the
bulk's body is built, before the clock starts. Issue 30 asks: preview < 0.5 s, import < 1.5 s, bulk < 1 s.

    uv run python bench/bulk_write_bench.py --database beel_bench_small --customers 20000 [--runs 5]
        [--what preview,import,bulk]

Results (each run and the median, in ms) go to stdout; docs/performance.md has the figures.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import csv_bench, run  # noqa: E402

BULK_CUSTOMERS = 500


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_data_arguments(parser)
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--what", default="preview,import,bulk")
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def bulk_body(first: int) -> str:
    from customers.demo import demo_customer

    items = []
    for number in range(first, first + BULK_CUSTOMERS):
        demo = demo_customer(number)
        item = {
            "legal_name": demo.legal_name,
            "email": demo.email,
            "phone": demo.phone,
            "address": {
                "street": demo.street,
                "number": demo.number,
                "postal_code": demo.postal_code,
                "city": demo.city,
                "province": demo.province,
                "country": "ES",
            },
        }
        if demo.nif:
            item["nif"] = demo.nif
        else:
            item["alternative_id"] = {"type": "PASSPORT", "number": f"X{number}", "country": "FR"}
        items.append(item)
    return json.dumps({"customers": items})


def main() -> None:
    args = parse_args()
    run.configure_django(args)
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from apikeys.models import ALL_SCOPES, APIKey
    from customers.models import Customer

    account, _ = get_user_model().objects.get_or_create(username="bench-bulk-writes")
    Customer.objects.filter(account=account).delete()
    issued = APIKey.issue(account=account, name="bench", scopes=list(ALL_SCOPES))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    content = csv_bench.import_file()

    def request(what: str, number: int) -> float:
        if what == "preview":
            body = {"file": SimpleUploadedFile("clientes.csv", content, content_type="text/csv")}
            started = time.perf_counter()
            response = client.post("/api/v1/customers/import-csv-preview", body)
        elif what == "import":
            Customer.objects.filter(account=account).delete()
            body = {"file": SimpleUploadedFile("clientes.csv", content, content_type="text/csv")}
            started = time.perf_counter()
            response = client.post("/api/v1/customers/import-csv-preview?dry_run=false", body)
        else:
            Customer.objects.filter(account=account).delete()
            body = bulk_body(7_000_000 + number * BULK_CUSTOMERS)
            started = time.perf_counter()
            response = client.post("/api/v1/customers/bulk", body, content_type="application/json")
        seconds = time.perf_counter() - started
        assert response.status_code in (200, 201), (response.status_code, response.content[:500])
        return seconds

    try:
        for what in args.what.split(","):
            request(what, args.runs)  # warm: the key's first use, the process' caches
            times = [request(what, number) * 1000 for number in range(args.runs)]
            each = " ".join(f"{ms:.0f}" for ms in times)
            print(f"{what}: median {statistics.median(times):.0f} ms ({each})")
    finally:
        Customer.objects.filter(account=account).delete()
        issued.api_key.revoke()


if __name__ == "__main__":
    main()
