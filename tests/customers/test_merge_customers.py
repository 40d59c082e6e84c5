"""POST /customers/{id}/merge: a duplicate merged into the customer that survives."""

from datetime import date

import pytest

from beel.events.models import Event
from customers.models import AuditEntry, Customer
from invoices.models import Invoice
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def merge(api, duplicate, survivor):
    return api.post(f"/api/v1/customers/{duplicate.pk}/merge", {"into": str(survivor.pk)}, format="json")


def test_drafts_move_to_the_survivor_and_issued_invoices_stay(api, account):
    duplicate, survivor = CustomerFactory(account=account), CustomerFactory(account=account)
    draft = InvoiceFactory(customer=duplicate, status="draft")
    issued = InvoiceFactory(customer=duplicate, status="issued", issue_date=date(2026, 1, 5))
    data = assert_success(merge(api, duplicate, survivor))
    assert data["merged_into"] == str(survivor.pk)
    assert data["active"] is False
    assert Invoice.objects.get(pk=draft.pk).customer_id == survivor.pk
    assert Invoice.objects.get(pk=issued.pk).customer_id == duplicate.pk
    assert Customer.objects.get(pk=survivor.pk).active is True
    # The duplicate still answers, pointing at the survivor.
    assert assert_success(api.get(f"/api/v1/customers/{duplicate.pk}"))["merged_into"] == str(survivor.pk)
    assert AuditEntry.objects.filter(customer=duplicate, action="merged").count() == 1
    assert AuditEntry.objects.filter(customer=survivor, action="absorbed").count() == 1


def test_merging_again_into_the_same_survivor_answers_the_same(api, account):
    duplicate, survivor = CustomerFactory(account=account), CustomerFactory(account=account)
    merge(api, duplicate, survivor)
    assert assert_success(merge(api, duplicate, survivor))["merged_into"] == str(survivor.pk)
    assert AuditEntry.objects.filter(customer=duplicate, action="merged").count() == 1


def test_a_merged_customer_cannot_be_merged_elsewhere_edited_or_reactivated(api, account):
    duplicate, survivor, third = CustomerFactory.create_batch(3, account=account)
    merge(api, duplicate, survivor)
    error = assert_error(merge(api, duplicate, third), 409, "CUSTOMER_MERGED")
    assert error["details"] == {"merged_into": str(survivor.pk)}
    assert_error(merge(api, third, duplicate), 409, "CUSTOMER_MERGED")
    patch = api.patch(f"/api/v1/customers/{duplicate.pk}", {"legal_name": "Otra SL"}, format="json")
    assert_error(patch, 409, "CUSTOMER_MERGED")
    assert_error(api.post(f"/api/v1/customers/{duplicate.pk}/reactivate"), 409, "CUSTOMER_MERGED")


def test_merging_a_survivor_carries_its_duplicates_to_the_new_survivor(api, account):
    first, second, third = CustomerFactory.create_batch(3, account=account)
    assert_success(merge(api, first, second))
    assert_success(merge(api, second, third))
    # Every merged customer points at the live survivor: no chain is left for a client to follow.
    assert assert_success(api.get(f"/api/v1/customers/{first.pk}"))["merged_into"] == str(third.pk)
    assert assert_success(api.get(f"/api/v1/customers/{second.pk}"))["merged_into"] == str(third.pk)
    assert Customer.objects.get(pk=third.pk).merged_into_id is None
    repointed = AuditEntry.objects.filter(customer=first, action="merged").order_by("at", "id")
    assert [entry.changed_fields for entry in repointed] == [[], ["merged_into"]]
    merged_events = Event.objects.filter(type="customer.merged")
    assert sorted((e.data["id"], e.data["merged_into"]) for e in merged_events) == sorted(
        [(str(first.pk), str(second.pk)), (str(second.pk), str(third.pk)), (str(first.pk), str(third.pk))]
    )


def test_a_carried_duplicate_cannot_be_merged_back_into_nor_merged_again(api, account):
    first, second, third = CustomerFactory.create_batch(3, account=account)
    merge(api, first, second)
    merge(api, second, third)
    assert_error(merge(api, third, first), 409, "CUSTOMER_MERGED")
    assert_error(merge(api, first, second), 409, "CUSTOMER_MERGED")
    assert Customer.objects.get(pk=third.pk).merged_into_id is None


def test_a_customer_cannot_be_merged_into_itself(api, account):
    customer = CustomerFactory(account=account)
    error = assert_error(merge(api, customer, customer), 422, "VALIDATION_ERROR")
    assert error["details"] == {"into": "A customer cannot be merged into itself."}


def test_the_survivor_must_be_active(api, account):
    duplicate, survivor = CustomerFactory(account=account), CustomerFactory(account=account, active=False)
    assert_error(merge(api, duplicate, survivor), 409, "CUSTOMER_INACTIVE")
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


@pytest.mark.parametrize("where", ["another account", "the other mode"])
def test_both_customers_must_be_the_keys_own(api, account, other_account, where):
    duplicate = CustomerFactory(account=account)
    survivor = (
        CustomerFactory(account=other_account)
        if where == "another account"
        else CustomerFactory(account=account, mode="test")
    )
    error = assert_error(merge(api, duplicate, survivor), 404, "CLIENT_NOT_FOUND")
    assert error["details"] == {"into": "Not found."}
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


@pytest.mark.parametrize("body", [{}, {"into": "not-a-uuid"}, {"into": 12}, {"into": None}])
def test_into_must_be_a_customer_id(api, account, body):
    customer = CustomerFactory(account=account)
    response = api.post(f"/api/v1/customers/{customer.pk}/merge", body, format="json")
    assert "into" in assert_error(response, 422, "VALIDATION_ERROR")["details"]


def test_merging_needs_the_write_scope(client_for, account):
    read_only = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))
    duplicate, survivor = CustomerFactory(account=account), CustomerFactory(account=account)
    assert_error(merge(read_only, duplicate, survivor), 403, "INSUFFICIENT_SCOPE")
    assert_error(read_only.post(f"/api/v1/customers/{duplicate.pk}/anonymize"), 403, "INSUFFICIENT_SCOPE")


def test_the_invoices_app_registers_what_a_merge_and_an_erasure_do_to_invoices():
    # customers names no invoice status (it may not import invoices): the invoice side of a merge and of an
    # erasure is registered by invoices.apps, and the tests above prove what it does through the API.
    from customers.services.dependents import registered_dependents
    from invoices.customer_side import InvoicesOfCustomer

    assert isinstance(registered_dependents()["invoices"], InvoicesOfCustomer)
