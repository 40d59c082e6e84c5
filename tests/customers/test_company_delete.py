"""`DELETE /api/v1/companies/{company_id}/customers/{customer_id}`: BeeL 1.9.0's deleteCompanyCustomer. 204 with
no body; the customer is gone from every route (404 CLIENT_NOT_FOUND, never listed, not counted) and its NIF
free again, while its row stays for the tax records; a customer with invoices is 409 and untouched. The flat
DELETE keeps the seed behaviour (it deactivates) and is the contrast here."""

import uuid

import pytest
from django.db import connection
from django.db.models import Count

from beel.actors import Actor
from beel.events.models import Event
from customers.models import AuditEntry, Customer, CustomerCount
from tests.customers.company_routes import customer_url, primary
from tests.customers.helpers import CUSTOMERS_URL, all_rows, payload, url_of
from tests.envelope import assert_error, assert_success, assert_validation_error
from tests.factories import AccountFactory, APIKeyFactory, CompanyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def deleted_events(customer) -> list[Event]:
    return [event for event in Event.objects.filter(type="customer.deleted") if event.data["id"] == str(customer.pk)]


def test_delete_answers_204_without_body_and_keeps_the_row_for_the_tax_records(api, api_key, account):
    customer = CustomerFactory(account=account)

    response = api.delete(customer_url(primary(account), customer))

    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response
    assert response["X-Request-ID"]
    customer.refresh_from_db()
    assert customer.deleted_at is not None
    assert customer.active is False
    assert customer.updated_at == customer.deleted_at
    [entry] = AuditEntry.objects.filter(customer=customer)
    assert (entry.action, entry.channel, entry.actor) == ("deleted", "api", Actor.api_key(api_key).name)
    [event] = deleted_events(customer)
    assert event.data["active"] is False
    assert event.data["legal_name"] == customer.legal_name


def test_a_deleted_customer_is_client_not_found_on_every_route_and_never_listed(api, account):
    customer = CustomerFactory(account=account)
    bystander = CustomerFactory(account=account)
    assert api.delete(customer_url(primary(account), customer)).status_code == 204

    assert_error(api.get(url_of(customer)), 404, "CLIENT_NOT_FOUND")
    assert_error(api.patch(url_of(customer), {"email": "x@example.es"}, format="json"), 404, "CLIENT_NOT_FOUND")
    assert_error(api.post(f"{url_of(customer)}/reactivate"), 404, "CLIENT_NOT_FOUND")
    assert_error(api.delete(customer_url(primary(account), customer)), 404, "CLIENT_NOT_FOUND")
    assert_error(api.delete(url_of(customer)), 404, "NOT_FOUND")  # the seed DELETE keeps its page's code
    for query in ("", "?active=false", "?active=true"):
        listed = assert_success(api.get(f"{CUSTOMERS_URL}{query}"))
        assert str(customer.pk) not in {row["id"] for row in listed["customers"]}
    assert assert_success(api.get(CUSTOMERS_URL))["pagination"]["total_items"] == 1
    export = b"".join(api.get(f"{CUSTOMERS_URL}/export").streaming_content).decode("utf-8-sig")
    assert customer.legal_name not in export and bystander.legal_name in export
    assert Customer.objects.filter(pk=customer.pk).exists()  # kept, for the tax records


def test_deleting_frees_the_nif_for_a_new_customer_of_the_company(api, account):
    deleted = CustomerFactory(account=account, nif="12345678Z")
    assert_error(api.post(CUSTOMERS_URL, payload(nif="12345678Z"), format="json"), 409, "CLIENT_DUPLICATE")

    assert api.delete(customer_url(primary(account), deleted)).status_code == 204

    created = assert_success(api.post(CUSTOMERS_URL, payload(nif="12345678Z"), format="json"), 201)
    assert created["id"] != str(deleted.pk)
    assert Customer.objects.filter(account=account, nif="12345678Z").count() == 2
    assert Customer.objects.get(pk=deleted.pk).deleted_at is not None


def test_the_alternative_id_is_freed_too(api, account):
    foreign = {"type": "PASSPORT", "number": "AB123456", "country_code": "FR"}
    created = assert_success(api.post(CUSTOMERS_URL, payload(nif=None, alternative_id=foreign), format="json"), 201)
    assert api.delete(customer_url(primary(account), created["id"])).status_code == 204

    assert_success(api.post(CUSTOMERS_URL, payload(nif=None, alternative_id=foreign), format="json"), 201)


def test_a_customer_with_invoices_is_409_client_has_invoices_and_stays_as_it_was(api, account):
    customer = CustomerFactory(account=account)
    InvoiceFactory(customer=customer, status="issued")
    before = all_rows()

    error = assert_error(api.delete(customer_url(primary(account), customer)), 409, "CLIENT_HAS_INVOICES")

    assert "deactivate" in error["message"]
    assert all_rows() == before
    assert Customer.objects.get(pk=customer.pk).deleted_at is None
    assert not AuditEntry.objects.filter(customer=customer).exists()
    assert not deleted_events(customer)


