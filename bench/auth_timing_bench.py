"""Benchmark of a refused API key's answer time (issue 26, item 15): a known prefix with a wrong secret,
while that key is in use (this process holds a copy of it), against an unknown prefix. Before the fix the
first answered in 4.7 ms and the second in 8.0 ms, telling which prefixes are in use; they should now cost
the same (ratio ~1.0). A valid key's request is timed too, for scale.

    uv run python bench/auth_timing_bench.py --database beel_bench_auth [--requests 300] [--rounds 3]

As in production: PostgreSQL, Redis for the key copies' generations and the failed-authentication log
(--cache-url), DEBUG off; the requests go through the whole Django stack in process (django.test.Client).
The three kinds of request are interleaved, so that drift on a shared machine touches them alike. Results go
to stdout (the run recorded in docs/performance.md, "Refused keys cost the same").
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: the database and Django set up as for the other benchmarks


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_data_arguments(parser)  # --database and the connection; no customers are loaded
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0", help="Redis, as production's CACHE_URL.")
    parser.add_argument("--requests", type=int, default=300, help="Requests of each kind per round.")
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


def configure_django(args: argparse.Namespace) -> None:
    # Measured: the refusals themselves, not the limit on them that would stop them after 20 a minute.
    os.environ.setdefault("RATE_LIMIT_FAILED_AUTH", "100000000/min")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    run.configure_django(args)  # production-like: PostgreSQL, Redis (CACHE_URL), DEBUG off


def keys():
    """A key in use, the same key with a wrong secret, and one whose prefix no key has."""
    from django.contrib.auth import get_user_model

    from apikeys.models import APIKey, key_marker

    account, _ = get_user_model().objects.get_or_create(username="bench-auth-timing")
    issued = APIKey.issue(account=account, name="auth timing bench", scopes=["customers:read"], mode="live")
    raw = issued.raw_key
    api_key = issued.api_key
    marker = key_marker(api_key.mode)
    wrong = raw[:-6] + ("AAAAAA" if not raw.endswith("AAAAAA") else "BBBBBB")
    unknown_prefix = "Z" * len(api_key.prefix)
    unknown = marker + unknown_prefix + raw[len(marker) + len(unknown_prefix) :]
    assert not APIKey.objects.filter(prefix=unknown_prefix).exists()
    return {"valid key": raw, "known prefix, wrong secret": wrong, "unknown prefix": unknown}


def timed(client, raw_key: str, expected: int) -> float:
    started = time.perf_counter()
    response = client.get("/api/v1/me/identity", HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    elapsed = time.perf_counter() - started
    assert response.status_code == expected, response.content[:200]
    return elapsed * 1000


def main() -> None:
    args = parse_args()
    run.ensure_database(args)
    configure_django(args)
    from django.core.management import call_command
    from django.test import Client

    from apikeys import keycache

    call_command("migrate", verbosity=0)
    presented = keys()
    client = Client()
    for raw_key, expected in ((presented["valid key"], 200), (presented["unknown prefix"], 401)):
        for _ in range(20):  # warm: the key copied in this process, connections open
            timed(client, raw_key, expected)
    assert keycache.enabled(), "needs Redis (--cache-url): without it no key is copied"
    print(f"GET /api/v1/me/identity in process, {args.requests} requests of each kind per round, interleaved")
    print("| round | valid key ms | known prefix, wrong secret ms | unknown prefix ms | known / unknown |")
    print("|---|---|---|---|---|")
    ratios = []
    for round_number in range(1, args.rounds + 1):
        samples = {name: [] for name in presented}
        for _ in range(args.requests):
            for name, raw_key in presented.items():
                samples[name].append(timed(client, raw_key, 200 if name == "valid key" else 401))
        medians = {name: statistics.median(values) for name, values in samples.items()}
        ratio = medians["known prefix, wrong secret"] / medians["unknown prefix"]
        ratios.append(ratio)
        print(
            f"| {round_number} | {medians['valid key']:.2f} | {medians['known prefix, wrong secret']:.2f} | "
            f"{medians['unknown prefix']:.2f} | {ratio:.3f} |"
        )
    print(f"\nknown / unknown, median of the rounds' medians: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
