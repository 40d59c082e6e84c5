"""Benchmark of a bulk create that checks its tax ids (issue 25): POST /api/v1/customers/bulk of 500 customers
with 500 distinct NIFs, through the whole Django stack in this process, against the fake VNifV2 server of the
tests (mutual TLS, a client certificate of a test CA) answering each request after 50 ms. Target: under 10 s
(bounded concurrency, TAX_ID_CONCURRENCY; several NIFs per request, TAX_ID_AEAT_BATCH). Nothing leaves the
machine. A throwaway test database (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL).

    uv run python bench/bulk_tax_id_bench.py [--customers 500] [--delay 0.05] [--repeat 3]

Each run starts with an empty verdict cache and a new account. Results go to stdout.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beel.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from stdnum.es import dni  # noqa: E402

from customers.models import Customer  # noqa: E402
from tests.factories import APIKeyFactory  # noqa: E402
from tests.registries.fakes import FakeAeat  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.05, help="Seconds the fake takes to answer a request.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-census", action="store_true", help="No certificate: every check PENDING (baseline).")
    return parser.parse_args()


def items(count: int, run: int) -> list[dict]:
    numbers = [f"{number:08d}" for number in range(10_000_000 + run * count, 10_000_000 + (run + 1) * count)]
    return [{"legal_name": f"Persona {number}", "nif": number + dni.calc_check_digit(number)} for number in numbers]


def one_run(count: int, run: int) -> tuple[float, int]:
    cache.clear()
    key = APIKeyFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    started = time.perf_counter()
    response = client.post("/api/v1/customers/bulk", {"customers": items(count, run)}, format="json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.content[:500]
    valid = Customer.objects.filter(account=key.account, tax_id_status="VALID").count()
    return elapsed, valid


def main() -> None:
    args = parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    fake = FakeAeat(delay=args.delay)
    try:
        with tempfile.TemporaryDirectory() as directory:
            certificates = fake.start_tls(Path(directory))
            settings.AEAT_VNIF_URL = fake.url
            settings.AEAT_CLIENT_CERT, settings.AEAT_CLIENT_KEY = certificates.client_cert, certificates.client_key
            settings.AEAT_CA_BUNDLE = certificates.ca
            if args.no_census:
                settings.AEAT_CLIENT_CERT = settings.AEAT_CLIENT_KEY = ""
            print(f"POST /customers/bulk of {args.customers} distinct NIFs, fake census answering in "
                  f"{args.delay * 1000:.0f} ms, {connection.vendor}, TAX_ID_CONCURRENCY={settings.TAX_ID_CONCURRENCY}, "
                  f"TAX_ID_AEAT_BATCH={settings.TAX_ID_AEAT_BATCH}")  # fmt: skip
            times = []
            for run in range(args.repeat):
                fake.seen.clear()
                elapsed, valid = one_run(args.customers, run)
                times.append(elapsed)
                print(f"run {run + 1}: {elapsed:.2f} s, {len(fake.seen)} census requests, {valid} customers VALID")
            print(f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s")
    finally:
        fake.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