def test_a_draft_invoice_also_keeps_the_customer(api, account):
    customer = CustomerFactory(account=account)
    InvoiceFactory(customer=customer)  # a draft

    assert_error(api.delete(customer_url(primary(account), customer)), 409, "CLIENT_HAS_INVOICES")
    assert Customer.objects.get(pk=customer.pk).active is True


def test_an_inactive_customer_can_be_deleted(api, account):
    customer = CustomerFactory(account=account, active=False)

    assert api.delete(customer_url(primary(account), customer)).status_code == 204
    assert Customer.objects.get(pk=customer.pk).deleted_at is not None


def test_a_customer_of_another_company_of_the_account_is_404_and_untouched(api, account):
    second = CompanyFactory(account=account)
    theirs = CustomerFactory(account=account, company=second)

    assert_error(api.delete(customer_url(primary(account), theirs)), 404, "CLIENT_NOT_FOUND")
    assert Customer.objects.get(pk=theirs.pk).deleted_at is None

    assert api.delete(customer_url(second, theirs)).status_code == 204
    assert Customer.objects.get(pk=theirs.pk).deleted_at is not None


def test_the_same_nif_in_two_companies_is_deleted_only_in_the_path_company(api, account):
    second = CompanyFactory(account=account)
    ours = CustomerFactory(account=account, nif="12345678Z")
    theirs = CustomerFactory(account=account, company=second, nif="12345678Z")

    assert api.delete(customer_url(second, theirs)).status_code == 204

    assert Customer.objects.get(pk=ours.pk).deleted_at is None
    assert Customer.objects.get(pk=ours.pk).active is True


def test_the_path_company_is_the_only_context(api, account):
    # A disagreeing BeeL-Active-Company header is not read on a canonical route.
    second = CompanyFactory(account=account)
    customer = CustomerFactory(account=account)

    response = api.delete(customer_url(primary(account), customer), headers={"BeeL-Active-Company": str(second.pk)})

    assert response.status_code == 204


def test_a_company_the_key_cannot_reach_is_403_and_nothing_is_deleted(client_for, account):
    customer = CustomerFactory(account=account)
    second = CompanyFactory(account=account)
    restricted = client_for(APIKeyFactory(account=account, company_ids=[second.pk]))
    stranger = client_for(APIKeyFactory(account=AccountFactory()))

    assert_error(restricted.delete(customer_url(primary(account), customer)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert_error(stranger.delete(customer_url(primary(account), customer)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert_error(stranger.delete(customer_url(uuid.uuid4(), customer)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert Customer.objects.get(pk=customer.pk).deleted_at is None


def test_malformed_ids_are_400_naming_them(api, account):
    customer = CustomerFactory(account=account)

    assert_validation_error(api.delete(customer_url("acme", customer)), {"company_id"})
    assert_validation_error(api.delete(customer_url(primary(account), "not-a-uuid")), {"customer_id"})
    assert Customer.objects.get(pk=customer.pk).deleted_at is None


def test_an_undeclared_query_parameter_is_400_naming_it(api, account):
    customer = CustomerFactory(account=account)

    assert_validation_error(api.delete(f"{customer_url(primary(account), customer)}?force=true"), {"force"})
    assert Customer.objects.get(pk=customer.pk).deleted_at is None


def test_a_read_only_key_is_403_insufficient_scope(client_for, account):
    customer = CustomerFactory(account=account)
    reader = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))

    assert_error(reader.delete(customer_url(primary(account), customer)), 403, "INSUFFICIENT_SCOPE")
    assert Customer.objects.get(pk=customer.pk).deleted_at is None


def test_a_test_key_deletes_only_test_customers(client_for, account):
    live = CustomerFactory(account=account)
    test_customer = CustomerFactory(account=account, mode="test")
    test_api = client_for(APIKeyFactory(account=account, mode="test"))

    assert_error(test_api.delete(customer_url(primary(account), live)), 404, "CLIENT_NOT_FOUND")
    assert test_api.delete(customer_url(primary(account), test_customer)).status_code == 204


def test_deleted_customers_leave_the_totals(api, account):
    kept = CustomerFactory.create_batch(2, account=account)
    gone = CustomerFactory(account=account)
    inactive_gone = CustomerFactory(account=account, active=False)
    for customer in (gone, inactive_gone):
        assert api.delete(customer_url(primary(account), customer)).status_code == 204

    assert assert_success(api.get(CUSTOMERS_URL))["pagination"]["total_items"] == len(kept)
    assert assert_success(api.get(f"{CUSTOMERS_URL}?active=false"))["pagination"]["total_items"] == 0
    if connection.vendor == "postgresql":
        # The counters the triggers keep leave the deleted rows out (customers migration 0020).
        counted = {(c.company_id, c.mode, c.active): c.n for c in CustomerCount.objects.exclude(n=0)}
        real = {
            (group["company"], group["mode"], group["active"]): group["n"]
            for group in Customer.objects.filter(deleted_at__isnull=True)
            .values("company", "mode", "active")
            .annotate(n=Count("id"))
        }
        assert counted == real == {(primary(account).pk, "live", True): 2}
