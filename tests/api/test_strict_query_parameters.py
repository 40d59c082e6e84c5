"""Every route under /api/ refuses a query parameter it does not declare with a 400 naming it (issue 26,
item 11): a generated client's flattened `?plan=pro`, or a misspelt filter, must never be answered as if it
were absent. The walk covers every pattern of the URL conf, so a route added later is held to the rule too."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from companies.models import primary_company_of
from customers.models import Customer
from invoices.models import Invoice
from tests.envelope import assert_error
from tests.factories import CustomerFactory, InvoiceFactory
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

UNKNOWN = "unknown_param"
# The catch-all 404 (beel.api.views.UnknownRouteView): no route, nothing to declare.
NOT_ROUTES = {None}


def api_routes(patterns=None, prefix: str = ""):
    """(name, method, the path's keyword arguments) of every operation of a pattern under `api/` that some key
    may call (GET /nif, the `list` every viewset inherits, is open to none: a 403 before any parameter is read)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern) and text.lstrip("^").startswith("api/") and pattern.name not in NOT_ROUTES:
            for method in methods_of(pattern.callback):
                yield pattern.name, method, tuple(pattern.pattern.regex.groupindex)


def methods_of(view) -> list[str]:
    actions = getattr(view, "actions", None)
    if actions:
        scopes = getattr(view.cls, "required_scopes", {})
        return sorted(method for method, action in actions.items() if action in scopes)
    return [method for method in ("get", "post", "put", "patch", "delete") if hasattr(view.view_class, method)]


ROUTES = sorted(set(api_routes()))


@pytest.fixture
def ids(account):
    customer = CustomerFactory(account=account)
    invoice = InvoiceFactory(customer=customer)
    endpoint = WebhookEndpoint.objects.create(account=account, url="https://hooks.example.com/beel")
    return {
        "account_id": account.pk,
        "company_id": primary_company_of(account).pk,
        "customer_id": customer.pk,
        "invoice_id": invoice.pk,
        "payment_id": uuid.uuid4(),
        "endpoint_id": endpoint.pk,
        "delivery_id": 1,
        "export_id": uuid.uuid4(),
        "event_id": uuid.uuid4(),
    }


def snapshot() -> list:
    return [list(model.objects.order_by("pk").values()) for model in (Customer, Invoice, WebhookEndpoint)]


def test_the_walk_covers_every_family_of_routes():
    names = {name for name, _method, _kwargs in ROUTES}
    for expected in ("customer-list", "my-identity", "account-companies", "invoice-detail", "schema", "api-docs"):
        assert expected in names
    assert ("webhook-endpoint-retry-delivery", "post", ("endpoint_id", "delivery_id")) in ROUTES


def route_id(value) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize(("name", "method", "kwargs"), ROUTES, ids=route_id)
def test_every_route_refuses_an_undeclared_query_parameter_naming_it(api, ids, name, method, kwargs):
    url = f"{reverse(name, kwargs={key: ids[key] for key in kwargs})}?{UNKNOWN}=1"
    before = snapshot()

    response = api.get(url) if method == "get" else getattr(api, method)(url, {}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == {UNKNOWN: "Unknown query parameter."}
    assert snapshot() == before


def test_issue_takes_beels_wait_for_pdf_and_refuses_a_value_that_is_no_flag(api, account):
    """BeeL's SDKs send `wait_for_pdf` when issuing: accepted (beel renders no PDF), a non-boolean a 400."""
    draft = InvoiceFactory(customer=CustomerFactory(account=account))

    refused = assert_error(api.post(f"/api/v1/invoices/{draft.pk}/issue?wait_for_pdf=maybe"), 400, "VALIDATION_ERROR")
    draft.refresh_from_db()
    assert refused["details"] == {"wait_for_pdf": "wait_for_pdf must be true or false."}
    assert draft.status == "draft"
    assert api.post(f"/api/v1/invoices/{draft.pk}/issue?wait_for_pdf=true").status_code == 200


def test_a_list_names_an_undeclared_parameter_with_its_other_bad_ones(api):
    response = api.get("/api/v1/customers", {"per_page": "10", "limit": "ten"})

    details = assert_error(response, 400, "VALIDATION_ERROR")["details"]
    assert details == {"per_page": "Unknown query parameter.", "limit": "limit must be a whole number."}
