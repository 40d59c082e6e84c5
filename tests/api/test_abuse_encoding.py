"""Abuse of the API through encodings: NUL bytes and invalid UTF-8 (raw and percent-encoded) in query
parameters, path ids, bulk ids and JSON bodies, lone surrogates and deeply nested JSON.

Every test checks the status, the envelope and what the database holds afterwards."""

import pytest
from django.conf import settings
from django.test import Client

from tests.api.abuse import (
    BULK,
    CUSTOMER_LIST_PARAMS,
    CUSTOMERS,
    INVOICE_LIST_PARAMS,
    INVOICES,
    TEXT_FILTERS,
    assert_not_server_error,
    customer_url,
    database_state,
    valid_customer_body,
)
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("parameter", CUSTOMER_LIST_PARAMS)
@pytest.mark.parametrize("value", ["%00", "abc%00", "%00def"])
def test_nul_byte_in_a_customer_list_parameter_is_a_validation_error_naming_it(api, account, parameter, value):
    CustomerFactory(account=account)

    error = assert_error(api.get(f"{CUSTOMERS}?{parameter}={value}"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {parameter}


@pytest.mark.parametrize("parameter", INVOICE_LIST_PARAMS)
def test_nul_byte_in_an_invoice_list_parameter_is_a_validation_error_naming_it(api, account, parameter):
    error = assert_error(api.get(f"{INVOICES}?{parameter}=1%00"), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {parameter}


def test_nul_byte_appended_to_a_bulk_id_is_reported_invalid_and_deactivates_nothing(api, account):
    customer = CustomerFactory(account=account)
    before = database_state()

    response = api.delete(f"{BULK}?ids={customer.pk}%00")

    data = assert_success(response)
    assert (data["successful"], data["failed"]) == (0, 1)
    assert [entry["error"]["code"] for entry in data["errors"]] == ["VALIDATION_ERROR"]
    assert database_state() == before


@pytest.mark.parametrize("path", ["{customer}%00", "%00", "{customer}%00/reactivate"])
def test_nul_byte_in_a_path_id_is_never_a_server_error(api, account, path):
    customer = CustomerFactory(account=account)
    before = database_state()

    url = f"{CUSTOMERS}/{path.format(customer=customer.pk)}"
    for response in (api.get(url), api.delete(url), api.post(url)):
        assert_not_server_error(response)
        assert response.status_code in (400, 404, 405), response.content
    assert database_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (valid_customer_body(legal_name="Acme\x00 SL"), "legal_name"),
        (valid_customer_body(nif="12345678Z\x00"), "nif"),
        (valid_customer_body(email="a\x00@example.es"), "email"),
        (valid_customer_body(phone="654\x00321987"), "phone"),
        (valid_customer_body(address={"city": "Sevilla\x00", "province": "Sevilla"}), "address.city"),
        (valid_customer_body(address={"street": "\x00", "province": "Sevilla"}), "address.street"),
        (valid_customer_body(address={"country": "España\x00"}), "address.country"),
    ],
)
def test_nul_byte_in_a_json_value_on_create_is_a_validation_error_and_writes_nothing(api, account, body, field):
    before = database_state()

    # The body parses: a value it holds is not acceptable, BeeL's 422.
    error = assert_error(api.post(CUSTOMERS, body, format="json"), 422, "VALIDATION_ERROR")

    assert field in error["details"], error
    assert database_state() == before


def test_an_unknown_field_named_with_a_nul_byte_is_ignored_as_beel_ignores_unknown_fields(api, account):
    response = api.post(CUSTOMERS, {**valid_customer_body(), "legal_name\x00": "x"}, format="json")

    assert response.status_code == 201, response.content
    assert "\x00" not in response.content.decode("utf-8")


@pytest.mark.parametrize("field", ["legal_name", "nif", "email", "phone"])
def test_nul_byte_in_a_json_value_on_update_is_a_validation_error_and_changes_nothing(api, account, field):
    customer = CustomerFactory(account=account)
    before = database_state()

    response = api.patch(customer_url(customer.pk), {field: "x\x00y"}, format="json")

    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert field in error["details"]
    assert database_state() == before


@pytest.mark.parametrize("field", ["customer_id", "series", "currency", "issue_date", "subtotal"])
def test_nul_byte_in_a_json_value_on_invoice_create_is_a_validation_error_and_writes_nothing(api, account, field):
    customer = CustomerFactory(account=account)
    body = {"customer_id": str(customer.pk), "series": "A", "currency": "EUR"}
    body[field] = f"{body.get(field, '1')}\x00"
    before = database_state()

    error = assert_error(api.post(INVOICES, body, format="json"), 422, "VALIDATION_ERROR")

    assert field in error["details"]
    assert database_state() == before


@pytest.mark.parametrize("json_text", ['{"legal_name": "\\ud800"}', '{"\\udfff": "x"}'])
def test_lone_surrogate_escape_in_a_json_body_is_a_clean_422(api, account, json_text):
    before = database_state()

    response = api.post(CUSTOMERS, json_text, content_type="application/json")

    # Valid JSON (an escape), but not a character any text may hold: the content is refused.
    assert_not_server_error(response)
    assert_error(response, 422, "VALIDATION_ERROR")
    assert database_state() == before


def test_deeply_nested_json_body_is_a_clean_400(api, account):
    body = '{"legal_name": ' + "[" * 200_000 + "]" * 200_000 + "}"
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    before = database_state()

    response = api.post(CUSTOMERS, body, content_type="application/json")

    assert_not_server_error(response)
    assert response.status_code == 400
    assert database_state() == before


@pytest.fixture
def raw_client(api_key):
    """A plain django.test.Client, which lets a test put raw bytes in the query string."""
    return Client(headers={"Authorization": f"Bearer {api_key.raw_key}"})


def raw_query(raw: bytes) -> str:
    """WSGI carries the query string as bytes-in-latin-1: this is how a server passes raw bytes on."""
    return raw.decode("latin-1")


@pytest.mark.parametrize("parameter", CUSTOMER_LIST_PARAMS)
@pytest.mark.parametrize("raw", [b"\xff\xfe", b"caf\xe9", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf"])
def test_raw_invalid_utf8_in_a_customer_list_parameter_is_never_a_server_error(raw_client, account, parameter, raw):
    CustomerFactory(account=account)

    response = raw_client.get(CUSTOMERS, QUERY_STRING=raw_query(parameter.encode() + b"=" + raw))

    # Django reads a query string that is not UTF-8 as latin-1: a filter gets some text, never a crash.
    body = assert_not_server_error(response)
    if parameter in TEXT_FILTERS:
        assert body["success"] is True


@pytest.mark.parametrize("parameter", CUSTOMER_LIST_PARAMS)
@pytest.mark.parametrize("encoded", ["%ff%fe", "caf%e9", "%c3", "%ed%a0%80", "%c0%af", "%f4%90%80%80"])
def test_percent_encoded_invalid_utf8_in_a_customer_list_parameter_is_never_a_server_error(
    api, account, parameter, encoded
):
    CustomerFactory(account=account)

    body = assert_not_server_error(api.get(f"{CUSTOMERS}?{parameter}={encoded}"))

    if parameter in TEXT_FILTERS:
        assert body["success"] is True
        assert body["data"]["customers"] == []


@pytest.mark.parametrize("parameter", INVOICE_LIST_PARAMS)
@pytest.mark.parametrize("raw", [b"\xff\xfe", b"%ff%fe", b"\xed\xa0\x80"])
def test_invalid_utf8_in_an_invoice_list_parameter_is_a_validation_error(raw_client, account, parameter, raw):
    response = raw_client.get(INVOICES, QUERY_STRING=raw_query(parameter.encode() + b"=" + raw))

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {parameter}


@pytest.mark.parametrize("raw", [b"ids=\xff\xfe", b"ids=%ff%fe", b"\xff=1", b"ids=%c0%af,\xed\xa0\x80"])
def test_invalid_utf8_in_bulk_ids_is_never_a_server_error_and_deactivates_nothing(raw_client, account, raw):
    CustomerFactory(account=account)
    before = database_state()

    response = raw_client.delete(BULK, QUERY_STRING=raw_query(raw))

    assert_not_server_error(response)
    assert database_state() == before


@pytest.mark.parametrize(
    "raw_body",
    [
        b'{"legal_name": "\xff"}',
        b'{"legal_name": "caf\xe9", "nif": "12345678Z"}',
        b'{"\xc3": 1}',
        b"\xef\xbb\xbf\xff",
        b'{"legal_name": "\xed\xa0\x80"}',
    ],
)
def test_invalid_utf8_in_a_json_body_is_invalid_json_format_and_writes_nothing(api, account, raw_body):
    customer = CustomerFactory(account=account)
    before = database_state()

    create = api.post(CUSTOMERS, raw_body, content_type="application/json")
    update = api.patch(customer_url(customer.pk), raw_body, content_type="application/json")

    for response in (create, update):
        error = assert_error(response, 400, "INVALID_JSON_FORMAT")
        assert (error["details"]["field"], error["details"]["expected_format"]) == ("body", "JSON")
    assert database_state() == before
