"""Creating customers through the HTTP API (POST /api/v1/customers): the response envelope and what ends
up in the database."""

import pytest

from customers.models import Customer
from tests.customers.helpers import CUSTOMERS_URL, assert_customer_shape, inactive_customer, payload, zulu
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory
from tests.spec import MARIA_GARCIA, TECH_SOLUTIONS, as_listed, as_shown

pytestmark = pytest.mark.django_db


def test_create_returns_201_with_the_customer_and_stores_it(api, account):
    # The spec's example customer María García López, her phone typed as a person would.
    sent = {**as_listed(MARIA_GARCIA), "phone": "654 321 987"}
    assert sent["address"]["floor"] == "3º" and sent["address"]["door"] == "B"

    data = assert_success(api.post(CUSTOMERS_URL, sent, format="json"), 201)

    assert_customer_shape(data)
    assert {name: data[name] for name in ("legal_name", "nif", "email", "phone", "address")} == as_shown(MARIA_GARCIA)
    assert data["phone"] == "+34654321987"
    assert data["active"] is True
    assert data["deactivated_at"] is None

    stored = Customer.objects.get(pk=data["id"])
    assert stored.account == account
    assert {name: getattr(stored, name) for name in MARIA_GARCIA} == MARIA_GARCIA
    assert stored.active is True
    assert stored.deactivated_at is None
    assert data["created_at"] == zulu(stored.created_at)
    assert data["updated_at"] == zulu(stored.updated_at)


def test_create_with_only_legal_name_and_nif_defaults_country_to_spain_and_contact_to_null(api):
    data = assert_success(api.post(CUSTOMERS_URL, payload(), format="json"), 201)

    assert_customer_shape(data)
    assert data["email"] is None
    assert data["phone"] is None
    # BeeL's AddressResponse: null, never "", for what is unknown.
    assert data["address"] == {
        "street": None,
        "number": None,
        "postal_code": None,
        "city": None,
        "province": None,
        "country": "España",
        "country_code": "ES",
    }
    stored = Customer.objects.get(pk=data["id"])
    assert (stored.email, stored.phone, stored.country) == ("", "", "España")


