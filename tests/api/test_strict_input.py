"""The server refuses what the OpenAPI schema refuses, answering as BeeL 1.9.0 does: JSON values of the wrong
type and a key given twice in one object are 400 INVALID_JSON_FORMAT (details: FieldDeserializationError),
a JSON number for a customer's text field is read as its text (BeeL coerces it), a value outside an enum is
422 with the allowed values, strings longer than documented (before their blanks are trimmed) and other
content 422 VALIDATION_ERROR; empty typed query parameters are 400, empty bulk requests 422."""

import re

import pytest

from customers.models import Customer
from invoices.models import Invoice
from tests.envelope import assert_error

pytestmark = pytest.mark.django_db

VALID = {"legal_name": "Ferretería Núñez SL", "nif": "B12345674"}


@pytest.mark.parametrize(
    ("body", "field", "invalid_value", "expected_format"),
    [
        ({**VALID, "legal_name": {"name": "X"}}, "legal_name", '{"name": "X"}', "string"),
        ({**VALID, "nif": ["B12345674"]}, "nif", '["B12345674"]', "string"),
        ({**VALID, "email": True}, "email", "true", "string"),
        ({**VALID, "address": {"postal_code": ["28013"]}}, "address.postal_code", '["28013"]', "string"),
        ({**VALID, "address": "Calle Mayor 1"}, "address", "Calle Mayor 1", "object"),
        ({**VALID, "billing_emails": "a@example.es"}, "billing_emails", "a@example.es", "array"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_400_invalid_json_format_naming_it(
    api, body, field, invalid_value, expected_format
):
    error = assert_error(api.post("/api/v1/customers", body, format="json"), 400, "INVALID_JSON_FORMAT")
    assert error["details"] == {"field": field, "invalid_value": invalid_value, "expected_format": expected_format}
    assert not Customer.objects.exists()


def test_a_wrong_json_type_on_put_and_patch_is_invalid_json_format_too(api, account):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(account=account)
    for method in ("put", "patch"):
        # A number is read as its text, then judged as an email: content, 422.
        response = getattr(api, method)(f"/api/v1/customers/{customer.pk}", {**VALID, "email": 12345}, format="json")
        assert assert_error(response, 422, "VALIDATION_ERROR")["details"] == {"email": "Enter a valid email address."}
        response = getattr(api, method)(f"/api/v1/customers/{customer.pk}", {**VALID, "email": False}, format="json")
        assert assert_error(response, 400, "INVALID_JSON_FORMAT")["details"]["field"] == "email"


@pytest.mark.parametrize(
    ("field", "number", "stored"), [("legal_name", 12, "12"), ("phone", 912345678, "+34912345678")]
)
def test_a_json_number_for_a_text_field_is_read_as_its_text(api, account, field, number, stored):
    response = api.post("/api/v1/customers", {**VALID, field: number}, format="json")
    assert response.status_code == 201, response.content
    assert getattr(Customer.objects.get(account=account), field) == stored


def test_a_value_outside_an_enum_is_422_with_the_allowed_values(api):
    body = {**VALID, "alternative_id": {"type": "CARNET", "number": "X1", "country_code": "FR"}}
    body.pop("nif")
    error = assert_error(api.post("/api/v1/customers", body, format="json"), 422, "VALIDATION_ERROR")
    assert error["details"]["field"] == "alternative_id.type"
    assert error["details"]["invalid_value"] == "CARNET"
    assert error["details"]["expected_format"] is None
    assert "," in error["details"]["allowed_values"]
    assert not Customer.objects.exists()


def test_a_country_given_as_a_number_cannot_switch_the_spanish_nif_check_off(api):
    response = api.post(
        "/api/v1/customers", {"legal_name": "X SL", "nif": "0", "address": {"country": 0}}, format="json"
    )
    # The number is read as the text "0" (as BeeL does), which names no country: refused, and the NIF with it.
    assert "nif" in assert_error(response, 422, "COUNTRY_CODE_REQUIRED")["details"]
    assert not Customer.objects.exists()


def test_amounts_and_ids_of_the_wrong_json_type_are_refused(api, customer):
    # Invoices are beel's own (not in BeeL's customers contract): their refusals are the 422 flat map.
    response = api.post("/api/v1/invoices", {"customer_id": str(customer.pk), "subtotal": 10}, format="json")
    assert assert_error(response, 422, "VALIDATION_ERROR")["details"] == {"subtotal": "Must be a string."}
    response = api.post("/api/v1/invoices", {"customer_id": 12345}, format="json")
    assert "customer_id" in assert_error(response, 422, "VALIDATION_ERROR")["details"]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("amount", ["", " 80", "1e2", "-0", "80.123", "+5", "12345678901"])
def test_an_amount_the_schema_pattern_refuses_is_refused(api, customer, amount):
    response = api.post("/api/v1/invoices", {"customer_id": str(customer.pk), "subtotal": amount}, format="json")
    assert "subtotal" in assert_error(response, 422, "VALIDATION_ERROR")["details"]
    assert not Invoice.objects.exists()


def test_a_key_given_twice_in_one_object_is_refused(api):
    response = api.post(
        "/api/v1/customers",
        data='{"legal_name": "Dos SL", "nif": "bad", "nif": "12345678Z"}',
        content_type="application/json",
    )
    error = assert_error(response, 400, "INVALID_JSON_FORMAT")
    assert "'nif' appears twice" in error["message"]
    assert not Customer.objects.exists()


def test_a_key_given_twice_in_a_nested_object_is_refused(api):
    body = '{"legal_name": "Dos SL", "nif": "12345678Z", "address": {"city": "Sevilla", "city": "Cádiz"}}'
    response = api.post("/api/v1/customers", data=body, content_type="application/json")
    assert_error(response, 400, "INVALID_JSON_FORMAT")
    assert not Customer.objects.exists()


def test_a_string_longer_than_documented_is_refused_even_if_its_blanks_would_be_trimmed(api):
    response = api.post("/api/v1/customers", {**VALID, "legal_name": "Corta SL" + " " * 300}, format="json")
    details = assert_error(response, 422, "VALIDATION_ERROR")["details"]
    assert details["legal_name"] == "Ensure this field has no more than 120 characters."


@pytest.mark.parametrize("nif", ["0", "B1234567", "X" * 21, "ñ12345678"])
def test_the_schema_states_the_nif_rules_the_server_applies(api, anonymous_client, nif):
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    nif_schema = schema["components"]["schemas"]["CustomerWriteRequest"]["properties"]["nif"]
    assert nif_schema["format"] == "es-tax-id"
    response = api.post("/api/v1/customers", {**VALID, "nif": nif}, format="json")
    # BeeL's code for a Spanish NIF that is not shaped as one.
    assert_error(response, 422, "NIF_INVALID_FORMAT")
    if not re.search(nif_schema["pattern"], nif):
        return  # the pattern alone refuses it
    assert nif in ("0", "B1234567")  # pattern-valid, refused by the control character the format names


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/customers", "active"),
        ("/api/v1/customers", "sort_by"),
        ("/api/v1/customers", "sort_order"),
        ("/api/v1/invoices", "issue_date_to"),
        ("/api/v1/invoices", "issue_date_from"),
        ("/api/v1/invoices", "status"),
        ("/api/v1/invoices", "customer_id"),
    ],
)
def test_an_empty_typed_query_parameter_is_refused_not_ignored(api, path, parameter):
    details = assert_error(api.get(f"{path}?{parameter}="), 400, "VALIDATION_ERROR")["details"]
    assert details[parameter] == f"{parameter} must not be empty."


def test_an_empty_free_text_filter_is_still_allowed(api):
    assert api.get("/api/v1/customers?search=&legal_name=").status_code == 200


def test_an_empty_bulk_creation_is_refused_and_the_schema_says_so(api, anonymous_client):
    response = api.post("/api/v1/customers/bulk", {"customers": []}, format="json")
    assert "customers" in assert_error(response, 422, "VALIDATION_ERROR")["details"]
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    customers = schema["components"]["schemas"]["BulkCreateCustomersRequest"]["properties"]["customers"]
    assert (customers["minItems"], customers["maxItems"]) == (1, 500)


@pytest.mark.parametrize("ids", ["", ",", " , ,"])
def test_a_bulk_deletion_without_ids_is_refused_and_the_schema_says_so(api, anonymous_client, ids):
    assert_error(api.delete(f"/api/v1/customers/bulk?ids={ids}"), 400, "BAD_REQUEST")
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    parameters = schema["paths"]["/api/v1/customers/bulk"]["delete"]["parameters"]
    parameter = next(parameter for parameter in parameters if parameter["name"] == "ids")
    assert parameter["schema"]["minLength"] == 1
    assert not re.search(parameter["schema"]["pattern"], ids)


def test_a_text_filter_with_a_nul_character_is_refused_and_the_schema_says_so(api, anonymous_client):
    assert "nif" in assert_error(api.get("/api/v1/customers?nif=B1%00"), 400, "VALIDATION_ERROR")["details"]
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    nif = next(p for p in schema["paths"]["/api/v1/customers"]["get"]["parameters"] if p["name"] == "nif")
    assert not re.search(nif["schema"]["pattern"], "B1\x00")


@pytest.mark.parametrize(
    ("method", "path", "parameter"),
    [
        ("get", "/api/v1/customers/{id}", "expand"),
        ("post", "/api/v1/customers", "dry_run"),
        ("put", "/api/v1/customers/{id}", "force"),
        ("patch", "/api/v1/customers/{id}", "per_page"),
        ("post", "/api/v1/customers/bulk?dry_run=true", "validate_only"),
    ],
)
def test_an_undeclared_query_parameter_is_400_naming_it_and_changes_nothing(api, account, method, path, parameter):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(account=account)
    separator = "&" if "?" in path else "?"
    url = f"{path.format(id=customer.pk)}{separator}{parameter}=1"
    body = {"customers": [VALID]} if "bulk" in path else VALID
    before = list(Customer.objects.values())

    response = api.get(url) if method == "get" else getattr(api, method)(url, body, format="json")
    error = assert_error(response, 400, "VALIDATION_ERROR")

    assert error["details"] == {parameter: "Unknown query parameter."}
    assert list(Customer.objects.values()) == before


def test_the_seed_deactivation_refuses_an_undeclared_query_parameter_too(api, account):
    """BeeL's flat aliases answer an undeclared parameter with 400 since 2026-09-03, and the seed pages say
    nothing of one: a client's misspelt parameter must not deactivate anyway."""
    from tests.factories import CustomerFactory

    customer = CustomerFactory(account=account)
    error = assert_error(api.delete(f"/api/v1/customers/{customer.pk}?reason=x"), 400, "VALIDATION_ERROR")

    assert error["details"] == {"reason": "Unknown query parameter."}
    customer.refresh_from_db()
    assert customer.active
