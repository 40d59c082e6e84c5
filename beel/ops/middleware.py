import hmac
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse

from beel.client_address import client_address
from beel.db import replica_state
from beel.db.replicas import replica_aliases
from beel.ops import health, metrics

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str]) -> list[Network]:
    try:
        return [ipaddress.ip_network(entry, strict=False) for entry in entries]
    except ValueError as error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {error}") from None


def _probe_response(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


class OperationsMiddleware:
    """Answers /healthz, /readyz and /metrics before anything else runs: no host check (a load balancer
    calls an instance by its address), no HTTPS redirect, no session, no API key, no rate limit, and no
    access-log line (the beel.access log is for API requests)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = {"/healthz": self.liveness, "/readyz": self.readiness, "/metrics": self.metrics}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = self.routes.get(request.path)
        if answer is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        return answer(request)

    @staticmethod
    def liveness(request: HttpRequest) -> HttpResponse:
        """The process answers: touches neither the database nor the cache, so an outage of either does
        not get every instance restarted."""
        return _probe_response({"status": "ok"})

    @staticmethod
    def readiness(request: HttpRequest) -> HttpResponse:
        checks = health.readiness()
        # Read replicas are reported, never failed on: without them the primary serves every read.
        replicas = {"replicas": replica_state.report()} if replica_aliases() else {}
        failed = sorted(name for name, outcome in checks.items() if outcome not in ("ok", "skipped"))
        if failed:
            body = {"status": "unavailable", "failed": failed, "checks": checks, **replicas}
            response = _probe_response(body, status=503)
            response._has_been_logged = True  # each failed check logged its reason; no ERROR line per probe
            return response
        return _probe_response({"status": "ok", "checks": checks, **replicas})

    def metrics(self, request: HttpRequest) -> HttpResponse:
        if not self.may_read_metrics(request):
            # As if there were nothing here: the metrics are never public, and not advertised either.
            return HttpResponseNotFound("Not found", content_type="text/plain")
        return metrics.exposition()

    @staticmethod
    def may_read_metrics(request: HttpRequest) -> bool:
        token = settings.METRICS_TOKEN
        if token:
            presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if presented and hmac.compare_digest(presented.encode(), token.encode()):
                return True
        networks = parse_networks(settings.METRICS_ALLOWED_NETWORKS)
        if not networks:
            return False
        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            return False
        return any(address in network for network in networks)