def test_create_without_legal_name_and_nif_reports_both_and_writes_nothing(api):
    error = assert_error(api.post(CUSTOMERS_URL, {}, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"legal_name", "nif"}
    assert not Customer.objects.exists()


@pytest.mark.parametrize("legal_name", ["", "   ", None])
def test_create_rejects_a_blank_or_null_legal_name(api, legal_name):
    error = assert_error(
        api.post(CUSTOMERS_URL, payload(legal_name=legal_name), format="json"), 422, "VALIDATION_ERROR"
    )

    assert set(error["details"]) == {"legal_name"}
    assert not Customer.objects.exists()


@pytest.mark.parametrize("nif", ["", "  -  ", None])
def test_create_rejects_a_blank_or_null_nif(api, nif):
    error = assert_error(api.post(CUSTOMERS_URL, payload(nif=nif), format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"nif"}
    assert not Customer.objects.exists()


def test_create_reports_every_invalid_field_at_once_with_dotted_address_paths(api):
    response = api.post(
        CUSTOMERS_URL,
        {
            "legal_name": "",
            "nif": "12345678A",
            "email": "not-an-email",
            "phone": "12",
            "address": {"postal_code": "1" * 21, "country": ""},
        },
        format="json",
    )

    error = assert_error(response, 422, "VALIDATION_ERROR")
    # legal_name and the address fail field by field; nif and phone are checked once the fields are clean,
    # so a field-level failure elsewhere may hold them back, but never the other way round.
    assert {"legal_name", "email", "address.postal_code", "address.country"} <= set(error["details"])
    assert all(isinstance(message, str) and message for message in error["details"].values())
    assert not Customer.objects.exists()


def test_create_reports_nif_and_phone_together_when_the_rest_is_valid(api):
    response = api.post(CUSTOMERS_URL, payload(nif="12345678A", phone="12"), format="json")

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert set(error["details"]) == {"nif", "phone"}
    assert not Customer.objects.exists()


@pytest.mark.parametrize("nif", ["12345678Z", "X1234567L", "B12345674", "A58818501"])
@pytest.mark.parametrize("country", [None, "España", "Spain", "ES"])
def test_create_accepts_valid_spanish_dni_nie_and_cif(api, nif, country):
    body = payload(nif=nif) if country is None else payload(nif=nif, address={"country": country})

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert data["nif"] == nif
    assert Customer.objects.get(pk=data["id"]).nif == nif


@pytest.mark.parametrize("nif", ["12345678A", "B12345678", "X1234567A", "1234567Z"])
@pytest.mark.parametrize("country", [None, "España", "Spain", "ES"])
def test_create_rejects_a_spanish_nif_with_a_wrong_control_character(api, nif, country):
    body = payload(nif=nif) if country is None else payload(nif=nif, address={"country": country})

    # BeeL's codes: a wrong control character, or (1234567Z, 8 characters) not a NIF's shape at all.
    code = "NIF_INVALID_FORMAT" if len(nif) != 9 else "NIF_INVALID_CONTROL_DIGIT"
    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 422, code)

    assert set(error["details"]) == {"nif"}
    assert not Customer.objects.exists()


@pytest.mark.parametrize(("nif", "stored"), [("PT501964843", "PT501964843"), ("12345678A", "12345678A")])
def test_create_accepts_any_alphanumeric_tax_id_outside_spain(api, nif, stored):
    body = payload(nif=nif, address={"city": "Lisboa", "country": "Portugal"})

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert data["nif"] == stored
    assert data["address"]["country"] == "Portugal"
    customer = Customer.objects.get(pk=data["id"])
    assert (customer.nif, customer.country) == (stored, "Portugal")


def test_create_outside_spain_still_rejects_a_tax_id_with_symbols(api):
    body = payload(nif="AB#123", address={"country": "Portugal"})

    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"nif"}
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("12345678-z", "12345678Z"),
        (" 12.345.678 z ", "12345678Z"),
        ("x-1234567-l", "X1234567L"),
        ("b 1234567-4", "B12345674"),
    ],
)
def test_create_normalises_the_nif(api, sent, stored):
    data = assert_success(api.post(CUSTOMERS_URL, payload(nif=sent), format="json"), 201)

    assert data["nif"] == stored
    assert Customer.objects.get(pk=data["id"]).nif == stored


def test_create_lower_cases_the_email(api):
    data = assert_success(api.post(CUSTOMERS_URL, payload(email="Maria.Garcia@Email.COM"), format="json"), 201)

    assert data["email"] == "maria.garcia@email.com"
    assert Customer.objects.get(pk=data["id"]).email == "maria.garcia@email.com"


@pytest.mark.parametrize("email", ["not-an-email", "maria@", "@example.es", "maria garcia@example.es"])
def test_create_rejects_an_invalid_email(api, email):
    error = assert_error(api.post(CUSTOMERS_URL, payload(email=email), format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"email"}
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("654 321 987", "+34654321987"), ("+34 912 34 56 78", "+34912345678"), ("912345678", "+34912345678")],
)
def test_create_stores_the_phone_in_e164(api, sent, stored):
    data = assert_success(api.post(CUSTOMERS_URL, payload(phone=sent), format="json"), 201)

    assert data["phone"] == stored
    assert Customer.objects.get(pk=data["id"]).phone == stored


