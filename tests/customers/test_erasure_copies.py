"""An erasure reaches every copy of the customer's personal data (issue 26, item 1): after
POST /customers/{id}/anonymize no table of the database holds any of its values, but for the recipient of an
invoice issued to it, which the law obliges the business to keep; the webhooks still pending, and an old delivery
retried by hand, send the scrubbed event; a stored Idempotency-Key response replays the anonymised customer."""

from datetime import date
from io import StringIO

import pytest
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.core.management import call_command

from beel.events.models import Event
from beel.idempotency.models import IdempotencyRecord
from beel.registries import TaxId, state
from customers.models import Customer
from tests.admin_pages import change_form_data, customer_change_url, post_action, texts
from tests.database_search import where_found
from tests.envelope import assert_success
from tests.factories import InvoiceFactory, valid_dni
from tests.registries.conftest import aeat, quick_registries  # noqa: F401 (fixtures)
from tests.webhooks.conftest import local_receivers_allowed, receiver_with, test_api, test_key  # noqa: F401
from webhooks import delivery as webhook_delivery
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

URL = "/api/v1/customers"
NIF, DUPLICATE_NIF = valid_dni(4242), valid_dni(4243)
LEGAL_NAME = "Olvido Derecho Supresión"
PERSON = {
    "legal_name": LEGAL_NAME,
    "nif": NIF,
    "email": "olvido.supresion@example.es",
    "phone": "612 398 745",
    "address": {"street": "Calle del Derecho al Olvido", "number": "17", "city": "Sevilla", "province": "Sevilla"},
    "notes": "Prefiere que no le llamen los lunes",
    "metadata": {"erp": "ERP-CLIENTE-884422"},
}
DUPLICATE = {"legal_name": "Olvido Duplicada Supresión", "nif": DUPLICATE_NIF, "email": "olvido.dup@example.es"}
# What must be found nowhere after the erasure (the phone as stored: E.164).
ERASED = [
    LEGAL_NAME,
    NIF,
    "olvido.supresion@example.es",
    "+34612398745",
    "Calle del Derecho al Olvido",
    "Prefiere que no le llamen los lunes",
    "ERP-CLIENTE-884422",
    "Olvido Contacto Persona",
    "Olvido Duplicada Supresión",
    DUPLICATE_NIF,
    "olvido.dup@example.es",
]
# What the recipient copy of an invoice issued to it keeps (RD 1619/2012, art. 6: name, tax id and address).
ON_THE_ISSUED_INVOICE = {LEGAL_NAME, NIF, "Calle del Derecho al Olvido"}


def post(client, path: str, body=None, *, key: str, status: int = 200) -> dict:
    response = client.post(path, body or {}, format="json", headers={"Idempotency-Key": key})
    return assert_success(response, status)


def subscribe(client, receiver) -> None:
    assert client.post("/api/v1/webhook-endpoints", {"url": receiver.url}, format="json").status_code == 201


@pytest.fixture
def failing_receiver(receiver_with, test_api):  # noqa: F811
    """A receiver that answers 500 to everything: every delivery stays pending, to be retried."""
    receiver = receiver_with([500] * 1000)
    subscribe(test_api, receiver)
    return receiver


@pytest.fixture
def known_to_the_census(aeat):  # noqa: F811
    aeat.table[NIF] = ("IDENTIFICADO", "OLVIDO DERECHO SUPRESION")
    return aeat


def a_customer_with_a_history(test_api, staff, capture) -> dict:  # noqa: F811
    """The customer, created, edited through the API and the admin, deactivated and reactivated, invoiced (a
    draft, and an invoice issued years ago), previewed in a dry run, and with a duplicate merged into it: every
    write that copies its data somewhere."""
    with capture(execute=True):
        customer = post(test_api, URL, PERSON, key="create", status=201)
        duplicate = post(test_api, URL, DUPLICATE, key="create-duplicate", status=201)
        url = f"{URL}/{customer['id']}"
        assert_success(test_api.patch(url, {"trade_name": "Olvido"}, format="json"))
        assert_success(test_api.delete(url))
        post(test_api, f"{url}/reactivate", key="reactivate")
        post(test_api, "/api/v1/invoices", {"customer_id": customer["id"]}, key="draft", status=201)
        post(test_api, f"{URL}/bulk?dry_run=true", {"customers": [PERSON]}, key="dry-run")
        post(test_api, f"{URL}/{duplicate['id']}/merge", {"into": customer["id"]}, key="merge")
    admin_url = customer_change_url(Customer.objects.get(pk=customer["id"]))
    form = change_form_data(staff, admin_url) | {"contact_person": "Olvido Contacto Persona"}
    assert staff.post(admin_url, form).status_code == 302
    stored = Customer.objects.get(pk=customer["id"])
    InvoiceFactory(customer=stored, status="issued", number=1, issue_date=date(2019, 3, 1))
    return customer


