"""GET /metrics: Prometheus text, only for configured addresses or with the token, never public."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def scraper(settings):
    settings.METRICS_TOKEN = TOKEN
    client = Client()

    def scrape() -> dict[tuple[str, frozenset], float]:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return scrape


def value(samples, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_are_not_served_without_configuration(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    assert Client().get("/metrics").status_code == 404


def test_a_wrong_token_is_refused(settings):
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 404
    assert Client().get("/metrics").status_code == 404


def test_an_allowed_network_reads_the_metrics_without_a_token(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "127.0.0.0/8"]
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200
    assert b"beel_http_requests_total" in response.content


def test_an_address_outside_the_allowed_networks_is_refused(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics").status_code == 404


def test_behind_a_proxy_on_the_same_machine_the_client_address_decides(settings):
    """A TLS proxy on localhost forwards the public's requests from 127.0.0.1: that must not open the
    metrics to the public."""
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="127.0.0.1")
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9, 127.0.0.1").status_code == 200


def test_requests_are_counted_by_route_method_and_status(scraper, api):
    before = scraper()
    api.get("/api/v1/customers")
    api.get("/api/v1/customers")
    api.get("/api/v1/customers/00000000-0000-0000-0000-000000000000")
    api.get("/api/v1/no-such-route")
    after = scraper()

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("beel_http_requests_total", route="customer-list", method="GET", status="200") == 2
    assert delta("beel_http_requests_total", route="customer-detail", method="GET", status="404") == 1
    # Unknown paths share one label value: a scanner cannot create a series per path.
    assert delta("beel_http_requests_total", route="beel.api.views.UnknownRouteView", method="GET", status="404") == 1
    assert delta("beel_http_request_duration_seconds_count", route="customer-list", method="GET") == 2
    assert delta("beel_http_request_duration_seconds_bucket", route="customer-list", method="GET", le="+Inf") == 2


def test_invented_methods_share_one_label(scraper, api):
    before = scraper()
    api.generic("BREW", "/api/v1/customers")
    after = scraper()
    labels = {"route": "customer-list", "method": "other", "status": "405"}
    assert value(after, "beel_http_requests_total", **labels) - value(before, "beel_http_requests_total", **labels) == 1


def test_rate_limit_rejections_are_counted(scraper, api, settings):
    settings.RATE_LIMIT_PER_RESOURCE = "1/min"
    before = scraper()
    assert api.get("/api/v1/customers").status_code == 200
    assert api.get("/api/v1/customers").status_code == 429
    after = scraper()
    name = "beel_rate_limit_rejections_total"
    assert value(after, name, route="customer-list") - value(before, name, route="customer-list") == 1
