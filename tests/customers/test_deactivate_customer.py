"""Soft-deleting one customer over HTTP: `DELETE /api/v1/customers/{customer_id}` (spec: beel-deactivate-customer),
including customers whose invoices were made through `POST /api/v1/invoices`.

Every test checks the response and what the database holds afterwards."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Customer
from invoices.models import Invoice, InvoiceStatus
from tests.customers.helpers import DEACTIVATED_MESSAGE, HAS_INVOICES_MESSAGE, all_rows, bulk_url, row, url_of
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory, InvoiceFactory
from tests.invoices.helpers import created
from tests.spec import SPEC_ID_0

pytestmark = pytest.mark.django_db


def test_deactivating_a_customer_marks_only_that_row_inactive_and_stamps_deactivated_at(api, account):
    customer = CustomerFactory(account=account)
    bystander = CustomerFactory(account=account)
    before = all_rows()

    started = timezone.now()
    response = api.delete(url_of(customer.pk))
    finished = timezone.now()

    assert assert_success(response) == {"message": DEACTIVATED_MESSAGE}
    after = all_rows()
    assert set(after) == set(before)  # soft delete: no row removed
    deactivated = after[customer.pk]
    assert deactivated["active"] is False
    assert deactivated["deactivated_at"] is not None
    assert started <= deactivated["deactivated_at"] <= finished
    untouched_columns = set(deactivated) - {"active", "deactivated_at", "updated_at"}
    assert {c: deactivated[c] for c in untouched_columns} == {c: before[customer.pk][c] for c in untouched_columns}
    assert after[bystander.pk] == before[bystander.pk]


@pytest.mark.parametrize(
    "malformed_id",
    ["abc", "123", SPEC_ID_0 + "0"],
    ids=["letters", "digits", "uuid-with-one-char-too-many"],
)
def test_deactivating_with_a_malformed_id_is_a_validation_error_naming_customer_id(api, account, malformed_id):
    CustomerFactory(account=account)
    before = all_rows()

    error = assert_error(api.delete(url_of(malformed_id)), 400, "VALIDATION_ERROR")

    assert "customer_id" in error["details"]
    assert all_rows() == before


def test_deactivating_an_unknown_customer_is_not_found(api, account):
    CustomerFactory(account=account)
    before = all_rows()

    assert_error(api.delete(url_of(uuid.uuid4())), 404, "NOT_FOUND")

    assert all_rows() == before


def test_deactivating_another_accounts_customer_is_not_found_and_leaves_it_active(api, account):
    foreign = CustomerFactory()  # belongs to a different account
    assert foreign.account != account
    before = all_rows()

    assert_error(api.delete(url_of(foreign.pk)), 404, "NOT_FOUND")

    assert row(foreign)["active"] is True
    assert all_rows() == before


@pytest.mark.parametrize("status", list(InvoiceStatus.values))
def test_deactivating_a_customer_with_an_invoice_in_any_status_is_refused(api, account, status):
    customer = CustomerFactory(account=account)
    InvoiceFactory(customer=customer, status=status)
    before = all_rows()

    error = assert_error(api.delete(url_of(customer.pk)), 409, "CLIENT_HAS_INVOICES")

    assert error["message"] == HAS_INVOICES_MESSAGE
    assert row(customer)["active"] is True
    assert row(customer)["deactivated_at"] is None
    assert all_rows() == before


def test_deactivating_an_already_deactivated_customer_succeeds_again_without_moving_deactivated_at(api, account):
    customer = CustomerFactory(account=account)
    assert_success(api.delete(url_of(customer.pk)))
    first = row(customer)
    assert first["active"] is False and first["deactivated_at"] is not None

    assert assert_success(api.delete(url_of(customer.pk))) == {"message": DEACTIVATED_MESSAGE}

    second = row(customer)
    assert second["active"] is False
    assert second["deactivated_at"] == first["deactivated_at"]


def test_deactivating_a_customer_inactive_for_days_keeps_its_original_deactivated_at(api, account):
    long_ago = timezone.now() - timedelta(days=30)
    customer = CustomerFactory(account=account, active=False, deactivated_at=long_ago)

    assert assert_success(api.delete(url_of(customer.pk))) == {"message": DEACTIVATED_MESSAGE}

    assert row(customer)["active"] is False
    assert row(customer)["deactivated_at"] == long_ago


def test_deactivating_needs_the_customers_write_scope(read_only_api, account):
    customer = CustomerFactory(account=account)
    before = all_rows()

    error = assert_error(read_only_api.delete(url_of(customer.pk)), 403, "INSUFFICIENT_SCOPE")

    assert "customers:write" in error["message"]
    assert all_rows() == before


def test_deactivating_without_credentials_is_unauthorized_and_changes_nothing(anonymous_client, account):
    customer = CustomerFactory(account=account)
    before = all_rows()

    assert_error(anonymous_client.delete(url_of(customer.pk)), 401, "UNAUTHORIZED")
    assert_error(anonymous_client.delete(bulk_url(customer.pk)), 401, "UNAUTHORIZED")

    assert all_rows() == before


def test_a_reactivated_customer_can_be_deactivated_again(api, account):
    customer = CustomerFactory(account=account)
    assert_success(api.delete(url_of(customer.pk)))
    first_deactivated_at = row(customer)["deactivated_at"]

    assert_success(api.post(f"/api/v1/customers/{customer.pk}/reactivate"))
    assert row(customer)["active"] is True
    assert row(customer)["deactivated_at"] is None

    assert assert_success(api.delete(url_of(customer.pk))) == {"message": DEACTIVATED_MESSAGE}
    again = row(customer)
    assert again["active"] is False
    assert again["deactivated_at"] is not None
    assert again["deactivated_at"] >= first_deactivated_at


# --- customers with invoices made through POST /api/v1/invoices ------------------------------------------


def test_customer_with_an_invoice_cannot_be_deleted(api, account, customer):
    created(api, customer)
    assert_error(api.delete(f"/api/v1/customers/{customer.pk}"), 409, "CLIENT_HAS_INVOICES")
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.active is True
    assert stored.deactivated_at is None
    assert Invoice.objects.filter(customer=customer).count() == 1


def test_customer_without_invoices_can_still_be_deleted_when_another_has_one(api, account, customer):
    created(api, customer)
    spare = CustomerFactory(account=account)
    assert assert_success(api.delete(f"/api/v1/customers/{spare.pk}"))
    assert Customer.objects.get(pk=spare.pk).active is False
    assert Customer.objects.get(pk=customer.pk).active is True