def test_after_an_erasure_no_table_holds_the_customer_but_the_invoice_issued_to_it(
    test_api,  # noqa: F811
    staff,
    failing_receiver,
    known_to_the_census,
    django_capture_on_commit_callbacks,
):
    customer = a_customer_with_a_history(test_api, staff, django_capture_on_commit_callbacks)
    stored = Customer.objects.get(pk=customer["id"])
    assert stored.tax_id_registry_name == "OLVIDO DERECHO SUPRESION"
    assert WebhookDelivery.objects.filter(status="pending").count() == 7  # 2 created, updated, ..., merged
    events_before = Event.objects.count()
    assert {found.value for found in where_found(ERASED)} == set(ERASED)  # the search finds them before

    with django_capture_on_commit_callbacks(execute=True):
        erased = post(test_api, f"{URL}/{customer['id']}/anonymize", key="erase")

    assert erased["anonymized_at"] is not None
    issued = stored.invoices.get(number=1)
    found = where_found(ERASED)
    assert {(f.table, f.row_id) for f in found} == {("invoices_invoice", issued.pk.hex)}
    assert {f.value for f in found} == ON_THE_ISSUED_INVOICE
    # The copies are rewritten, not dropped: every event is still there, and the history of the admin too.
    assert Event.objects.count() == events_before + 2  # the customer's and its duplicate's anonymisation
    assert LogEntry.objects.get(object_id=customer["id"]).object_repr == str(Customer.objects.get(pk=customer["id"]))
    # The registry's verdict, which holds the name it knows, is no longer cached.
    assert state.cached_answer(TaxId.spanish(NIF, LEGAL_NAME).cache_key) is None


def test_a_stored_response_replays_the_anonymised_customer(test_api, django_capture_on_commit_callbacks):  # noqa: F811
    customer = post(test_api, URL, PERSON, key="create", status=201)
    post(test_api, f"{URL}/{customer['id']}/anonymize", key="erase")

    replay = test_api.post(URL, PERSON, format="json", headers={"Idempotency-Key": "create"})

    assert replay.headers["Idempotency-Replay"] == "true"
    replayed = assert_success(replay, 201)
    assert replayed["id"] == customer["id"] and replayed["created_at"] == customer["created_at"]
    assert replayed["legal_name"] == f"Anonymised customer {customer['id'].replace('-', '')[:8]}"
    assert (replayed["nif"], replayed["email"], replayed["notes"], replayed["metadata"]) == (None, None, None, {})
    # A dry run that named the customer by its NIF alone is forgotten: retrying it runs it again.
    assert not IdempotencyRecord.objects.filter(key="dry-run").exists()


def test_pending_deliveries_and_an_old_one_retried_by_hand_send_the_scrubbed_event(
    test_api,  # noqa: F811
    failing_receiver,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        customer = post(test_api, URL, PERSON, key="create", status=201)
    created = WebhookDelivery.objects.get(event__type="customer.created")
    assert LEGAL_NAME in failing_receiver.received[-1].body.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post(test_api, f"{URL}/{customer['id']}/anonymize", key="erase")
    sent_before = len(failing_receiver.received)

    endpoint = created.endpoint_id
    retried = test_api.post(f"/api/v1/webhook-endpoints/{endpoint}/deliveries/{created.pk}/retry")
    assert retried.status_code == 202
    webhook_delivery.attempt_delivery(created.pk)  # if the retry's task has not run it already

    sent = failing_receiver.received[sent_before:]
    assert sent and all(request.event["data"]["id"] == customer["id"] for request in sent)
    for request in sent:
        body = request.body.decode()
        assert not [value for value in ERASED if value in body]
        assert request.event["data"]["legal_name"].startswith("Anonymised customer")


def copied_by_the_api(test_api, capture) -> dict:  # noqa: F811
    """A customer whose creation and edit left events, pending deliveries and a stored response."""
    with capture(execute=True):
        customer = post(test_api, URL, PERSON, key="create", status=201)
        assert_success(test_api.patch(f"{URL}/{customer['id']}", {"trade_name": "Olvido"}, format="json"))
    assert where_found(ERASED[:7])
    return customer


def test_the_admin_action_reaches_every_copy_too(
    test_api,  # noqa: F811
    staff,
    failing_receiver,
    django_capture_on_commit_callbacks,
):
    customer = copied_by_the_api(test_api, django_capture_on_commit_callbacks)

    response = post_action(staff, "anonymize_selected", [Customer.objects.get(pk=customer["id"])], post="yes")

    assert texts(response, messages.SUCCESS) == ["Anonymised 1 customer."]
    assert where_found(ERASED) == set()


def test_the_operator_s_command_reaches_every_copy_too(
    test_api,  # noqa: F811
    failing_receiver,
    django_capture_on_commit_callbacks,
):
    customer = copied_by_the_api(test_api, django_capture_on_commit_callbacks)

    call_command("anonymizecustomer", customer["id"], stdout=StringIO())

    assert where_found(ERASED) == set()
