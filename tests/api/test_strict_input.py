"""The server refuses what the OpenAPI schema refuses: JSON values of the wrong type (never coerced), a key
given twice in one object, strings longer than documented before their blanks are trimmed, blank strings,
empty typed query parameters, and empty bulk requests."""

import re

import pytest

from customers.models import Customer
from invoices.models import Invoice
from tests.envelope import assert_error

pytestmark = pytest.mark.django_db

VALID = {"legal_name": "Ferretería Núñez SL", "nif": "B12345674"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VALID, "legal_name": 12}, "legal_name"),
        ({**VALID, "nif": 12345678}, "nif"),
        ({**VALID, "email": True}, "email"),
        ({**VALID, "phone": 912345678}, "phone"),
        ({**VALID, "address": {"country": 0}}, "address.country"),
        ({**VALID, "address": {"number": 15}}, "address.number"),
        ({**VALID, "address": {"postal_code": ["28013"]}}, "address.postal_code"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_not_coerced(api, body, field):
    details = assert_error(api.post("/api/v1/customers", body, format="json"), 400, "VALIDATION_ERROR")["details"]
    assert details[field] == "Must be a string."
    assert not Customer.objects.exists()


def test_a_country_given_as_a_number_cannot_switch_the_spanish_nif_check_off(api):
    response = api.post(
        "/api/v1/customers", {"legal_name": "X SL", "nif": "0", "address": {"country": 0}}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    assert not Customer.objects.exists()


def test_amounts_and_ids_of_the_wrong_json_type_are_refused(api, customer):
    response = api.post("/api/v1/invoices", {"customer_id": str(customer.pk), "subtotal": 10}, format="json")
    assert assert_error(response, 400, "VALIDATION_ERROR")["details"] == {"subtotal": "Must be a string."}
    response = api.post("/api/v1/invoices", {"customer_id": 12345}, format="json")
    assert "customer_id" in assert_error(response, 400, "VALIDATION_ERROR")["details"]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("amount", ["", " 80", "1e2", "-0", "80.123", "+5", "12345678901"])
def test_an_amount_the_schema_pattern_refuses_is_refused(api, customer, amount):
    response = api.post("/api/v1/invoices", {"customer_id": str(customer.pk), "subtotal": amount}, format="json")
    assert "subtotal" in assert_error(response, 400, "VALIDATION_ERROR")["details"]
    assert not Invoice.objects.exists()


def test_a_key_given_twice_in_one_object_is_refused(api):
    response = api.post(
        "/api/v1/customers",
        data='{"legal_name": "Dos SL", "nif": "bad", "nif": "12345678Z"}',
        content_type="application/json",
    )
    error = assert_error(response, 400, "BAD_REQUEST")
    assert "'nif' appears twice" in error["message"]
    assert not Customer.objects.exists()


def test_a_key_given_twice_in_a_nested_object_is_refused(api):
    body = '{"legal_name": "Dos SL", "nif": "12345678Z", "address": {"city": "Sevilla", "city": "Cádiz"}}'
    response = api.post("/api/v1/customers", data=body, content_type="application/json")
    assert_error(response, 400, "BAD_REQUEST")
    assert not Customer.objects.exists()


def test_a_string_longer_than_documented_is_refused_even_if_its_blanks_would_be_trimmed(api):
    response = api.post("/api/v1/customers", {**VALID, "legal_name": "Corta SL" + " " * 300}, format="json")
    details = assert_error(response, 400, "VALIDATION_ERROR")["details"]
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
    assert "customers" in assert_error(response, 400, "VALIDATION_ERROR")["details"]
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    customers = schema["components"]["schemas"]["BulkCreateCustomersRequest"]["properties"]["customers"]
    assert (customers["minItems"], customers["maxItems"]) == (1, 500)


@pytest.mark.parametrize("ids", ["", ",", " , ,"])
def test_a_bulk_deletion_without_ids_is_refused_and_the_schema_says_so(api, anonymous_client, ids):
    assert_error(api.delete(f"/api/v1/customers/bulk?ids={ids}"), 400, "BAD_REQUEST")
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    parameter = schema["paths"]["/api/v1/customers/bulk"]["delete"]["parameters"][0]
    assert parameter["schema"]["minLength"] == 1
    assert not re.search(parameter["schema"]["pattern"], ids)


def test_a_text_filter_with_a_nul_character_is_refused_and_the_schema_says_so(api, anonymous_client):
    assert "nif" in assert_error(api.get("/api/v1/customers?nif=B1%00"), 400, "VALIDATION_ERROR")["details"]
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    nif = next(p for p in schema["paths"]["/api/v1/customers"]["get"]["parameters"] if p["name"] == "nif")
    assert not re.search(nif["schema"]["pattern"], "B1\x00")
