"""Benchmark of beel.registries.check_many (issue 25): 500 distinct NIFs checked against the fake VNifV2
server of the tests (mutual TLS, a client certificate of a test CA), which answers each request after 50 ms,
as a bulk create or CSV import of 500 customers would check them. Target: under 10 s with bounded
concurrency (TAX_ID_CONCURRENCY). Nothing leaves the machine: the fake listens on 127.0.0.1.

    uv run python bench/registry_bench.py [--nifs 500] [--delay 0.05] [--concurrency 8 16] [--repeat 3]

Each run starts with an empty verdict cache; a last run repeats the check with the cache warm (no request
is made with a shared cache: CACHE_URL=redis://...; the per-process LocMemCache keeps 300 entries). Each
TAX_ID_AEAT_BATCH is tried (50: several NIFs to a VNifV2 request; 1: one request per NIF, as VIES needs).
Results go to stdout.
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
from stdnum.es import dni  # noqa: E402

from beel.registries import Status, TaxId, check_many  # noqa: E402
from tests.registries.fakes import FakeAeat  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nifs", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.05, help="Seconds the fake takes to answer a request.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 16])
    parser.add_argument("--batch", type=int, nargs="+", default=[50, 1], help="TAX_ID_AEAT_BATCH values.")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def nifs(count: int) -> list[TaxId]:
    return [TaxId.spanish(f"{number:08d}{dni.calc_check_digit(f'{number:08d}')}", f"Persona {number}")
            for number in range(10_000_000, 10_000_000 + count)]  # fmt: skip


def timed(tax_ids: list[TaxId]) -> tuple[float, dict]:
    started = time.perf_counter()
    answers = check_many(tax_ids)
    return time.perf_counter() - started, answers


def main() -> None:
    args = parse_args()
    fake = FakeAeat(delay=args.delay)
    with tempfile.TemporaryDirectory() as directory:
        certificates = fake.start_tls(Path(directory))
        settings.AEAT_VNIF_URL = fake.url
        settings.AEAT_CLIENT_CERT, settings.AEAT_CLIENT_KEY = certificates.client_cert, certificates.client_key
        settings.AEAT_CA_BUNDLE = certificates.ca
        tax_ids = nifs(args.nifs)
        print(f"check_many of {args.nifs} distinct NIFs, fake census answering in {args.delay * 1000:.0f} ms")
        print("| TAX_ID_AEAT_BATCH | TAX_ID_CONCURRENCY | median s | min s | max s | requests | all VALID |")
        print("|---|---|---|---|---|---|---|")
        for batch, concurrency in [(batch, concurrency) for batch in args.batch for concurrency in args.concurrency]:
            settings.TAX_ID_AEAT_BATCH, settings.TAX_ID_CONCURRENCY = batch, concurrency
            times = []
            for _ in range(args.repeat):
                cache.clear()
                fake.seen.clear()
                elapsed, answers = timed(tax_ids)
                times.append(elapsed)
            valid = all(answer.status == Status.VALID for answer in answers.values())
            print(f"| {batch} | {concurrency} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} "
                  f"| {len(fake.seen)} | {valid} |")  # fmt: skip
        fake.seen.clear()
        elapsed, _ = timed(tax_ids)
        print(f"warm cache: {elapsed * 1000:.1f} ms, {len(fake.seen)} requests")
        fake.stop()


if __name__ == "__main__":
    main()
