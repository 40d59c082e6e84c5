"""Every event type has its payload schema in the OpenAPI document (a component with its envelope and data,
in `Event` for GET /events and in `x-webhooks`), and the payloads the code really emits validate against it."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from beel.events.models import STREAM_TYPES, EventType
from invoices.models import Invoice
from tests.factories import CustomerFactory, valid_dni
from webhooks.models import WebhookDelivery
from webhooks.schema import event_component

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(anonymous_client):
    return anonymous_client.get("/api/v1/schema?format=json").json()


def json_schema(node):
    """OpenAPI 3.0's schema dialect as JSON Schema: `nullable` becomes a null alternative, and references
    point into `$defs`."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: (value.replace("#/components/schemas/", "#/$defs/") if key == "$ref" else json_schema(value))
        for key, value in node.items()
        if key not in ("nullable", "discriminator")
    }
    return {"anyOf": [converted, {"type": "null"}]} if node.get("nullable") else converted


def violations(document, component: str, payload) -> list[str]:
    schema = {"$defs": json_schema(document["components"]["schemas"]), "$ref": f"#/$defs/{component}"}
    return [
        f"{list(error.absolute_path)}: {error.message}" for error in Draft202012Validator(schema).iter_errors(payload)
    ]


def test_every_event_type_has_its_schema_in_the_document(document):
    schemas = document["components"]["schemas"]
    for event_type in EventType.values:
        component = schemas[event_component(event_type)]
        assert component["properties"]["type"]["enum"] == [event_type]
        assert {"sequence", "data", "company_id"} <= set(component["required"])
        assert event_type in document["x-webhooks"]
    assert set(schemas["Event"]["discriminator"]["mapping"]) == set(STREAM_TYPES)


def test_the_emitted_payloads_validate_against_their_schemas(
    document, api, account, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "customer_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    customers = "/api/v1/customers"
    created = [
        api.post(customers, {"legal_name": f"Cliente {n}", "nif": valid_dni(900 + n)}, format="json").json()["data"]
        for n in range(3)
    ]
    first, second, third = (customer["id"] for customer in created)
    api.patch(f"{customers}/{first}", {"notes": "nota"}, format="json")
    assert api.delete(f"{customers}/{first}").status_code == 200
    assert api.post(f"{customers}/{first}/reactivate").status_code == 200
    assert api.post(f"{customers}/{second}/merge", {"into": first}, format="json").status_code == 200
    assert api.post(f"{customers}/{third}/anonymize").status_code == 200
    doomed = CustomerFactory(account=account)
    assert api.delete(f"/api/v1/companies/{doomed.company_id}/customers/{doomed.pk}").status_code in (200, 204)
    issued = api.post("/api/v1/invoices", {"customer_id": first}, format="json").json()["data"]["id"]
    assert api.post(f"/api/v1/invoices/{issued}/issue").status_code == 200
    assert api.post(f"/api/v1/invoices/{issued}/cancel").status_code == 200
    overdue = api.post("/api/v1/invoices", {"customer_id": first, "subtotal": "10.00"}, format="json").json()["data"]
    assert api.post(f"/api/v1/invoices/{overdue['id']}/issue").status_code == 200
    assert api.post(f"/api/v1/invoices/{overdue['id']}/mark-paid", {"amount": "4.00"}, format="json").status_code == 200
    Invoice.objects.filter(pk=overdue["id"]).update(due_date=date(2000, 1, 1))  # fallen due long ago
    call_command("notifyoverdueinvoices", stdout=StringIO())
    assert api.post(f"/api/v1/invoices/{overdue['id']}/mark-paid", format="json").status_code == 200
    endpoint = api.post("/api/v1/webhook-endpoints", {"url": "https://8.8.8.8/hooks"}, format="json").json()["data"]
    assert api.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/test").status_code == 202
    with django_capture_on_commit_callbacks(execute=True):  # the export job runs as without a broker
        assert api.post("/api/v1/customers/exports", {}, format="json").status_code == 202

    events = api.get("/api/v1/events?limit=100").json()["data"]["events"]
    test_event = WebhookDelivery.objects.get(event__type="webhook.test").event.envelope()
    emitted = {event["type"] for event in [*events, test_event]}
    # customer.tax_id_verified needs a registry's verdict; its payload is built by the same customer_event as
    # every customer.* event (customers.services.base), whose schema CustomerDetail is checked here. A failed
    # export's data is the job as its status resource shows it, as a succeeded one's (checked here).
    assert emitted == set(EventType.values) - {EventType.CUSTOMER_TAX_ID_VERIFIED, EventType.CUSTOMER_EXPORT_FAILED}
    for event in [*events, test_event]:
        assert violations(document, event_component(event["type"]), event) == [], event["type"]
    for event in events:
        assert violations(document, "Event", event) == [], event["type"]
