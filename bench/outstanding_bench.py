"""Benchmark of the customer list sorted by what is owed (`sort_by=outstanding`, issue 29) on PostgreSQL, the
whole query (every customer joined to its balance, then the page) against the segmented read
(customers.selectors._outstanding_segments), in the same run.

    uv run python bench/outstanding_bench.py --database beel_bench_outstanding [--customers 1000000]

The data are bench/stats_bench.py's (built once by its `build`, reused when the counts match): one account,
1,000,000 customers, 2,005,000 invoices, about 35 % of the customers owing. Each case goes through the full
Django stack in this process (median of --repeat after a warm-up); the floor is the default first page.
Both reads' rows are compared, so a faster read that answers differently fails the bench.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py
import stats_bench


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_data_arguments(parser)
    parser.add_argument("--invoices", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--output", type=Path, default=run.ROOT / "bench" / "results" / "outstanding.md")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0")
    return parser.parse_args()


def timed(call, repeat: int) -> float:
    call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    args = parse_args()
    run.ensure_database(args)
    run.configure_django(args)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from apikeys.models import ALL_SCOPES, APIKey
    from customers import selectors
    from customers.models import Customer
    from invoices.models import Invoice

    call_command("migrate", verbosity=0)
    account, _ = get_user_model().objects.get_or_create(username="bench-stats")
    wanted = args.invoices + stats_bench.LONG_HISTORY
    if (
        args.reload
        or Customer.objects.filter(account=account).count() != args.customers
        or Invoice.objects.filter(account=account).count() != wanted
    ):
        print(f"Building {args.customers:,} customers and {wanted:,} invoices in {args.database} ...", flush=True)
        print(stats_bench.build(args, account), flush=True)
    issued = APIKey.issue(account=account, name="bench", scopes=list(ALL_SCOPES))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    segmented = selectors._outstanding_segments

    def whole(scope, asked, keys):
        return ()

    def get(params):
        response = client.get("/api/v1/customers", params)
        assert response.status_code == 200, response.content[:300]
        return response.json()["data"]

    desc = {"sort_by": "outstanding", "sort_order": "desc"}
    asc = {"sort_by": "outstanding", "sort_order": "asc"}
    cases = [
        ("default first page (floor)", {}),
        ("desc, first page", desc),
        ("asc, first page", asc),
        ("desc, currency=USD", {**desc, "currency": "USD"}),
        ("desc, active=true&city=madrid", {**desc, "active": "true", "city": "madrid"}),
        ("desc, page=50", {**desc, "page": "50"}),
    ]
    for label, params in (("desc", desc), ("asc", asc)):
        cursor = get(params)["pagination"]["next_cursor"]
        cases.append((f"{label}, next page by cursor", {**params, "cursor": cursor}))
    results = []
    try:
        for label, params in cases:
            selectors._outstanding_segments = whole
            before_rows = get(params)
            before = timed(lambda params=params: get(params), args.repeat if "floor" in label else 3)
            selectors._outstanding_segments = segmented
            after_rows = get(params)
            after = timed(lambda params=params: get(params), args.repeat)
            same = before_rows["customers"] == after_rows["customers"] and {
                k: v for k, v in before_rows["pagination"].items() if k != "next_cursor"
            } == {k: v for k, v in after_rows["pagination"].items() if k != "next_cursor"}
            results.append((label, before, after, same))
            print(f"{label}: whole {before:.1f} ms, segmented {after:.1f} ms, same rows: {same}", flush=True)
    finally:
        selectors._outstanding_segments = segmented
        issued.api_key.revoke()
    floor = results[0][2]
    lines = [
        f"# Outstanding sort bench: {args.customers:,} customers, {wanted:,} invoices",
        "",
        "| list | whole query (before) | segmented (after) | after / floor | same rows |",
        "|---|---|---|---|---|",
        *(f"| {label} | {b:.1f} ms | {a:.1f} ms | {a / floor:.2f}x | {same} |" for label, b, a, same in results),
    ]
    text = "\n".join(lines)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
