"""Webhooks and companies: every event names its company (`company_id` in the envelope), an endpoint may
listen to some companies of its account only (`company_ids`), and a key restricted to some companies manages
only endpoints that listen to none but those."""

import pytest

from beel.events.models import Event
from companies.models import primary_company_of
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CompanyFactory, valid_dni
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_receivers_allowed")]

ENDPOINTS = "/api/v1/webhook-endpoints"
PUBLIC_HTTPS = "https://8.8.8.8/hooks/beel"


@pytest.fixture
def primary(account):
    return primary_company_of(account)


@pytest.fixture
def second(account):
    return CompanyFactory(account=account)


def create_customer_of(client, company, n: int) -> dict:
    response = client.post(
        "/api/v1/customers",
        {"legal_name": f"Cliente {n}", "nif": valid_dni(n)},
        format="json",
        headers={"BeeL-Active-Company": str(company.pk)},
    )
    return assert_success(response, 201)


def test_an_endpoint_listening_to_one_company_receives_only_its_events(
    test_api, primary, second, receiver_with, django_capture_on_commit_callbacks
):
    everything, only_second = receiver_with(), receiver_with()
    assert_success(test_api.post(ENDPOINTS, {"url": everything.url}, format="json"), 201)
    listening = assert_success(
        test_api.post(ENDPOINTS, {"url": only_second.url, "company_ids": [str(second.pk)]}, format="json"), 201
    )
    assert listening["company_ids"] == [str(second.pk)]

    with django_capture_on_commit_callbacks(execute=True):
        ours = create_customer_of(test_api, primary, 1)
    with django_capture_on_commit_callbacks(execute=True):
        theirs = create_customer_of(test_api, second, 2)

    received = everything.wait_for(2, timeout=5)
    assert {(r.event["data"]["id"], r.event["company_id"]) for r in received} == {
        (ours["id"], str(primary.pk)),
        (theirs["id"], str(second.pk)),
    }
    (only,) = only_second.wait_for(1, timeout=5)
    assert (only.event["data"]["id"], only.event["company_id"]) == (theirs["id"], str(second.pk))
    # The other company's event never became a delivery for that endpoint.
    assert WebhookDelivery.objects.filter(endpoint_id=listening["id"]).count() == 1
    assert {event.company_id for event in Event.objects.all()} == {primary.pk, second.pk}


def test_invoice_events_name_the_issuing_company(test_api, second, receiver_with, django_capture_on_commit_callbacks):
    receiver = receiver_with()
    company_ids = [str(second.pk)]
    assert_success(test_api.post(ENDPOINTS, {"url": receiver.url, "company_ids": company_ids}, format="json"), 201)
    header = {"BeeL-Active-Company": str(second.pk)}
    with django_capture_on_commit_callbacks(execute=True):
        customer = create_customer_of(test_api, second, 3)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = test_api.post("/api/v1/invoices", {"customer_id": customer["id"]}, format="json", headers=header)
    invoice = assert_success(invoice, 201)
    events = [request.event for request in receiver.wait_for(2, timeout=5)]
    assert [(event["type"], event["company_id"]) for event in events] == [
        ("customer.created", str(second.pk)),
        ("invoice.created", str(second.pk)),
    ]
    assert events[1]["data"] == invoice and invoice["company_id"] == str(second.pk)


def test_company_ids_must_be_companies_of_the_account(api, second, other_account):
    foreign = str(primary_company_of(other_account).pk)
    response = api.post(ENDPOINTS, {"url": PUBLIC_HTTPS, "company_ids": [str(second.pk), foreign]}, format="json")
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert foreign in error["details"]["company_ids"] and str(second.pk) not in error["details"]["company_ids"]
    response = api.post(ENDPOINTS, {"url": PUBLIC_HTTPS, "company_ids": ["not-a-uuid"]}, format="json")
    assert "company_ids" in str(assert_error(response, 422, "VALIDATION_ERROR")["details"])
    assert not WebhookEndpoint.objects.exists()


def test_company_ids_can_be_changed_and_cleared(api, primary, second):
    created = assert_success(api.post(ENDPOINTS, {"url": PUBLIC_HTTPS}, format="json"), 201)
    assert created["company_ids"] == []
    url = f"{ENDPOINTS}/{created['id']}"
    both = sorted([str(primary.pk), str(second.pk)])
    assert assert_success(api.patch(url, {"company_ids": both}, format="json"))["company_ids"] == both
    assert WebhookEndpoint.objects.get(pk=created["id"]).company_ids == both
    assert assert_success(api.patch(url, {"description": "ERP"}, format="json"))["company_ids"] == both
    assert assert_success(api.patch(url, {"company_ids": []}, format="json"))["company_ids"] == []
    assert WebhookEndpoint.objects.get(pk=created["id"]).company_ids == []


def test_a_key_restricted_to_a_company_manages_only_endpoints_of_that_company(client_for, api, primary, second):
    for_everything = assert_success(api.post(ENDPOINTS, {"url": PUBLIC_HTTPS}, format="json"), 201)
    restricted = client_for(APIKeyFactory(account=primary.account, company_ids=[second.pk]))

    own = assert_success(restricted.post(ENDPOINTS, {"url": PUBLIC_HTTPS}, format="json"), 201)
    assert own["company_ids"] == [str(second.pk)]  # not every company: only those it reaches
    response = restricted.post(ENDPOINTS, {"url": PUBLIC_HTTPS, "company_ids": [str(primary.pk)]}, format="json")
    assert_error(response, 422, "VALIDATION_ERROR")
    listed = assert_success(restricted.get(ENDPOINTS))["webhook_endpoints"]
    assert [endpoint["id"] for endpoint in listed] == [own["id"]]
    hidden = f"{ENDPOINTS}/{for_everything['id']}"
    assert_error(restricted.get(hidden), 404)
    assert_error(restricted.patch(hidden, {"company_ids": [str(second.pk)]}, format="json"), 404)
    assert_error(restricted.post(f"{hidden}/rotate-secret"), 404)
    assert_error(restricted.delete(hidden), 404)
    assert WebhookEndpoint.objects.get(pk=for_everything["id"]).company_ids == []
    # The unrestricted key sees both.
    assert len(assert_success(api.get(ENDPOINTS))["webhook_endpoints"]) == 2