@pytest.mark.parametrize("phone", ["12", "abc", "+34 12", "654 321 987 654 321"])
def test_create_rejects_an_invalid_phone(api, phone):
    error = assert_error(api.post(CUSTOMERS_URL, payload(phone=phone), format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"phone"}
    assert not Customer.objects.exists()


def test_create_ignores_unknown_top_level_fields_as_beel_does(api):
    # BeeL 1.9.0: an undeclared JSON property is ignored silently (`active` is not CreateCustomerRequest's).
    body = payload(legal_nme="typo", active=False)

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert data["active"] is True and "legal_nme" not in data
    assert Customer.objects.get(pk=data["id"]).active is True


def test_create_ignores_unknown_address_fields(api):
    body = payload(address={"city": "Madrid", "province": "Madrid", "zip": "28013"})

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert "zip" not in data["address"] and data["address"]["postal_code"] is None


def test_create_reports_missing_fields_whatever_unknown_ones_are_sent(api):
    error = assert_error(api.post(CUSTOMERS_URL, {"nombre": "Acme"}, format="json"), 422, "VALIDATION_ERROR")

    assert {"legal_name", "nif"} == set(error["details"])


def test_create_with_the_nif_of_an_active_customer_is_409_client_duplicate_and_writes_nothing(api, account):
    existing = CustomerFactory(account=account, nif="12345678Z")

    response = api.post(CUSTOMERS_URL, payload(nif="12345678-z"), format="json")

    # BeeL's CLIENT_DUPLICATE: the identifier is not echoed back.
    error = assert_error(response, 409, "CLIENT_DUPLICATE")
    assert error["details"] == {}
    assert list(Customer.objects.values_list("pk", flat=True)) == [existing.pk]


def test_create_with_the_nif_of_an_inactive_customer_is_allowed(api, account):
    old = inactive_customer(account=account, nif="12345678Z")

    data = assert_success(api.post(CUSTOMERS_URL, payload(nif="12345678Z"), format="json"), 201)

    assert data["id"] != str(old.pk)
    assert Customer.objects.filter(account=account, nif="12345678Z").count() == 2
    assert Customer.objects.get(pk=data["id"]).active is True
    assert Customer.objects.get(pk=old.pk).active is False


def test_create_with_the_nif_of_another_accounts_customer_is_allowed(api, account, other_account):
    CustomerFactory(account=other_account, nif="12345678Z")

    data = assert_success(api.post(CUSTOMERS_URL, payload(nif="12345678Z"), format="json"), 201)

    assert Customer.objects.get(pk=data["id"]).account == account
    assert Customer.objects.filter(nif="12345678Z", active=True).count() == 2


@pytest.mark.parametrize(
    "raw_body",
    ['[{"legal_name": "Acme SL", "nif": "B12345674"}]', '"Acme SL"', "null", "42", "true"],
    ids=["list", "string", "null", "number", "boolean"],
)
def test_create_with_a_body_that_is_not_an_object_is_400_invalid_json_format_and_writes_nothing(api, raw_body):
    response = api.post(CUSTOMERS_URL, data=raw_body, content_type="application/json")

    # BeeL 1.9.0: a body of the wrong JSON type is 400 INVALID_JSON_FORMAT naming the body.
    error = assert_error(response, 400, "INVALID_JSON_FORMAT")
    assert error["details"]["expected_format"] == "object"
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (payload(legal_name="Acme\x00 SL"), "legal_name"),
        (payload(nif="B1234567\x004"), "nif"),
        (payload(email="acme\x00@example.es"), "email"),
        (payload(phone="654\x00321987"), "phone"),
        (payload(address={"city": "Mad\x00rid"}), "address.city"),
    ],
)
def test_create_rejects_nul_characters_in_strings(api, body, path):
    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 422, "VALIDATION_ERROR")

    assert path in error["details"]
    assert not Customer.objects.exists()


def test_create_needs_the_customers_write_scope(read_only_api):
    error = assert_error(read_only_api.post(CUSTOMERS_URL, payload(), format="json"), 403, "INSUFFICIENT_SCOPE")

    assert "customers:write" in error["message"]
    assert not Customer.objects.exists()


def test_created_customer_is_found_by_an_accent_less_search(api, account):
    CustomerFactory(account=account, legal_name=TECH_SOLUTIONS["legal_name"])
    data = assert_success(
        api.post(CUSTOMERS_URL, payload(legal_name="María García López", nif="12345678Z"), format="json"), 201
    )

    for term in ("garcia", "GARCIA LOPEZ", "maria garcía"):
        listing = assert_success(api.get(CUSTOMERS_URL, {"search": term}))
        assert [customer["id"] for customer in listing["customers"]] == [data["id"]], term
