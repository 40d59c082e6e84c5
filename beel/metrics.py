"""What the service counts for Prometheus, defined once for every part that counts: the operations
middleware counts requests (beel.ops.metrics, which also serves them), the HTTP layer the requests the
database failed (beel.api.exceptions)."""

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "beel_http_requests_total",
    "Requests answered, by route (URL pattern name), method and status.",
    ["route", "method", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "beel_http_request_duration_seconds",
    "Time to answer a request, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RATE_LIMIT_REJECTIONS = Counter(
    "beel_rate_limit_rejections_total",
    "Requests refused with 429 RATE_LIMIT_EXCEEDED, by route.",
    ["route"],
)
DATABASE_ERRORS = Counter(
    "beel_database_errors_total",
    "Requests failed by the database: unavailable (down, unreachable), statement_timeout, or other.",
    ["kind"],
)
