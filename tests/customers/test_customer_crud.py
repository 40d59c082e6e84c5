"""Create, read, update and reactivate customers through the HTTP API: the response envelope and what ends
up in the database (POST/GET/PATCH /api/v1/customers[/{id}] and POST /customers/{id}/reactivate)."""

import uuid
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from customers.models import Customer
from tests.envelope import TIMESTAMP, assert_error, assert_success
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db

CUSTOMERS_URL = "/api/v1/customers"
CUSTOMER_KEYS = {
    "id",
    "legal_name",
    "nif",
    "email",
    "phone",
    "address",
    "active",
    "created_at",
    "updated_at",
    "deactivated_at",
}
ALWAYS_PRESENT_ADDRESS_KEYS = {"street", "number", "postal_code", "city", "province", "country"}
# Model fields a request may touch; compared before and after to prove what did (not) change.
STORED_FIELDS = (
    "legal_name",
    "nif",
    "email",
    "phone",
    "street",
    "number",
    "floor",
    "door",
    "postal_code",
    "city",
    "province",
    "country",
    "active",
    "deactivated_at",
    "created_at",
    "updated_at",
)
OLD_TIMESTAMP = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)


# --- helpers ---------------------------------------------------------------------------------------------


def url_of(customer_or_id) -> str:
    return f"{CUSTOMERS_URL}/{getattr(customer_or_id, 'pk', customer_or_id)}"


def zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot(customer: Customer) -> dict:
    customer = Customer.objects.get(pk=customer.pk)
    return {name: getattr(customer, name) for name in STORED_FIELDS}


def assert_customer_shape(data: dict) -> None:
    assert set(data) == CUSTOMER_KEYS
    assert ALWAYS_PRESENT_ADDRESS_KEYS <= set(data["address"]) <= ALWAYS_PRESENT_ADDRESS_KEYS | {"floor", "door"}
    uuid.UUID(data["id"])
    assert TIMESTAMP.match(data["created_at"])
    assert TIMESTAMP.match(data["updated_at"])


def payload(**overrides) -> dict:
    body = {"legal_name": "Tech Solutions SL", "nif": "B12345674"}
    body.update(overrides)
    return body


@pytest.fixture
def read_only_api(client_for, account):
    return client_for(APIKeyFactory(account=account, scopes=["customers:read"]))


@pytest.fixture
def write_only_api(client_for, account):
    return client_for(APIKeyFactory(account=account, scopes=["customers:write"]))


@pytest.fixture
def other_account():
    return AccountFactory()


def inactive_customer(**kwargs) -> Customer:
    return CustomerFactory(active=False, deactivated_at=timezone.now(), **kwargs)


# --- POST /customers -----------------------------------------------------------------------------------


def test_create_returns_201_with_the_customer_and_stores_it(api, account):
    response = api.post(
        CUSTOMERS_URL,
        {
            "legal_name": "María García López",
            "nif": "12345678Z",
            "email": "maria.garcia@email.com",
            "phone": "654 321 987",
            "address": {
                "street": "Avenida de la Constitución",
                "number": "25",
                "floor": "3º",
                "door": "B",
                "postal_code": "41001",
                "city": "Sevilla",
                "province": "Sevilla",
                "country": "España",
            },
        },
        format="json",
    )

    data = assert_success(response, 201)
    assert_customer_shape(data)
    assert data["legal_name"] == "María García López"
    assert data["nif"] == "12345678Z"
    assert data["email"] == "maria.garcia@email.com"
    assert data["phone"] == "+34654321987"
    assert data["address"] == {
        "street": "Avenida de la Constitución",
        "number": "25",
        "floor": "3º",
        "door": "B",
        "postal_code": "41001",
        "city": "Sevilla",
        "province": "Sevilla",
        "country": "España",
    }
    assert data["active"] is True
    assert data["deactivated_at"] is None

    stored = Customer.objects.get(pk=data["id"])
    assert stored.account == account
    assert (stored.legal_name, stored.nif, stored.email, stored.phone) == (
        "María García López",
        "12345678Z",
        "maria.garcia@email.com",
        "+34654321987",
    )
    assert (stored.street, stored.number, stored.floor, stored.door) == ("Avenida de la Constitución", "25", "3º", "B")
    assert (stored.postal_code, stored.city, stored.province, stored.country) == (
        "41001",
        "Sevilla",
        "Sevilla",
        "España",
    )
    assert stored.active is True
    assert stored.deactivated_at is None
    assert data["created_at"] == zulu(stored.created_at)
    assert data["updated_at"] == zulu(stored.updated_at)


