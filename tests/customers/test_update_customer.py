"""Updating customers through the HTTP API (PATCH /api/v1/customers/{id}, BeeL's patchCustomer): the response
envelope and what ends up in the database."""

import uuid
from decimal import Decimal

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


def test_update_replaces_the_whole_address_it_sends(api, account):
    # BeeL's PatchCustomerRequest: an address sent replaces the stored one as a whole.
    customer = CustomerFactory(account=account, street="Calle Mayor", number="15", floor="2", door="A")
    before = snapshot(customer)

    body = {"address": {"street": "Calle Sierpes", "city": "Sevilla", "province": "Sevilla", "postal_code": "41004"}}
    data = assert_success(api.patch(url_of(customer), body, format="json"))

    assert data["address"] == {
        "street": "Calle Sierpes",
        "number": None,
        "postal_code": "41004",
        "city": "Sevilla",
        "province": "Sevilla",
        "country": "España",
        "country_code": "ES",
    }
    after = snapshot(customer)
    assert (after["number"], after["floor"], after["door"], after["city"]) == ("", "", "", "Sevilla")
    unchanged = set(STORED_FIELDS) - {"street", "number", "floor", "door", "postal_code", "city", "province"}
    unchanged -= {"updated_at"}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}


def test_a_spanish_address_without_a_province_is_422_and_changes_nothing(api, account):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    response = api.patch(url_of(customer), {"address": {"street": "Calle Mayor", "city": "Madrid"}}, format="json")

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(error["details"]) == {"address.province"}
    assert snapshot(customer) == before


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
        ({"nif": ""}, "nif"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"address": {"postal_code": "1" * 21}}, "address.postal_code"),
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


@pytest.mark.parametrize(
    ("nif", "code"),
    [
        ("12345678A", "NIF_INVALID_CONTROL_DIGIT"),
        ("B12345678", "NIF_INVALID_CONTROL_DIGIT"),
        ("1234", "NIF_INVALID_FORMAT"),
    ],
)
def test_update_to_a_wrong_spanish_nif_is_422_with_beels_code_and_changes_nothing(api, account, nif, code):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    error = assert_error(api.patch(url_of(customer), {"nif": nif}, format="json"), 422, code)

    assert set(error["details"]) == {"nif"}
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

    error = assert_error(api.patch(url_of(customer), {"nif": "PT501964843"}, format="json"), 422, "NIF_INVALID_FORMAT")

    assert set(error["details"]) == {"nif"}
    assert snapshot(customer) == before


def test_update_moving_back_to_spain_checks_the_stored_tax_id(api, account):
    customer = CustomerFactory(account=account, nif="PT501964843", country="Portugal")
    before = snapshot(customer)

    response = api.patch(url_of(customer), {"address": {"country": "España"}}, format="json")

    error = assert_error(response, 422, "NIF_INVALID_FORMAT")
    assert set(error["details"]) == {"nif"}
    assert snapshot(customer) == before


def test_update_to_the_nif_of_another_active_customer_is_409_and_changes_nothing(api, account):
    CustomerFactory(account=account, nif="12345678Z")
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    response = api.patch(url_of(customer), {"nif": "12345678-z", "legal_name": "Renamed SL"}, format="json")

    error = assert_error(response, 409, "CLIENT_DUPLICATE")
    assert error["details"] == {}
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


def test_update_ignores_unknown_fields_as_beel_does(api, account):
    customer = CustomerFactory(account=account)

    data = assert_success(api.patch(url_of(customer), {"legal_name": "Renamed SL", "vat": "x"}, format="json"))

    assert data["legal_name"] == "Renamed SL" and "vat" not in data


@pytest.mark.parametrize("field", ["id", "created_at", "updated_at", "deactivated_at"])
def test_update_ignores_read_only_fields(api, account, field):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    data = assert_success(api.patch(url_of(customer), {field: "2020-01-01T00:00:00Z"}, format="json"))

    assert data["id"] == str(customer.pk)
    assert snapshot(customer) == before


def test_update_active_false_deactivates_a_customer(api, account):
    customer = CustomerFactory(account=account)

    data = assert_success(api.patch(url_of(customer), {"active": False}, format="json"))

    assert data["active"] is False and data["deactivated_at"] is not None
    assert snapshot(customer)["active"] is False


def test_update_active_true_reactivates_a_customer(api, account):
    customer = inactive_customer(account=account)

    data = assert_success(api.patch(url_of(customer), {"active": True}, format="json"))

    assert data["active"] is True and data["deactivated_at"] is None
    assert snapshot(customer)["active"] is True


@pytest.mark.parametrize(
    ("field", "stored", "cleared"),
    [
        ("trade_name", "Acme", ""),
        ("phone", "+34912345678", ""),
        ("email", "a@acme.es", ""),
        ("website", "https://acme.es", ""),
        ("billing_emails", ["f@acme.es"], []),
        ("contact_person", "Ana", ""),
        ("notes", "VIP", ""),
        ("general_discount", Decimal("5.00"), Decimal("0.00")),
    ],
)
def test_update_null_clears_an_optional_field(api, account, field, stored, cleared):
    customer = CustomerFactory(account=account, **{field: stored})

    data = assert_success(api.patch(url_of(customer), {field: None}, format="json"))

    assert data[field] == (0 if field == "general_discount" else [] if field == "billing_emails" else None)
    assert getattr(Customer.objects.get(pk=customer.pk), field) == cleared


@pytest.mark.parametrize("field", ["legal_name", "address"])
def test_update_cannot_clear_the_legal_name_or_the_address(api, account, field):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    error = assert_error(api.patch(url_of(customer), {field: None}, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {field}
    assert snapshot(customer) == before


def test_update_with_a_null_nif_keeps_it(api, account):
    customer = CustomerFactory(account=account, nif="12345678Z")

    data = assert_success(api.patch(url_of(customer), {"nif": None}, format="json"))

    assert data["nif"] == "12345678Z"


def test_update_replaces_the_whole_payment_method(api, account):
    customer = CustomerFactory(
        account=account, payment_method="DIRECT_DEBIT", iban="ES9121000418450200051332", swift="CAIXESBBXXX"
    )

    body = {"preferred_payment_method": {"method": "CASH"}}
    data = assert_success(api.patch(url_of(customer), body, format="json"))

    assert data["preferred_payment_method"] == {"method": "CASH", "iban": None, "swift": None, "payment_term_days": 30}
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.payment_method, stored.iban, stored.swift, stored.payment_term_days) == ("CASH", "", "", 30)


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

    assert_error(api.patch(url_of(customer), {"legal_name": "Hijacked SL"}, format="json"), 404, "CLIENT_NOT_FOUND")

    assert snapshot(customer) == before


def test_update_of_an_unknown_customer_is_404(api):
    assert_error(api.patch(url_of(uuid.uuid4()), {"legal_name": "X"}, format="json"), 404, "CLIENT_NOT_FOUND")


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

    error = assert_error(
        read_only_api.patch(url_of(customer), {"legal_name": "X"}, format="json"), 403, "INSUFFICIENT_SCOPE"
    )

    assert "customers:write" in error["message"]
    assert snapshot(customer) == before
