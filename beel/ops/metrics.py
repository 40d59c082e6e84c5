"""Prometheus metrics of the service (defined in beel.metrics): the middleware that counts every request, and
the exposition scraped at /metrics.

Under gunicorn every worker is its own process: prometheus_client's multiprocess mode (enabled by
PROMETHEUS_MULTIPROC_DIR, which gunicorn.conf.py sets before the workers start) has each worker write its
values to files there, and a scrape adds them up. Without it (runserver, tests) the values live in this
process's default registry."""

import os
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from beel.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS, RATE_LIMIT_REJECTIONS

# Anything else is one label value, so a client inventing methods cannot grow the series without bound.
_KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
OPERATIONS_PATHS = ("/healthz", "/readyz", "/metrics")


def route_of(request: HttpRequest) -> str:
    """A bounded label for what was requested: the URL pattern's name, never the raw path."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path in OPERATIONS_PATHS:
        return request.path.lstrip("/")
    if request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
        return "static"
    return "unmatched"


class MetricsMiddleware:
    """Counts and times every request, outermost so that what the other middleware answer is included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_of(request)
        method = request.method if request.method in _KNOWN_METHODS else "other"
        HTTP_REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
        HTTP_REQUEST_DURATION.labels(route=route, method=method).observe(time.perf_counter() - started)
        if response.status_code == 429:
            RATE_LIMIT_REJECTIONS.labels(route=route).inc()
        return response


def exposition() -> HttpResponse:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
