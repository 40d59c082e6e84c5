"""Reactivating customers through the HTTP API (POST /api/v1/customers/{id}/reactivate): the response envelope
and what ends up in the database."""

import pytest

from customers.models import Customer
from tests.customers.helpers import OLD_TIMESTAMP, assert_customer_shape, inactive_customer, snapshot, url_of, zulu
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db


def test_reactivate_makes_an_inactive_customer_active_again(api, account):
    customer = inactive_customer(account=account)
    Customer.objects.filter(pk=customer.pk).update(updated_at=OLD_TIMESTAMP)

    data = assert_success(api.post(f"{url_of(customer)}/reactivate", format="json"))

    assert_customer_shape(data)
    assert data["id"] == str(customer.pk)
    assert data["active"] is True
    assert data["deactivated_at"] is None
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.active is True
    assert stored.deactivated_at is None
    assert stored.updated_at > OLD_TIMESTAMP
    assert assert_success(api.get(url_of(customer)))["deactivated_at"] is None


def test_reactivate_an_active_customer_is_200_and_changes_nothing(api, account):
    customer = CustomerFactory(account=account)
    Customer.objects.filter(pk=customer.pk).update(updated_at=OLD_TIMESTAMP)
    before = snapshot(customer)

    data = assert_success(api.post(f"{url_of(customer)}/reactivate", format="json"))

    assert data["active"] is True
    assert data["deactivated_at"] is None
    assert data["updated_at"] == zulu(OLD_TIMESTAMP)
    assert snapshot(customer) == before


def test_reactivate_is_refused_when_another_active_customer_has_the_nif(api, account):
    customer = inactive_customer(account=account, nif=valid_dni(424242))
    CustomerFactory(account=account, nif=valid_dni(424242))
    before = snapshot(customer)

    error = assert_error(api.post(f"{url_of(customer)}/reactivate", format="json"), 409, "CLIENT_DUPLICATE")

    assert error["details"] == {}
    assert snapshot(customer) == before
    assert Customer.objects.filter(account=account, nif=valid_dni(424242), active=True).count() == 1


def test_reactivate_is_not_blocked_by_another_accounts_customer_with_the_nif(api, account, other_account):
    customer = inactive_customer(account=account, nif="12345678Z")
    CustomerFactory(account=other_account, nif="12345678Z")

    data = assert_success(api.post(f"{url_of(customer)}/reactivate", format="json"))

    assert data["active"] is True
    assert Customer.objects.get(pk=customer.pk).active is True


def test_reactivate_another_accounts_customer_is_404_and_changes_nothing(api, other_account):
    customer = inactive_customer(account=other_account)
    before = snapshot(customer)

    assert_error(api.post(f"{url_of(customer)}/reactivate", format="json"), 404, "CLIENT_NOT_FOUND")

    assert snapshot(customer) == before


def test_reactivate_with_a_malformed_id_is_a_validation_error_naming_customer_id(api):
    error = assert_error(api.post(f"{url_of('nope')}/reactivate", format="json"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"customer_id"}


def test_reactivate_needs_the_customers_write_scope(read_only_api, account):
    customer = inactive_customer(account=account)
    before = snapshot(customer)

    error = assert_error(read_only_api.post(f"{url_of(customer)}/reactivate", format="json"), 403, "INSUFFICIENT_SCOPE")

    assert "customers:write" in error["message"]
    assert snapshot(customer) == before