def test_create_with_only_legal_name_and_nif_defaults_country_to_spain_and_contact_to_null(api):
    data = assert_success(api.post(CUSTOMERS_URL, payload(), format="json"), 201)

    assert_customer_shape(data)
    assert data["email"] is None
    assert data["phone"] is None
    assert data["address"] == {
        "street": "",
        "number": "",
        "postal_code": "",
        "city": "",
        "province": "",
        "country": "España",
    }
    stored = Customer.objects.get(pk=data["id"])
    assert (stored.email, stored.phone, stored.country) == ("", "", "España")


def test_create_without_legal_name_and_nif_reports_both_and_writes_nothing(api):
    error = assert_error(api.post(CUSTOMERS_URL, {}, format="json"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"legal_name", "nif"}
    assert not Customer.objects.exists()


@pytest.mark.parametrize("legal_name", ["", "   ", None])
def test_create_rejects_a_blank_or_null_legal_name(api, legal_name):
    error = assert_error(
        api.post(CUSTOMERS_URL, payload(legal_name=legal_name), format="json"), 400, "VALIDATION_ERROR"
    )

    assert set(error["details"]) == {"legal_name"}
    assert not Customer.objects.exists()


@pytest.mark.parametrize("nif", ["", "  -  ", None])
def test_create_rejects_a_blank_or_null_nif(api, nif):
    error = assert_error(api.post(CUSTOMERS_URL, payload(nif=nif), format="json"), 400, "VALIDATION_ERROR")

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
            "address": {"postal_code": "1" * 11, "country": ""},
        },
        format="json",
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    # legal_name and the address fail field by field; nif and phone are checked once the fields are clean,
    # so a field-level failure elsewhere may hold them back, but never the other way round.
    assert {"legal_name", "email", "address.postal_code", "address.country"} <= set(error["details"])
    assert all(isinstance(message, str) and message for message in error["details"].values())
    assert not Customer.objects.exists()


def test_create_reports_nif_and_phone_together_when_the_rest_is_valid(api):
    response = api.post(CUSTOMERS_URL, payload(nif="12345678A", phone="12"), format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
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

    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 400, "VALIDATION_ERROR")

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

    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 400, "VALIDATION_ERROR")

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
    error = assert_error(api.post(CUSTOMERS_URL, payload(email=email), format="json"), 400, "VALIDATION_ERROR")

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
    error = assert_error(api.post(CUSTOMERS_URL, payload(phone=phone), format="json"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"phone"}
    assert not Customer.objects.exists()


def test_create_rejects_unknown_top_level_fields_naming_them(api):
    body = payload(legal_nme="typo", active=False)

    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 400, "VALIDATION_ERROR")

    assert error["details"] == {"legal_nme": "Unknown field.", "active": "Unknown field."}
    assert not Customer.objects.exists()


def test_create_rejects_unknown_address_fields_with_a_dotted_path(api):
    body = payload(address={"city": "Madrid", "zip": "28013"})

    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 400, "VALIDATION_ERROR")

    assert error["details"] == {"address.zip": "Unknown field."}
    assert not Customer.objects.exists()


def test_create_reports_unknown_fields_alongside_missing_ones(api):
    error = assert_error(api.post(CUSTOMERS_URL, {"nombre": "Acme"}, format="json"), 400, "VALIDATION_ERROR")

    assert error["details"]["nombre"] == "Unknown field."
    assert {"legal_name", "nif", "nombre"} == set(error["details"])


def test_create_with_the_nif_of_an_active_customer_is_409_and_writes_nothing(api, account):
    existing = CustomerFactory(account=account, nif="12345678Z")

    response = api.post(CUSTOMERS_URL, payload(nif="12345678-z"), format="json")

    error = assert_error(response, 409, "CUSTOMER_ALREADY_EXISTS")
    assert "nif" in error["details"]
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
def test_create_with_a_body_that_is_not_an_object_is_400_and_writes_nothing(api, raw_body):
    response = api.post(CUSTOMERS_URL, data=raw_body, content_type="application/json")

    error = assert_error(response, 400)
    assert error["code"] in {"VALIDATION_ERROR", "BAD_REQUEST"}
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
    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 400, "VALIDATION_ERROR")

    assert path in error["details"]
    assert not Customer.objects.exists()


def test_create_needs_the_customers_write_scope(read_only_api):
    error = assert_error(read_only_api.post(CUSTOMERS_URL, payload(), format="json"), 403, "FORBIDDEN")

    assert "customers:write" in error["message"]
    assert not Customer.objects.exists()


