"""Every POST route of the URL conf is served once per `Idempotency-Key`: the routes are read from the URL conf
itself (drf-spectacular's endpoint enumerator, which the schema uses too), each has an entry in ROUTES that
makes what it needs and sends a valid request, and the retry with the same key answers the same status and
the same `data`, in the same order, with `Idempotency-Replay: true`, while the database is left exactly as the
first request left it (every row of every table compared) and nothing is handed to the queue.

A new POST route fails `test_every_post_route_has_an_entry` until it gets an entry here (a function of the
`World` returning the `Call` to send twice), or, for a POST with nothing to repeat, is named in its view's
`actions_without_idempotency` (then it is in EXEMPT, with the reason in the view)."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import EndpointEnumerator

from apikeys.models import ALL_SCOPES
from beel.api.views import UnknownRouteView
from companies.models import primary_company_of
from tests.factories import APIKeyFactory, CustomerFactory, valid_dni
from tests.registries.conftest import aeat  # noqa: F401 (the fake census NIF validation asks)
from webhooks.delivery import dispatch_events

pytestmark = pytest.mark.django_db

# A CSV with `Descuento general`: the import's report carries the discount as a Decimal.
CSV = (
    "Razón social;NIF;Descuento general\r\n"
    f"Importada Uno SL;{valid_dni(301)};12,5\r\n"
    f"Importada Dos SL;{valid_dni(302)};7\r\n"
).encode()


@dataclass
class Call:
    path: str
    body: Callable[[], dict] = dict  # made anew for each request: an uploaded file is read once
    multipart: bool = False


@dataclass
class World:
    """A test-mode key with every scope, its account's company, and helpers that make what a route acts on
    through the API itself (without a key)."""

    api: object
    account: object
    company_id: str
    made: dict = field(default_factory=dict)

    def customer(self, **fields) -> str:
        return str(CustomerFactory(account=self.account, mode="test", **fields).pk)

    def invoice(self, *, issued: bool = False) -> str:
        body = {"customer_id": self.customer()}
        invoice_id = self.api.post("/api/v1/invoices", body, format="json").json()["data"]["id"]
        if issued:
            assert self.api.post(f"/api/v1/invoices/{invoice_id}/issue").status_code == 200
        return invoice_id

    def endpoint(self) -> str:
        body = {"url": "http://127.0.0.1:9/hooks/beel"}
        return self.api.post("/api/v1/webhook-endpoints", body, format="json").json()["data"]["id"]

    def delivery(self) -> tuple[str, int]:
        endpoint_id = self.endpoint()
        body = {"legal_name": "Con Evento SL", "nif": valid_dni(303)}
        assert self.api.post("/api/v1/customers", body, format="json").status_code == 201
        (delivery_id,) = dispatch_events()
        return endpoint_id, delivery_id

    @property
    def company(self) -> str:
        return f"/api/v1/companies/{self.company_id}"


def csv_upload(**form) -> Callable[[], dict]:
    return lambda: {"file": SimpleUploadedFile("clientes.csv", CSV, content_type="text/csv"), **form}


def new_customer(n: int) -> Callable[[], dict]:
    return lambda: {"legal_name": f"Idempotente {n} SL", "nif": valid_dni(n)}


def merge_call(world: World, prefix: str) -> Call:
    duplicate, kept = world.customer(), world.customer()
    return Call(f"{prefix}/customers/{duplicate}/merge", lambda: {"into": kept})


def invoice_call(world: World, prefix: str) -> Call:
    customer_id = world.customer()
    return Call(f"{prefix}/invoices", lambda: {"customer_id": customer_id})


# "POST <path as the URL conf names it>" -> the request to send twice.
ROUTES: dict[str, Callable[[World], Call]] = {
    "POST /api/v1/customers": lambda w: Call("/api/v1/customers", new_customer(311)),
    "POST /api/v1/customers/bulk": lambda w: Call(
        "/api/v1/customers/bulk", lambda: {"customers": [new_customer(312)()]}
    ),
    "POST /api/v1/customers/import-csv-preview": lambda w: Call(
        "/api/v1/customers/import-csv-preview", csv_upload(dry_run="false"), multipart=True
    ),
    "POST /api/v1/customers/{customer_id}/reactivate": lambda w: Call(
        f"/api/v1/customers/{w.customer(active=False)}/reactivate"
    ),
    "POST /api/v1/customers/{customer_id}/anonymize": lambda w: Call(f"/api/v1/customers/{w.customer()}/anonymize"),
    "POST /api/v1/customers/{customer_id}/merge": lambda w: merge_call(w, "/api/v1"),
    "POST /api/v1/companies/{company_id}/customers": lambda w: Call(f"{w.company}/customers", new_customer(313)),
    "POST /api/v1/companies/{company_id}/customers/bulk": lambda w: Call(
        f"{w.company}/customers/bulk", lambda: {"customers": [new_customer(314)()]}
    ),
    "POST /api/v1/companies/{company_id}/customers/imports": lambda w: Call(
        f"{w.company}/customers/imports", csv_upload(source="csv"), multipart=True
    ),
    "POST /api/v1/companies/{company_id}/customers/imports/preview": lambda w: Call(
        f"{w.company}/customers/imports/preview", csv_upload(source="csv"), multipart=True
    ),
    "POST /api/v1/companies/{company_id}/customers/{customer_id}/reactivate": lambda w: Call(
        f"{w.company}/customers/{w.customer(active=False)}/reactivate"
    ),
    "POST /api/v1/companies/{company_id}/customers/{customer_id}/anonymize": lambda w: Call(
        f"{w.company}/customers/{w.customer()}/anonymize"
    ),
    "POST /api/v1/companies/{company_id}/customers/{customer_id}/merge": lambda w: merge_call(w, w.company),
    "POST /api/v1/customers/exports": lambda w: Call("/api/v1/customers/exports", lambda: {"active": True}),
    "POST /api/v1/companies/{company_id}/customers/exports": lambda w: Call(
        f"{w.company}/customers/exports", lambda: {"sort_by": "legal_name"}
    ),
    "POST /api/v1/invoices": lambda w: invoice_call(w, "/api/v1"),
    "POST /api/v1/invoices/{invoice_id}/issue": lambda w: Call(f"/api/v1/invoices/{w.invoice()}/issue"),
    "POST /api/v1/invoices/{invoice_id}/cancel": lambda w: Call(f"/api/v1/invoices/{w.invoice(issued=True)}/cancel"),
    "POST /api/v1/invoices/{invoice_id}/mark-paid": lambda w: Call(
        f"/api/v1/invoices/{w.invoice(issued=True)}/mark-paid", lambda: {"payment_date": "2026-01-02"}
    ),
    "POST /api/v1/companies/{company_id}/invoices": lambda w: invoice_call(w, w.company),
    "POST /api/v1/companies/{company_id}/invoices/{invoice_id}/mark-paid": lambda w: Call(
        f"{w.company}/invoices/{w.invoice(issued=True)}/mark-paid"
    ),
    "POST /api/v1/companies/{company_id}/invoices/{invoice_id}/issue": lambda w: Call(
        f"{w.company}/invoices/{w.invoice()}/issue"
    ),
    "POST /api/v1/companies/{company_id}/invoices/{invoice_id}/cancel": lambda w: Call(
        f"{w.company}/invoices/{w.invoice(issued=True)}/cancel"
    ),
    "POST /api/v1/nif/validate": lambda w: Call("/api/v1/nif/validate", lambda: {"nif": "B87654323"}),
    "POST /api/v1/webhook-endpoints": lambda w: Call(
        "/api/v1/webhook-endpoints", lambda: {"url": "http://127.0.0.1:9/hooks/otro", "description": "ERP"}
    ),
    "POST /api/v1/webhook-endpoints/{endpoint_id}/rotate-secret": lambda w: Call(
        f"/api/v1/webhook-endpoints/{w.endpoint()}/rotate-secret", lambda: {"expires_in_seconds": 3600}
    ),
    "POST /api/v1/webhook-endpoints/{endpoint_id}/test": lambda w: Call(
        f"/api/v1/webhook-endpoints/{w.endpoint()}/test"
    ),
    "POST /api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry": lambda w: Call(
        "/api/v1/webhook-endpoints/{}/deliveries/{}/retry".format(*w.delivery())
    ),
}


def post_routes() -> dict[str, tuple[type, str]]:
    """ "POST <path>" -> (view, action) of every POST the URL conf answers, but the catch-all 404 of /api/."""
    routes = {}
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        view = getattr(callback, "cls", None)
        if method == "POST" and view is not UnknownRouteView:
            routes[f"POST {path.rstrip('/')}"] = (view, (getattr(callback, "actions", None) or {}).get("post"))
    return routes


EXEMPT = {route for route, (view, action) in post_routes().items() if action in view.actions_without_idempotency}


def test_every_post_route_has_an_entry():
    routes = set(post_routes())
    assert routes - set(ROUTES) - EXEMPT == set(), "add these POST routes to ROUTES (or exempt them in their view)"
    assert set(ROUTES) - routes == set(), "these entries name no route any more"
    assert {"POST /api/v1/customers/templates/csv"} == EXEMPT  # a fixed file to download: nothing to repeat


def test_the_schema_offers_the_header_on_exactly_the_routes_served_once_per_key(anonymous_client):
    paths = anonymous_client.get("/api/v1/schema?format=json").json()["paths"]
    offering = {
        f"POST {path}"
        for path, operations in paths.items()
        if any(parameter["name"] == "Idempotency-Key" for parameter in operations.get("post", {}).get("parameters", []))
    }
    assert offering == set(ROUTES)


def database_rows() -> dict[str, list]:
    """Every row of every table, in key order: what a replay must leave as it is."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def in_order(response) -> list:
    """The response's `data`, read from its bytes with every object's keys in the order they were sent."""
    return dict(json.loads(response.content, object_pairs_hook=list))["data"]


@pytest.fixture
def world(account, client_for, settings):
    settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = True  # the endpoints point at 127.0.0.1, as a developer's may
    api_key = APIKeyFactory(account=account, mode="test", scopes=list(ALL_SCOPES))
    return World(api=client_for(api_key), account=account, company_id=str(primary_company_of(account).pk))


@pytest.mark.usefixtures("aeat")
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_retry_with_the_same_key_replays_the_answer_and_writes_nothing(
    route, world, django_capture_on_commit_callbacks
):
    call = ROUTES[route](world)

    def send():
        body = call.body()
        how = {"format": "multipart"} if call.multipart else {"format": "json"}
        return world.api.post(call.path, body, HTTP_IDEMPOTENCY_KEY="replay-1", **how)

    first = send()
    assert 200 <= first.status_code < 300, first.content[:500]
    assert "Idempotency-Replay" not in first
    before = database_rows()

    with django_capture_on_commit_callbacks() as handed_over:
        again = send()

    assert again.status_code == first.status_code, again.content[:500]
    assert again["Idempotency-Replay"] == "true"
    assert in_order(again) == in_order(first)
    assert database_rows() == before
    assert handed_over == []  # no event, no delivery handed to the queue a second time
