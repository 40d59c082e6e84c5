"""Live and test keys: a test key sees only its account's test data, a live key only live data, on every
customer and invoice endpoint."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from apikeys.models import APIKey
from customers.models import Customer
from invoices.models import Invoice
from tests.factories import APIKeyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(client_for, account):
    return client_for(APIKeyFactory(account=account, mode="live"))


@pytest.fixture
def test_client(client_for, account):
    return client_for(APIKeyFactory(account=account, mode="test"))


@pytest.fixture
def live_customer(account):
    return CustomerFactory(account=account, mode="live", nif="12345678Z")


@pytest.fixture
def test_customer(account):
    return CustomerFactory(account=account, mode="test", nif="12345678Z")


def test_keys_say_their_mode(account):
    assert APIKeyFactory(account=account, mode="live").raw_key.startswith("beel_sk_live_")
    assert APIKeyFactory(account=account, mode="test").raw_key.startswith("beel_sk_test_")


def test_each_mode_lists_only_its_own_customers(live, test_client, live_customer, test_customer):
    live_ids = [c["id"] for c in live.get("/api/v1/customers").json()["data"]["customers"]]
    test_ids = [c["id"] for c in test_client.get("/api/v1/customers").json()["data"]["customers"]]
    assert live_ids == [str(live_customer.pk)]
    assert test_ids == [str(test_customer.pk)]


def test_a_customer_of_the_other_mode_is_not_found_on_every_endpoint(live, test_client, live_customer):
    path = f"/api/v1/customers/{live_customer.pk}"
    assert test_client.get(path).status_code == 404
    assert test_client.patch(path, {"legal_name": "Hack"}, format="json").status_code == 404
    assert test_client.delete(path).status_code == 404
    assert test_client.post(f"{path}/reactivate").status_code == 404
    report = test_client.delete(f"/api/v1/customers/bulk?ids={live_customer.pk}").json()["data"]
    assert report["errors"][0]["error"]["code"] == "NOT_FOUND"
    response = test_client.post("/api/v1/invoices", {"customer_id": str(live_customer.pk)}, format="json")
    assert response.status_code == 404
    live_customer.refresh_from_db()
    assert live_customer.active and live_customer.legal_name != "Hack"
    assert not Invoice.objects.exists()


def test_created_data_takes_the_key_mode(test_client, live, account):
    created = test_client.post("/api/v1/customers", {"legal_name": "Prueba SL", "nif": "B12345674"}, format="json")
    assert created.status_code == 201
    customer = Customer.objects.get(pk=created.json()["data"]["id"])
    assert customer.mode == "test"
    bulk = test_client.post(
        "/api/v1/customers/bulk", {"customers": [{"legal_name": "Otra", "nif": "12345678Z"}]}, format="json"
    )
    assert Customer.objects.get(pk=bulk.json()["data"]["customers_validation"][0]["customer_id"]).mode == "test"
    invoice = test_client.post("/api/v1/invoices", {"customer_id": str(customer.pk)}, format="json")
    assert Invoice.objects.get(pk=invoice.json()["data"]["id"]).mode == "test"
    assert live.get("/api/v1/customers").json()["data"]["pagination"]["total_items"] == 0
    assert live.get("/api/v1/invoices").json()["data"]["pagination"]["total_items"] == 0


def test_invoices_of_the_other_mode_are_invisible(live, test_client, live_customer, test_customer):
    live_invoice = InvoiceFactory(customer=live_customer, mode="live")
    test_invoice = InvoiceFactory(customer=test_customer, mode="test")
    assert [i["id"] for i in live.get("/api/v1/invoices").json()["data"]["invoices"]] == [str(live_invoice.pk)]
    assert [i["id"] for i in test_client.get("/api/v1/invoices").json()["data"]["invoices"]] == [str(test_invoice.pk)]
    assert test_client.get(f"/api/v1/invoices/{live_invoice.pk}").status_code == 404
    assert live.get(f"/api/v1/invoices/{test_invoice.pk}").status_code == 404
    filtered = test_client.get(f"/api/v1/invoices?customer_id={live_customer.pk}").json()["data"]
    assert filtered["invoices"] == []


def test_the_same_nif_may_be_active_in_both_modes(live_customer, test_customer):
    assert live_customer.active and test_customer.active
    assert live_customer.nif == test_customer.nif


def test_test_invoices_are_numbered_apart_from_live_ones(live, test_client, live_customer, test_customer):
    def issued(client, customer) -> dict:
        draft = client.post("/api/v1/invoices", {"customer_id": str(customer.pk)}, format="json").json()["data"]
        return client.post(f"/api/v1/invoices/{draft['id']}/issue").json()["data"]

    for _ in range(2):
        issued(live, live_customer)
    assert issued(test_client, test_customer)["number"] == 1
    assert issued(live, live_customer)["number"] == 3


def test_createapikey_makes_test_keys_with_an_expiry():
    out = StringIO()
    call_command("createapikey", "--user", "ana", "--test", "--expires-in-days", "7", stdout=out, stderr=StringIO())
    raw_key = out.getvalue().strip().splitlines()[-1]
    assert raw_key.startswith("beel_sk_test_")
    key = APIKey.objects.get()
    assert key.mode == "test"
    assert timezone.now() + timedelta(days=6) < key.expires_at <= timezone.now() + timedelta(days=7)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    CustomerFactory(account=key.account, mode="live")
    assert client.get("/api/v1/customers").json()["data"]["pagination"]["total_items"] == 0


def test_createapikey_makes_live_keys_by_default():
    out = StringIO()
    call_command("createapikey", "--user", "bea", stdout=out, stderr=StringIO())
    assert out.getvalue().strip().splitlines()[-1].startswith("beel_sk_live_")
    assert APIKey.objects.get().expires_at is None


def test_a_key_without_its_mode_marker_is_unauthorized(client_for, api_key):
    legacy_form = "beel_sk_" + api_key.raw_key.removeprefix("beel_sk_live_")
    assert client_for(legacy_form).get("/api/v1/customers").status_code == 401