def test_created_customer_is_found_by_an_accent_less_search(api, account):
    CustomerFactory(account=account, legal_name="Tech Solutions SL")
    data = assert_success(
        api.post(CUSTOMERS_URL, payload(legal_name="María García López", nif="12345678Z"), format="json"), 201
    )

    for term in ("garcia", "GARCIA LOPEZ", "maria garcía"):
        listing = assert_success(api.get(CUSTOMERS_URL, {"search": term}))
        assert [customer["id"] for customer in listing["customers"]] == [data["id"]], term


# --- GET /customers/{id} --------------------------------------------------------------------------------


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


def test_retrieve_with_a_malformed_id_is_a_validation_error_naming_customer_id(api):
    error = assert_error(api.get(url_of("not-a-uuid")), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"customer_id"}


def test_retrieve_an_unknown_customer_is_404(api):
    assert_error(api.get(url_of(uuid.uuid4())), 404, "NOT_FOUND")


def test_retrieve_another_accounts_customer_is_404(api, other_account):
    customer = CustomerFactory(account=other_account)

    error = assert_error(api.get(url_of(customer)), 404, "NOT_FOUND")

    assert customer.legal_name not in str(error)


def test_retrieve_needs_the_customers_read_scope(write_only_api, account):
    customer = CustomerFactory(account=account)

    error = assert_error(write_only_api.get(url_of(customer)), 403, "FORBIDDEN")

    assert "customers:read" in error["message"]


# --- PATCH /customers/{id} ------------------------------------------------------------------------------


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

    error = assert_error(api.patch(url_of(customer), body, format="json"), 400, "VALIDATION_ERROR")

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

    error = assert_error(api.patch(url_of(customer), {"nif": "PT501964843"}, format="json"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"nif"}
    assert snapshot(customer) == before


def test_update_moving_back_to_spain_checks_the_stored_tax_id(api, account):
    customer = CustomerFactory(account=account, nif="PT501964843", country="Portugal")
    before = snapshot(customer)

    response = api.patch(url_of(customer), {"address": {"country": "España"}}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
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

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == {"vat": "Unknown field.", "address.town": "Unknown field."}
    assert snapshot(customer) == before


@pytest.mark.parametrize("field", ["id", "created_at", "updated_at", "deactivated_at"])
def test_update_rejects_read_only_fields(api, account, field):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    response = api.patch(url_of(customer), {field: "2020-01-01T00:00:00Z"}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in error["details"]
    assert snapshot(customer) == before


def test_update_cannot_deactivate_a_customer(api, account):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    error = assert_error(api.patch(url_of(customer), {"active": False}, format="json"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"active"}
    assert snapshot(customer) == before
    assert snapshot(customer)["active"] is True


def test_update_cannot_reactivate_a_customer(api, account):
    customer = inactive_customer(account=account)
    before = snapshot(customer)

    error = assert_error(api.patch(url_of(customer), {"active": True}, format="json"), 400, "VALIDATION_ERROR")

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
def test_update_with_a_body_that_is_not_an_object_is_400_and_changes_nothing(api, account, raw_body):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    response = api.patch(url_of(customer), data=raw_body, content_type="application/json")

    error = assert_error(response, 400)
    assert error["code"] in {"VALIDATION_ERROR", "BAD_REQUEST"}
    assert snapshot(customer) == before


def test_update_needs_the_customers_write_scope(read_only_api, account):
    customer = CustomerFactory(account=account)
    before = snapshot(customer)

    error = assert_error(read_only_api.patch(url_of(customer), {"legal_name": "X"}, format="json"), 403, "FORBIDDEN")

    assert "customers:write" in error["message"]
    assert snapshot(customer) == before


# --- POST /customers/{id}/reactivate --------------------------------------------------------------------


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

    error = assert_error(api.post(f"{url_of(customer)}/reactivate", format="json"), 409, "CUSTOMER_ALREADY_EXISTS")

    assert "nif" in error["details"]
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

    assert_error(api.post(f"{url_of(customer)}/reactivate", format="json"), 404, "NOT_FOUND")

    assert snapshot(customer) == before


def test_reactivate_with_a_malformed_id_is_a_validation_error_naming_customer_id(api):
    error = assert_error(api.post(f"{url_of('nope')}/reactivate", format="json"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {"customer_id"}


def test_reactivate_needs_the_customers_write_scope(read_only_api, account):
    customer = inactive_customer(account=account)
    before = snapshot(customer)

    error = assert_error(read_only_api.post(f"{url_of(customer)}/reactivate", format="json"), 403, "FORBIDDEN")

    assert "customers:write" in error["message"]
    assert snapshot(customer) == before
