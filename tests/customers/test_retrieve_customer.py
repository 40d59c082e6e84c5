"""Reading one customer through the HTTP API (GET /api/v1/customers/{id}): the response envelope and what the
database holds."""

import uuid

import pytest

from customers.models import Customer
from tests.customers.helpers import assert_customer_shape, inactive_customer, url_of, zulu
from tests.envelope import TIMESTAMP, assert_error, assert_success
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_retrieve_returns_an_active_customer_with_null_deactivated_at(api, account):
    customer = CustomerFactory(account=account, floor="", door="")

    data = assert_success(api.get(url_of(customer)))

    assert_customer_shape(data)
    assert data["id"] == str(customer.pk)
    assert data["legal_name"] == customer.legal_name
    assert data["nif"] == customer.nif
    assert data["email"] == customer.email
    assert data["phone"] == customer.phone
    assert data["address"] == {
        "street": customer.street,
        "number": customer.number,
        "postal_code": customer.postal_code,
        "city": customer.city,
        "province": customer.province,
        "country": customer.country,
        "country_code": "ES",
    }
    assert data["active"] is True
    assert data["deactivated_at"] is None
    assert data["created_at"] == zulu(customer.created_at)


def test_retrieve_returns_the_deactivation_time_of_an_inactive_customer(api, account):
    customer = inactive_customer(account=account)

    data = assert_success(api.get(url_of(customer)))

    assert data["active"] is False
    assert TIMESTAMP.match(data["deactivated_at"])
    assert data["deactivated_at"] == zulu(Customer.objects.get(pk=customer.pk).deactivated_at)


def test_retrieve_renders_beels_customer_types_and_nulls(api, account):
    customer = CustomerFactory(
        account=account,
        nif="",
        alternative_id_type="03",
        alternative_id_number="XA1234567",
        alternative_id_country="FR",
        general_discount="12.50",
        payment_method="CARD",
        payment_term_days=15,
        trade_name="",
        website="https://acme.example",
        number="",
    )

    data = assert_success(api.get(url_of(customer)))

    # 1.9.0's Customer: numbers as numbers, enums by name, null (never "") for what is unset.
    assert data["nif"] is None
    assert data["alternative_id"] == {"type": "PASSPORT", "number": "XA1234567", "country_code": "FR"}
    assert data["general_discount"] == 12.5 and isinstance(data["general_discount"], float)
    assert data["preferred_payment_method"] == {"method": "CARD", "iban": None, "swift": None, "payment_term_days": 15}
    assert (data["trade_name"], data["contact_person"], data["notes"]) == (None, None, None)
    assert data["website"] == "https://acme.example" and "web" not in data
    assert data["address"]["number"] is None
    assert b'""' not in api.get(url_of(customer)).content


def test_a_whole_discount_reads_as_an_integer_and_no_payment_method_leaves_the_field_out(api, account):
    customer = CustomerFactory(account=account, general_discount=10, payment_method="")

    data = assert_success(api.get(url_of(customer)))

    assert data["general_discount"] == 10 and isinstance(data["general_discount"], int)
    assert "preferred_payment_method" not in data


def test_retrieve_with_a_malformed_id_is_a_validation_error_naming_customer_id(api):
    error = assert_error(api.get(url_of("not-a-uuid")), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"customer_id"}


def test_retrieve_an_unknown_customer_is_404_client_not_found(api):
    assert_error(api.get(url_of(uuid.uuid4())), 404, "CLIENT_NOT_FOUND")


def test_retrieve_another_accounts_customer_is_404(api, other_account):
    customer = CustomerFactory(account=other_account)

    error = assert_error(api.get(url_of(customer)), 404, "CLIENT_NOT_FOUND")

    assert customer.legal_name not in str(error)


def test_retrieve_needs_the_customers_read_scope(write_only_api, account):
    customer = CustomerFactory(account=account)

    error = assert_error(write_only_api.get(url_of(customer)), 403, "INSUFFICIENT_SCOPE")

    assert "customers:read" in error["message"]
