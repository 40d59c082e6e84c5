"""Updating customers through the HTTP API (PATCH /api/v1/customers/{id}): the response envelope and what ends
up in the database."""

import uuid

import pytest

from customers.models import Customer
from tests.customers.helpers import (
    OLD_TIMESTAMP,
    STORED_FIELDS,
    assert_customer_shape,
    inactive_customer,
    snapshot,
    url_of,
    zulu,
)
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_update_changes_only_the_fields_sent(api, account):
    customer = CustomerFactory(account=account, legal_name="Old Name SL")
    before = snapshot(customer)

    data = assert_success(api.patch(url_of(customer), {"legal_name": "Nuevo Nombre SL"}, format="json"))

    assert_customer_shape(data)
    assert data["legal_name"] == "Nuevo Nombre SL"
    assert data["nif"] == before["nif"]
    assert data["email"] == before["email"]
    assert data["phone"] == before["phone"]
    after = snapshot(customer)
    assert after["legal_name"] == "Nuevo Nombre SL"
    unchanged = set(STORED_FIELDS) - {"legal_name", "updated_at"}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}


def test_update_of_one_address_field_keeps_the_rest_of_the_address(api, account):
    customer = CustomerFactory(account=account, street="Calle Mayor", number="15", floor="2", door="A")
    before = snapshot(customer)

    data = assert_success(api.patch(url_of(customer), {"address": {"city": "Sevilla"}}, format="json"))

    assert data["address"] == {
        "street": "Calle Mayor",
        "number": "15",
        "floor": "2",
        "door": "A",
        "postal_code": before["postal_code"],
        "city": "Sevilla",
        "province": before["province"],
        "country": before["country"],
        "country_code": "ES",
    }
    after = snapshot(customer)
    assert after["city"] == "Sevilla"
    unchanged = set(STORED_FIELDS) - {"city", "updated_at"}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}


def test_update_normalises_nif_email_and_phone(api, account):
    customer = CustomerFactory(account=account)

    response = api.patch(
        url_of(customer),
        {"nif": "x-1234567-l", "email": "Info@ACME.es", "phone": "+34 912 34 56 78"},
        format="json",
    )

    data = assert_success(response)
    assert (data["nif"], data["email"], data["phone"]) == ("X1234567L", "info@acme.es", "+34912345678")
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.nif, stored.email, stored.phone) == ("X1234567L", "info@acme.es", "+34912345678")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"legal_name": ""}, "legal_name"),
        ({"legal_name": None}, "legal_name"),
        ({"nif": "12345678A"}, "nif"),
        ({"nif": "B12345678"}, "nif"),
        ({"nif": ""}, "nif"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"address": {"postal_code": "1" * 11}}, "address.postal_code"),
        ({"address": {"country": ""}}, "address.country"),
        ({"legal_name": "Acme\x00 SL"}, "legal_name"),
        ({"address": {"street": "Calle\x00Mayor"}}, "address.street"),
    ],
)
def test_update_validates_what_is_sent_and_changes_nothing_when_invalid(api, account, body, path):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    error = assert_error(api.patch(url_of(customer), body, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {path}
    assert snapshot(customer) == before


def test_update_with_empty_email_and_phone_clears_them_to_null(api, account):
    customer = CustomerFactory(account=account)

    data = assert_success(api.patch(url_of(customer), {"email": "", "phone": ""}, format="json"))

    assert (data["email"], data["phone"]) == (None, None)
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.email, stored.phone) == ("", "")


def test_update_can_move_a_customer_abroad_with_a_foreign_tax_id(api, account):
    customer = CustomerFactory(account=account, nif="12345678Z")

    response = api.patch(
        url_of(customer),
        {"nif": "pt-501964843", "address": {"city": "Lisboa", "province": "Lisboa", "country": "Portugal"}},
        format="json",
    )

    data = assert_success(response)
    assert data["nif"] == "PT501964843"
    assert data["address"]["country"] == "Portugal"
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.nif, stored.country, stored.city) == ("PT501964843", "Portugal", "Lisboa")


def test_update_of_a_foreign_customer_accepts_a_tax_id_without_spanish_checksum(api, account):
    customer = CustomerFactory(account=account, nif="PT501964843", country="Portugal")

    data = assert_success(api.patch(url_of(customer), {"nif": "12345678A"}, format="json"))

    assert data["nif"] == "12345678A"
    assert Customer.objects.get(pk=customer.pk).nif == "12345678A"


