"""The product's settings plus the benchmark's comparison endpoints (bench/baseline/urls.py). Used only by
`bench/run.py`'s throughput section, never by the product: its INSTALLED_APPS and URLs stay as they are."""

import os

from beel.settings import *  # noqa: F403

ROOT_URLCONF = "bench.baseline.urls"
# The account whose customers the bare view reads (the bench account); the service and the baseline find
# it from the bearer key instead.
BENCH_COMPANY_ID = os.environ.get("BENCH_COMPANY_ID", "00000000-0000-0000-0000-000000000000")
# The bench shares the Redis server with other runs: its rate-limit counters get their own prefix.
CACHES["default"]["KEY_PREFIX"] = "beel-bench"  # noqa: F405