def test_update_to_a_foreign_tax_id_while_staying_in_spain_is_rejected(api, account):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    error = assert_error(api.patch(url_of(customer), {"nif": "PT501964843"}, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"nif"}
    assert snapshot(customer) == before


def test_update_moving_back_to_spain_checks_the_stored_tax_id(api, account):
    customer = CustomerFactory(account=account, nif="PT501964843", country="Portugal")
    before = snapshot(customer)

    response = api.patch(url_of(customer), {"address": {"country": "España"}}, format="json")

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(error["details"]) == {"nif"}
    assert snapshot(customer) == before


def test_update_to_the_nif_of_another_active_customer_is_409_and_changes_nothing(api, account):
    CustomerFactory(account=account, nif="12345678Z")
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    response = api.patch(url_of(customer), {"nif": "12345678-z", "legal_name": "Renamed SL"}, format="json")

    error = assert_error(response, 409, "CUSTOMER_ALREADY_EXISTS")
    assert "nif" in error["details"]
    assert snapshot(customer) == before


def test_update_resending_its_own_nif_typed_differently_is_not_a_clash(api, account):
    customer = CustomerFactory(account=account, nif="12345678Z")

    data = assert_success(api.patch(url_of(customer), {"nif": "12345678-z"}, format="json"))

    assert data["nif"] == "12345678Z"
    assert Customer.objects.get(pk=customer.pk).nif == "12345678Z"


def test_update_to_the_nif_of_an_inactive_or_foreign_account_customer_is_allowed(api, account, other_account):
    inactive_customer(account=account, nif="12345678Z")
    CustomerFactory(account=other_account, nif="12345678Z")
    customer = CustomerFactory(account=account)

    data = assert_success(api.patch(url_of(customer), {"nif": "12345678Z"}, format="json"))

    assert data["nif"] == "12345678Z"
    assert Customer.objects.get(pk=customer.pk).nif == "12345678Z"


def test_update_rejects_unknown_fields_naming_them(api, account):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    response = api.patch(
        url_of(customer), {"legal_name": "Renamed SL", "vat": "x", "address": {"town": "Madrid"}}, format="json"
    )

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert error["details"] == {"vat": "Unknown field.", "address.town": "Unknown field."}
    assert snapshot(customer) == before


@pytest.mark.parametrize("field", ["id", "created_at", "updated_at", "deactivated_at"])
def test_update_rejects_read_only_fields(api, account, field):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    response = api.patch(url_of(customer), {field: "2020-01-01T00:00:00Z"}, format="json")

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert field in error["details"]
    assert snapshot(customer) == before


def test_update_cannot_deactivate_a_customer(api, account):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    error = assert_error(api.patch(url_of(customer), {"active": False}, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"active"}
    assert snapshot(customer) == before
    assert snapshot(customer)["active"] is True


def test_update_cannot_reactivate_a_customer(api, account):
    customer = inactive_customer(account=account)
    before = snapshot(customer)

    error = assert_error(api.patch(url_of(customer), {"active": True}, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"active"}
    assert snapshot(customer) == before
    assert snapshot(customer)["active"] is False


def test_update_moves_updated_at_but_not_created_at(api, account):
    customer = CustomerFactory(account=account)
    Customer.objects.filter(pk=customer.pk).update(created_at=OLD_TIMESTAMP, updated_at=OLD_TIMESTAMP)

    data = assert_success(api.patch(url_of(customer), {"email": "nuevo@example.es"}, format="json"))

    stored = Customer.objects.get(pk=customer.pk)
    assert stored.updated_at > OLD_TIMESTAMP
    assert stored.created_at == OLD_TIMESTAMP
    assert data["updated_at"] == zulu(stored.updated_at)
    assert data["created_at"] == zulu(OLD_TIMESTAMP)


def test_update_of_another_accounts_customer_is_404_and_changes_nothing(api, other_account):
    customer = CustomerFactory(account=other_account)
    before = snapshot(customer)

    assert_error(api.patch(url_of(customer), {"legal_name": "Hijacked SL"}, format="json"), 404, "NOT_FOUND")

    assert snapshot(customer) == before


def test_update_of_an_unknown_customer_is_404(api):
    assert_error(api.patch(url_of(uuid.uuid4()), {"legal_name": "X"}, format="json"), 404, "NOT_FOUND")


def test_update_with_a_malformed_id_is_a_validation_error_naming_customer_id(api):
    error = assert_error(api.patch(url_of("123"), {"legal_name": "X"}, format="json"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"customer_id"}


@pytest.mark.parametrize("raw_body", ['[{"legal_name": "X"}]', '"X"', "null"], ids=["list", "string", "null"])
def test_update_with_a_body_of_another_json_type_is_400_invalid_json_format(api, account, raw_body):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    response = api.patch(url_of(customer), data=raw_body, content_type="application/json")

    # BeeL 1.9.0: a body of the wrong JSON type is 400 INVALID_JSON_FORMAT naming the body.
    error = assert_error(response, 400, "INVALID_JSON_FORMAT")
    assert error["details"]["expected_format"] == "object"
    assert snapshot(customer) == before


def test_update_needs_the_customers_write_scope(read_only_api, account):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    error = assert_error(read_only_api.patch(url_of(customer), {"legal_name": "X"}, format="json"), 403, "FORBIDDEN")

    assert "customers:write" in error["message"]
    assert snapshot(customer) == before
