"""Abuse of the API through HTTP: oversized and malformed input, injection metacharacters, wrong media types,
cross-account ids, revoked and forged keys, and what the logs say about all of it.

Every test checks the status, the envelope and what the database holds afterwards."""

import hmac
import io
import json
import logging
import secrets
import sys
import uuid
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.client import encode_multipart
from django.utils import timezone
from rest_framework.test import APIClient

import apikeys.models
from apikeys.models import APIKey, hash_key
from beel.api.context import current_request_id
from beel.api.logging import JSONFormatter, RequestIdFilter
from customers import views as customer_views
from customers.models import AuditEntry, Customer
from invoices.models import Invoice, InvoiceSeriesCounter
from tests.envelope import assert_error, assert_success, envelope
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"
INVOICES = "/api/v1/invoices"
BULK = "/api/v1/customers/bulk"

TEXT_FILTERS = ["search", "legal_name", "nif", "email", "phone", "city", "province"]
CUSTOMER_LIST_PARAMS = [*TEXT_FILTERS, "active", "sort_by", "sort_order", "page", "limit"]
INVOICE_LIST_PARAMS = ["customer_id", "status", "issue_date_from", "issue_date_to", "page", "limit"]
# SQL string/comment, LIKE wildcard and escape, and regex/GLOB metacharacters.
METACHARACTERS = ["%", "_", "\\", "'", '"', ";--", ".*", "[a-z]"]

ACCESS_FIELDS = {"request_id", "method", "path", "status", "duration_ms", "api_key"}


# --- helpers --------------------------------------------------------------------------------------------


def customer_url(customer_id) -> str:
    return f"{CUSTOMERS}/{customer_id}"


def assert_not_server_error(response) -> dict:
    assert response.status_code < 500, response.content[:500]
    return envelope(response)


def database_state() -> dict:
    """Every row the API can write, every column: to prove that nothing was written."""
    return {
        "customers": sorted(Customer.objects.values(), key=lambda row: str(row["id"])),
        "invoices": sorted(Invoice.objects.values(), key=lambda row: str(row["id"])),
        "audit_entries": list(AuditEntry.objects.order_by("pk").values()),
        "counters": list(InvoiceSeriesCounter.objects.order_by("pk").values()),
    }


def listed_names(api, **params) -> list[str]:
    data = assert_success(api.get(CUSTOMERS, {**params, "limit": 100}))
    assert data["pagination"]["total_items"] == len(data["customers"])
    return sorted(customer["legal_name"] for customer in data["customers"])


def valid_customer_body(**overrides) -> dict:
    body = {
        "legal_name": "Nuevo Cliente SL",
        "nif": "12345678Z",
        "email": "nuevo@example.es",
        "phone": "654 321 987",
        "address": {"street": "Calle Mayor", "city": "Sevilla", "province": "Sevilla"},
    }
    body.update(overrides)
    return body


# --- huge id lists and long query strings ---------------------------------------------------------------


def test_bulk_deactivation_of_10000_ids_is_refused_as_uri_too_long_and_deactivates_nothing(api, account):
    own = CustomerFactory.create_batch(5, account=account)
    ids = [str(customer.pk) for customer in own] + [str(uuid.uuid4()) for _ in range(9_995)]
    before = database_state()

    response = api.delete(f"{BULK}?ids={','.join(ids)}")

    error = assert_error(response, 414, "URI_TOO_LONG")
    assert str(settings.MAX_QUERY_STRING_LENGTH) in error["message"]
    assert database_state() == before
    assert Customer.objects.filter(account=account, active=True).count() == 5


def test_bulk_deactivation_of_10000_short_ids_is_refused_before_any_is_read(api, account):
    CustomerFactory(account=account)
    before = database_state()

    response = api.delete(f"{BULK}?ids={','.join(str(n) for n in range(10_000))}")

    assert_error(response, 414, "URI_TOO_LONG")
    assert database_state() == before


def test_bulk_deactivation_of_101_distinct_real_ids_is_a_bad_request_and_deactivates_none(api, account):
    own = CustomerFactory.create_batch(101, account=account)
    query = ",".join(str(customer.pk) for customer in own)
    assert len(f"ids={query}") <= settings.MAX_QUERY_STRING_LENGTH  # the 400 is the id limit, not the 414
    before = database_state()

    response = api.delete(f"{BULK}?ids={query}")

    error = assert_error(response, 400, "BAD_REQUEST")
    assert "100" in error["message"]
    assert database_state() == before
    assert Customer.objects.filter(account=account, active=False).count() == 0


def test_bulk_deactivation_of_101_ids_split_over_repeated_ids_parameters_is_a_bad_request(api, account):
    own = CustomerFactory.create_batch(101, account=account)
    before = database_state()

    response = api.delete(f"{BULK}?{urlencode([('ids', str(customer.pk)) for customer in own])}")

    assert_error(response, 400, "BAD_REQUEST")
    assert database_state() == before


def test_bulk_deactivation_with_over_a_thousand_short_ids_parameters_is_a_clean_400(api, account):
    """1,001 `ids=` parameters fit in 8 KiB but exceed Django's DATA_UPLOAD_MAX_NUMBER_FIELDS."""
    CustomerFactory(account=account)
    query = "&".join(["ids=1"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert len(query) <= settings.MAX_QUERY_STRING_LENGTH
    before = database_state()

    response = api.delete(f"{BULK}?{query}")

    assert_error(response, 400, "BAD_REQUEST")
    assert database_state() == before


def test_list_with_over_a_thousand_query_parameters_is_a_clean_400(api, account):
    CustomerFactory(account=account)
    query = "&".join(["x=1"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert len(query) <= settings.MAX_QUERY_STRING_LENGTH

    assert_error(api.get(f"{CUSTOMERS}?{query}"), 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("search=" + "a" * 9_000, id="one-long-value"),
        pytest.param("&".join(["page=1"] * 1_400), id="many-parameters"),
        pytest.param("search=" + quote("ñ" * 1_400), id="percent-encoded-length-counts"),
    ],
)
def test_list_query_string_longer_than_8192_characters_is_uri_too_long(api, account, query):
    CustomerFactory(account=account)
    assert len(query) > 8192

    error = assert_error(api.get(f"{CUSTOMERS}?{query}"), 414, "URI_TOO_LONG")
    assert "8192" in error["message"]


def test_query_string_of_exactly_the_limit_is_not_refused_as_too_long(api, account):
    limit = settings.MAX_QUERY_STRING_LENGTH
    at_limit = "search=" + "a" * (limit - len("search="))
    over_limit = at_limit + "a"

    # The length check passes; the value is then too long for the search filter itself.
    error = assert_error(api.get(f"{CUSTOMERS}?{at_limit}"), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"search"}
    assert_error(api.get(f"{CUSTOMERS}?{over_limit}"), 414, "URI_TOO_LONG")


@pytest.mark.parametrize("parameter", TEXT_FILTERS)
def test_filter_value_over_200_characters_is_a_validation_error_naming_the_parameter(api, account, parameter):
    CustomerFactory(account=account)

    error = assert_error(api.get(CUSTOMERS, {parameter: "7" * 201}), 400, "VALIDATION_ERROR")

    assert error["details"] == {parameter: "At most 200 characters."}


@pytest.mark.parametrize("parameter", TEXT_FILTERS)
def test_filter_value_of_exactly_200_characters_is_accepted(api, account, parameter):
    CustomerFactory(account=account)

    data = assert_success(api.get(CUSTOMERS, {parameter: "7" * 200}))

    assert data["customers"] == []


def test_long_non_ascii_filter_value_counts_characters_not_bytes(api, account):
    CustomerFactory(account=account, legal_name="Ñ" * 150)

    assert len(assert_success(api.get(CUSTOMERS, {"legal_name": "ñ" * 150}))["customers"]) == 1
    error = assert_error(api.get(CUSTOMERS, {"legal_name": "ñ" * 201}), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"legal_name"}


# --- SQL, LIKE and regex metacharacters -----------------------------------------------------------------


@pytest.fixture
def metachar_customers(account):
    """One customer per metacharacter, holding it in every text column; plus one holding none. The NIF,
    phone and email are not valid ones: they are written as a careless import might, straight to the
    database, which is exactly what the filters must still match literally."""
    created = {}
    for index, needle in enumerate(METACHARACTERS):
        slug = f"m{index}"
        created[needle] = CustomerFactory(
            account=account,
            legal_name=f"Empresa {needle} {slug}",
            email=f"{slug}{needle}x@example.es",
            # Stored as the API stores a NIF: upper case, without dashes, dots or spaces.
            nif=f"B{index}{needle.upper().replace('-', '').replace('.', '')}9",
            phone=f"+3460000000{index}",
            city=f"Ciudad {needle}",
            province=needle,
        )
    created[None] = CustomerFactory(
        account=account,
        legal_name="Sin Metacaracteres SL",
        email="limpio@example.es",
        nif="B12345674",
        phone="+34911111111",
        city="Madrid",
        province="Madrid",
    )
    # Another account's customer holding every metacharacter at once: a wildcard leak would list it.
    CustomerFactory(
        legal_name="Ajena " + "".join(METACHARACTERS),
        email="ajena" + "".join(METACHARACTERS) + "@example.es",
        nif="B" + "".join(METACHARACTERS).upper(),
        city="".join(METACHARACTERS),
        province="".join(METACHARACTERS),
    )
    return created


@pytest.mark.parametrize("parameter", ["search", "legal_name", "email"])
@pytest.mark.parametrize("needle", METACHARACTERS)
def test_metacharacters_in_partial_text_filters_match_literally(api, metachar_customers, parameter, needle):
    assert listed_names(api, **{parameter: needle}) == [metachar_customers[needle].legal_name]


@pytest.mark.parametrize(
    ("needle", "stored_fragment"),
    [
        ("%", "%"),
        ("_", "_"),
        ("\\", "\\"),
        ("'", "'"),
        ('"', '"'),
        (";--", ";"),  # the NIF filter ignores dashes (and dots and spaces)
        (".*", "*"),
        ("[a-z]", "[AZ]"),
    ],
)
def test_metacharacters_in_nif_filter_match_literally(api, metachar_customers, needle, stored_fragment):
    expected = [c.legal_name for c in metachar_customers.values() if stored_fragment in c.nif]
    assert len(expected) == 1

    assert listed_names(api, nif=needle) == expected


@pytest.mark.parametrize("parameter", ["city", "province"])
@pytest.mark.parametrize("needle", METACHARACTERS)
def test_metacharacters_in_whole_value_filters_match_only_that_exact_value(api, metachar_customers, parameter, needle):
    customer = metachar_customers[needle]

    assert listed_names(api, **{parameter: getattr(customer, parameter)}) == [customer.legal_name]


@pytest.mark.parametrize("needle", METACHARACTERS)
def test_city_filter_never_treats_metacharacters_as_a_pattern(api, metachar_customers, needle):
    # No city is exactly the bare metacharacter: a LIKE, GLOB or regex reading would list many.
    assert listed_names(api, city=needle) == []


@pytest.mark.parametrize("needle", METACHARACTERS)
def test_phone_filter_of_metacharacters_only_matches_nothing(api, metachar_customers, needle):
    assert listed_names(api, phone=needle) == []


@pytest.mark.parametrize("parameter", CUSTOMER_LIST_PARAMS)
@pytest.mark.parametrize(
    "value",
    [*METACHARACTERS, "' OR '1'='1", "'; DROP TABLE customers_customer;--", "%' OR 1=1 --", "(?i).*", "\\%\\_"],
)
def test_injection_attempts_in_any_customer_list_parameter_never_fail_the_server(
    api, metachar_customers, parameter, value
):
    total_before = Customer.objects.count()

    body = assert_not_server_error(api.get(CUSTOMERS, {parameter: value}))

    if body["success"]:
        # Whatever matched, it was never the wildcard "everything".
        assert body["data"]["pagination"]["total_items"] < len(metachar_customers)
    else:
        assert body["error"]["code"] == "VALIDATION_ERROR"
        assert set(body["error"]["details"]) == {parameter}
    assert Customer.objects.count() == total_before


@pytest.mark.parametrize("parameter", INVOICE_LIST_PARAMS)
@pytest.mark.parametrize("value", [*METACHARACTERS, "' OR '1'='1"])
def test_injection_attempts_in_any_invoice_list_parameter_are_validation_errors(api, account, parameter, value):
    InvoiceFactory(customer=CustomerFactory(account=account))

    error = assert_error(api.get(INVOICES, {parameter: value}), 400, "VALIDATION_ERROR")

    assert set(error["details"]) == {parameter}


@pytest.mark.parametrize("value", [*METACHARACTERS, "' OR '1'='1", "1;DELETE FROM customers_customer"])
def test_injection_attempts_as_path_ids_are_validation_errors(api, account, value):
    CustomerFactory(account=account)
    before = database_state()

    for response in (
        api.get(customer_url(quote(value, safe=""))),
        api.delete(customer_url(quote(value, safe=""))),
        api.get(f"{INVOICES}/{quote(value, safe='')}"),
    ):
        assert_not_server_error(response)
        assert response.status_code in (400, 404), response.content
    assert database_state() == before


def test_metacharacters_in_json_values_are_stored_and_returned_verbatim(api, account):
    name = "O'Brien \"100%\" _x_ \\ ;-- .* [a-z] '; DROP TABLE customers_customer;--"
    response = api.post(
        CUSTOMERS,
        valid_customer_body(legal_name=name, address={"city": "L'Hospitalet", "province": "Barcelona"}),
        format="json",
    )

    data = assert_success(response, 201)
    assert data["legal_name"] == name
    stored = Customer.objects.get(pk=data["id"])
    assert stored.legal_name == name
    assert stored.city == "L'Hospitalet"
    assert listed_names(api, legal_name='"100%" _x_ \\ ;--') == [name]


# --- NUL bytes and invalid UTF-8 ------------------------------------------------------------------------


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
        # An unknown field's name is echoed with its control characters escaped.
        ({**valid_customer_body(), "legal_name\x00": "x"}, "legal_name\\x00"),
    ],
)
def test_nul_byte_in_a_json_value_on_create_is_a_validation_error_and_writes_nothing(api, account, body, field):
    before = database_state()

    error = assert_error(api.post(CUSTOMERS, body, format="json"), 400, "VALIDATION_ERROR")

    assert field in error["details"], error
    assert database_state() == before


@pytest.mark.parametrize("field", ["legal_name", "nif", "email", "phone"])
def test_nul_byte_in_a_json_value_on_update_is_a_validation_error_and_changes_nothing(api, account, field):
    customer = CustomerFactory(account=account)
    before = database_state()

    response = api.patch(customer_url(customer.pk), {field: "x\x00y"}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in error["details"]
    assert database_state() == before


@pytest.mark.parametrize("field", ["customer_id", "series", "currency", "issue_date", "subtotal"])
def test_nul_byte_in_a_json_value_on_invoice_create_is_a_validation_error_and_writes_nothing(api, account, field):
    customer = CustomerFactory(account=account)
    body = {"customer_id": str(customer.pk), "series": "A", "currency": "EUR"}
    body[field] = f"{body.get(field, '1')}\x00"
    before = database_state()

    error = assert_error(api.post(INVOICES, body, format="json"), 400, "VALIDATION_ERROR")

    assert field in error["details"]
    assert database_state() == before


@pytest.mark.parametrize("json_text", ['{"legal_name": "\\ud800"}', '{"\\udfff": "x"}'])
def test_lone_surrogate_escape_in_a_json_body_is_a_clean_400(api, account, json_text):
    before = database_state()

    response = api.post(CUSTOMERS, json_text, content_type="application/json")

    assert_not_server_error(response)
    assert response.status_code == 400
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
def test_invalid_utf8_in_a_json_body_is_a_bad_request_and_writes_nothing(api, account, raw_body):
    customer = CustomerFactory(account=account)
    before = database_state()

    create = api.post(CUSTOMERS, raw_body, content_type="application/json")
    update = api.patch(customer_url(customer.pk), raw_body, content_type="application/json")

    assert_error(create, 400, "BAD_REQUEST")
    assert_error(update, 400, "BAD_REQUEST")
    assert database_state() == before


# --- oversized bodies and broken Content-Length ---------------------------------------------------------


def test_body_over_one_mebibyte_by_default_is_payload_too_large_and_writes_nothing(api, account):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    body = json.dumps(valid_customer_body(legal_name="x" * (1024 * 1024)))
    before = database_state()

    error = assert_error(api.post(CUSTOMERS, body, content_type="application/json"), 413, "PAYLOAD_TOO_LARGE")

    assert str(1024 * 1024) in error["message"]
    assert database_state() == before


@pytest.mark.parametrize("method", ["post", "patch"])
def test_body_over_a_lowered_limit_is_payload_too_large_on_every_write(api, account, settings, method):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 512
    customer = CustomerFactory(account=account)
    body = json.dumps(valid_customer_body(legal_name="y" * 600))
    before = database_state()

    path = CUSTOMERS if method == "post" else customer_url(customer.pk)
    response = getattr(api, method)(path, body, content_type="application/json")

    error = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert "512" in error["message"]
    assert database_state() == before


def test_invoice_body_over_the_limit_is_payload_too_large_and_numbers_nothing(api, account, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256
    customer = CustomerFactory(account=account)
    body = json.dumps({"customer_id": str(customer.pk), "series": "A", "padding": " " * 300})
    before = database_state()

    assert_error(api.post(INVOICES, body, content_type="application/json"), 413, "PAYLOAD_TOO_LARGE")

    assert database_state() == before


def test_body_exactly_at_the_limit_is_read(api, account, settings):
    body = json.dumps(valid_customer_body())
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body)

    assert_success(api.post(CUSTOMERS, body, content_type="application/json"), 201)
    assert Customer.objects.filter(account=account, nif="12345678Z").count() == 1


def test_payload_too_large_is_answered_before_authentication(anonymous_client, account, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    before = database_state()

    response = anonymous_client.post(CUSTOMERS, json.dumps({"legal_name": "z" * 100}), content_type="application/json")

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert database_state() == before


@pytest.mark.parametrize("content_length", ["abc", "12abc", "1.5", "-1", "0x10", " ", "\uff11\uff12"])
def test_non_numeric_content_length_is_never_a_server_error_and_writes_nothing(api, account, content_length):
    before = database_state()
    body = json.dumps(valid_customer_body())

    response = api.post(CUSTOMERS, body, content_type="application/json", CONTENT_LENGTH=content_length)

    assert_not_server_error(response)
    assert response.status_code == 400
    assert database_state() == before


def test_content_length_beyond_any_integer_type_is_payload_too_large(api, account):
    before = database_state()

    response = api.post(CUSTOMERS, "{}", content_type="application/json", CONTENT_LENGTH="9" * 40)

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert database_state() == before


# --- content types and Accept ---------------------------------------------------------------------------


def wrong_content_type_request(content_type: str, body: dict) -> dict:
    """Keyword arguments for APIClient.generic sending `body` as `content_type`."""
    flat = {key: value for key, value in body.items() if not isinstance(value, dict)}
    if content_type == "multipart/form-data":
        boundary = "BoUnDaRy"
        data = encode_multipart(boundary, flat)
        return {"data": data, "content_type": f"multipart/form-data; boundary={boundary}"}
    if content_type == "application/x-www-form-urlencoded":
        return {"data": urlencode(flat), "content_type": content_type}
    if content_type == "application/xml":
        fields = "".join(f"<{key}>{value}</{key}>" for key, value in flat.items())
        return {"data": f"<request>{fields}</request>", "content_type": content_type}
    # text/plain, octet-stream or no type at all, with a perfectly good JSON document as the body.
    return {"data": json.dumps(body), "content_type": content_type}


WRONG_CONTENT_TYPES = [
    "text/plain",
    "application/xml",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "",
]


@pytest.mark.parametrize("content_type", WRONG_CONTENT_TYPES)
@pytest.mark.parametrize("endpoint", ["create customer", "update customer", "create invoice"])
def test_wrong_content_type_on_a_write_is_unsupported_media_type_and_writes_nothing(
    api, account, content_type, endpoint
):
    customer = CustomerFactory(account=account)
    if endpoint == "create customer":
        method, path, body = "POST", CUSTOMERS, valid_customer_body()
    elif endpoint == "update customer":
        method, path, body = "PATCH", customer_url(customer.pk), {"legal_name": "Cambiado SL"}
    else:
        method, path, body = "POST", INVOICES, {"customer_id": str(customer.pk)}
    before = database_state()

    response = api.generic(method, path, **wrong_content_type_request(content_type, body))

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert database_state() == before


@pytest.mark.parametrize(
    "accept",
    ["text/html", "application/xml", "text/html, application/xhtml+xml, application/xml;q=0.9", "image/png"],
)
@pytest.mark.parametrize(
    "request_kind",
    [
        "list",
        "detail",
        "create",
        "bulk",
        "invoices",
        "unknown route",
        "no credentials",
        "unknown customer",
        "schema",
    ],
)
def test_accept_without_json_gets_406_in_the_envelope_never_html_and_writes_nothing(
    api, anonymous_client, account, accept, request_kind
):
    customer = CustomerFactory(account=account)
    calls = {
        "list": lambda: api.get(CUSTOMERS, HTTP_ACCEPT=accept),
        "detail": lambda: api.get(customer_url(customer.pk), HTTP_ACCEPT=accept),
        "create": lambda: api.post(CUSTOMERS, valid_customer_body(), format="json", HTTP_ACCEPT=accept),
        "bulk": lambda: api.delete(f"{BULK}?ids={customer.pk}", HTTP_ACCEPT=accept),
        "invoices": lambda: api.get(INVOICES, HTTP_ACCEPT=accept),
        "unknown route": lambda: api.get("/api/v1/no-such-thing", HTTP_ACCEPT=accept),
        "no credentials": lambda: anonymous_client.get(CUSTOMERS, HTTP_ACCEPT=accept),
        "unknown customer": lambda: api.get(customer_url(uuid.uuid4()), HTTP_ACCEPT=accept),
        "schema": lambda: anonymous_client.get("/api/v1/schema", HTTP_ACCEPT=accept),
    }
    before = database_state()

    response = calls[request_kind]()

    assert_error(response, 406, "NOT_ACCEPTABLE")
    assert database_state() == before


@pytest.mark.parametrize(
    "accept", ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", "application/*"]
)
def test_browser_accept_header_with_a_wildcard_gets_json(api, account, accept):
    CustomerFactory(account=account)

    data = assert_success(api.get(CUSTOMERS, HTTP_ACCEPT=accept))

    assert len(data["customers"]) == 1


def test_accept_html_on_a_refused_oversized_query_still_gets_json(api, account):
    response = api.get(f"{CUSTOMERS}?search={'a' * 9000}", HTTP_ACCEPT="text/html")

    assert_error(response, 414, "URI_TOO_LONG")


def test_accept_html_on_an_unhandled_error_still_gets_json_not_a_debug_page(api, account, monkeypatch, settings):
    settings.DEBUG = True

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(customer_views.services, "get_customer", explode)
    response = api.get(customer_url(uuid.uuid4()), HTTP_ACCEPT="application/json, text/html")

    assert_error(response, 500, "INTERNAL_ERROR")


# --- another account's ids ------------------------------------------------------------------------------


@pytest.fixture
def stranger(db):
    """Another account with an active customer, an inactive one and one with an invoice."""
    account = AccountFactory()
    return SimpleNamespace(
        account=account,
        active=CustomerFactory(account=account, legal_name="Ajena Activa SL"),
        inactive=CustomerFactory(
            account=account, legal_name="Ajena Inactiva SL", active=False, deactivated_at=timezone.now()
        ),
        invoice=InvoiceFactory(customer=CustomerFactory(account=account, legal_name="Ajena Facturada SL")),
    )


def rows_of(account) -> dict:
    return {
        "customers": sorted(Customer.objects.filter(account=account).values(), key=lambda row: str(row["id"])),
        "invoices": sorted(Invoice.objects.filter(account=account).values(), key=lambda row: str(row["id"])),
        "audit_entries": list(AuditEntry.objects.filter(customer__account=account).order_by("pk").values()),
        "counters": list(InvoiceSeriesCounter.objects.filter(account=account).values()),
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/customers/{active}", None),
        ("get", "/api/v1/customers/{inactive}", None),
        ("patch", "/api/v1/customers/{active}", {"legal_name": "Secuestrada SL"}),
        ("patch", "/api/v1/customers/{inactive}", {"nif": "B12345674"}),
        ("delete", "/api/v1/customers/{active}", None),
        ("delete", "/api/v1/customers/{invoiced}", None),
        ("post", "/api/v1/customers/{inactive}/reactivate", None),
        ("post", "/api/v1/customers/{active}/reactivate", None),
        ("get", "/api/v1/invoices/{invoice}", None),
    ],
)
def test_another_accounts_id_is_not_found_and_its_rows_are_unchanged(api, account, stranger, method, path, body):
    ids = {
        "active": stranger.active.pk,
        "inactive": stranger.inactive.pk,
        "invoiced": stranger.invoice.customer_id,
        "invoice": stranger.invoice.pk,
    }
    theirs = rows_of(stranger.account)
    kwargs = {"format": "json"} if body is not None else {}

    response = getattr(api, method)(path.format(**ids), body, **kwargs)

    error = assert_error(response, 404, "NOT_FOUND")
    assert "details" not in error
    assert rows_of(stranger.account) == theirs


def test_another_accounts_id_gets_the_same_404_as_an_id_that_does_not_exist(api, account, stranger):
    foreign = assert_error(api.get(customer_url(stranger.active.pk)), 404, "NOT_FOUND")
    missing = assert_error(api.get(customer_url(uuid.uuid4())), 404, "NOT_FOUND")
    assert foreign == missing

    foreign_invoice = assert_error(api.get(f"{INVOICES}/{stranger.invoice.pk}"), 404, "NOT_FOUND")
    missing_invoice = assert_error(api.get(f"{INVOICES}/{uuid.uuid4()}"), 404, "NOT_FOUND")
    assert foreign_invoice == missing_invoice


def test_bulk_deactivation_reports_another_accounts_ids_not_found_and_leaves_them_alone(api, account, stranger):
    own = CustomerFactory(account=account)
    theirs = rows_of(stranger.account)
    foreign_ids = [str(stranger.active.pk), str(stranger.invoice.customer_id), str(stranger.inactive.pk)]

    data = assert_success(api.delete(f"{BULK}?ids={','.join([*foreign_ids, str(own.pk)])}"))

    assert data["deactivated_ids"] == [str(own.pk)]
    assert [(entry["customer_id"], entry["error"]["code"]) for entry in data["errors"]] == [
        (customer_id, "NOT_FOUND") for customer_id in foreign_ids
    ]
    assert rows_of(stranger.account) == theirs
    assert Customer.objects.get(pk=own.pk).active is False


def test_invoice_for_another_accounts_customer_is_not_found_and_creates_nothing(api, account, stranger):
    theirs = rows_of(stranger.account)
    before = database_state()

    response = api.post(INVOICES, {"customer_id": str(stranger.active.pk)}, format="json")

    assert_error(response, 404, "NOT_FOUND")
    assert rows_of(stranger.account) == theirs
    assert database_state() == before
    assert not Invoice.objects.filter(account=account).exists()


def test_invoice_list_filtered_by_another_accounts_customer_is_empty(api, account, stranger):
    InvoiceFactory(customer=CustomerFactory(account=account))

    data = assert_success(api.get(INVOICES, {"customer_id": str(stranger.invoice.customer_id)}))

    assert data["invoices"] == []
    assert data["pagination"]["total_items"] == 0
    assert data["pagination"]["total_pages"] == 0


def test_customer_list_never_shows_another_accounts_customers_whatever_the_filter(api, account, stranger):
    CustomerFactory(account=account, legal_name="Propia SL")

    assert listed_names(api) == ["Propia SL"]
    assert listed_names(api, search="Ajena") == []
    assert listed_names(api, nif=stranger.active.nif) == []


# --- revoked and forged keys ----------------------------------------------------------------------------


def revoke_with_model(api_key) -> None:
    APIKey.objects.get(pk=api_key.pk).revoke()  # a fresh instance, as the admin would


def revoke_with_command(api_key) -> None:
    call_command("revokeapikey", api_key.display_prefix, stdout=io.StringIO())


@pytest.mark.parametrize("revoke", [revoke_with_model, revoke_with_command], ids=["APIKey.revoke", "revokeapikey"])
def test_key_revoked_during_a_session_is_refused_on_the_very_next_request(client_for, api_key, account, revoke):
    customer = CustomerFactory(account=account)
    session = client_for(api_key)
    assert_success(session.get(CUSTOMERS))
    assert_success(session.get(customer_url(customer.pk)))

    revoke(api_key)
    before = database_state()

    error = assert_error(session.get(CUSTOMERS), 401, "UNAUTHORIZED")
    assert "revoked" in error["message"]
    assert_error(session.delete(customer_url(customer.pk)), 401, "UNAUTHORIZED")
    assert_error(session.post(CUSTOMERS, valid_customer_body(), format="json"), 401, "UNAUTHORIZED")
    assert database_state() == before
    assert Customer.objects.get(pk=customer.pk).active is True


def test_other_keys_of_the_account_keep_working_after_one_is_revoked(client_for, api_key, account):
    other = APIKeyFactory(account=account)
    revoke_with_model(api_key)

    assert_error(client_for(api_key).get(CUSTOMERS), 401, "UNAUTHORIZED")
    assert_success(client_for(other).get(CUSTOMERS))


def split_key(api_key) -> tuple[str, str]:
    """(everything up to and including the stored lookup prefix, the secret rest that is never stored)."""
    end = api_key.raw_key.index(api_key.prefix) + len(api_key.prefix)
    return api_key.raw_key[:end], api_key.raw_key[end:]


def forge_secret(api_key) -> str:
    """The same lookup prefix with a different secret of the same length."""
    head, tail = split_key(api_key)
    return head + "".join("A" if char != "A" else "B" for char in tail)


def unknown_key_like(api_key) -> str:
    """A well-formed key of the same shape whose lookup prefix matches no stored key."""
    head, tail = split_key(api_key)
    marker = head[: -len(api_key.prefix)]
    while True:
        prefix = secrets.token_urlsafe(16)[: len(api_key.prefix)]
        if not APIKey.objects.filter(prefix=prefix).exists():
            return marker + prefix + tail


def test_right_prefix_with_wrong_secret_is_refused_exactly_like_an_unknown_key(client_for, api_key):
    forged = forge_secret(api_key)
    unknown = unknown_key_like(api_key)
    assert forged != api_key.raw_key and len(forged) == len(api_key.raw_key)

    forged_response = client_for(forged).get(CUSTOMERS)
    unknown_response = client_for(unknown).get(CUSTOMERS)

    forged_error = assert_error(forged_response, 401, "UNAUTHORIZED")
    unknown_error = assert_error(unknown_response, 401, "UNAUTHORIZED")
    assert forged_error == unknown_error
    assert forged_response["WWW-Authenticate"] == unknown_response["WWW-Authenticate"]
    assert forged_response.content.split(b'"meta"')[0] == unknown_response.content.split(b'"meta"')[0]


def test_wrong_secret_does_not_mark_the_key_as_used(client_for, api_key):
    assert_error(client_for(forge_secret(api_key)).get(CUSTOMERS), 401, "UNAUTHORIZED")

    assert APIKey.objects.get(pk=api_key.pk).last_used_at is None


@pytest.fixture
def compare_digest_calls(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        result = real(a, b)
        calls.append((a, b, result))
        return result

    monkeypatch.setattr(apikeys.models.hmac, "compare_digest", spy)
    return calls


def test_key_secret_is_checked_with_hmac_compare_digest(client_for, api_key, compare_digest_calls):
    stored = APIKey.objects.get(pk=api_key.pk).secret_hash
    forged = forge_secret(api_key)

    assert_success(client_for(api_key).get(CUSTOMERS))
    assert_error(client_for(forged).get(CUSTOMERS), 401, "UNAUTHORIZED")

    comparisons = [call for call in compare_digest_calls if stored in call[:2]]
    assert [sorted(call[:2]) for call in comparisons] == [
        sorted([stored, hash_key(api_key.raw_key)]),
        sorted([stored, hash_key(forged)]),
    ]
    assert [call[2] for call in comparisons] == [True, False]


# --- structured logs ------------------------------------------------------------------------------------


def access_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "beel.access"]


def assert_access_record(record, response, *, method: str, path: str, api_key) -> None:
    assert record.levelno == logging.INFO
    assert record.request_id == response["X-Request-ID"]
    assert record.method == method
    assert record.path == path
    assert record.status == response.status_code
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    assert record.api_key == api_key


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", CUSTOMERS, {}, 200),
        ("post", CUSTOMERS, {"data": valid_customer_body(), "format": "json"}, 201),
        ("get", f"{CUSTOMERS}/{uuid.UUID(int=1)}", {}, 404),
        ("get", f"{CUSTOMERS}/not-a-uuid", {}, 400),
        ("get", "/api/v1/no-such-thing", {}, 404),  # no credentials are checked there
        ("post", CUSTOMERS, {"data": "x", "content_type": "text/plain"}, 415),
        ("get", f"{CUSTOMERS}?search={'a' * 9000}", {}, 414),
        ("delete", f"{BULK}?ids={uuid.UUID(int=2)}", {}, 200),
    ],
)
def test_each_api_request_logs_exactly_one_access_line_with_its_request_id(
    api, api_key, account, caplog, method, path, kwargs, status
):
    with caplog.at_level(logging.INFO, logger="beel.access"):
        response = getattr(api, method)(path, **kwargs)

    assert response.status_code == status, response.content[:300]
    [record] = access_records(caplog)
    # The middleware refuses oversized requests before authentication, and unknown routes check no
    # credentials: an unverified key is never logged as if it were the caller.
    expected_key = None if status == 414 or "no-such-thing" in path else api_key.display_prefix
    assert_access_record(record, response, method=method.upper(), path=path.split("?")[0], api_key=expected_key)
    assert record.getMessage().startswith(f"{method.upper()} {path.split('?')[0]} {status} ")


def test_a_session_of_requests_logs_one_line_each_in_order(api, api_key, account, caplog):
    customer = CustomerFactory(account=account)
    with caplog.at_level(logging.INFO, logger="beel.access"):
        responses = [
            api.get(CUSTOMERS),
            api.get(customer_url(customer.pk)),
            api.patch(customer_url(customer.pk), {"legal_name": "Renombrada SL"}, format="json"),
            api.delete(customer_url(customer.pk)),
        ]

    records = access_records(caplog)
    assert [record.request_id for record in records] == [response["X-Request-ID"] for response in responses]
    assert len({record.request_id for record in records}) == 4
    assert [record.status for record in records] == [200, 200, 200, 200]
    assert [record.method for record in records] == ["GET", "GET", "PATCH", "DELETE"]
    assert all(record.api_key == api_key.display_prefix for record in records)


def test_access_line_reuses_a_well_formed_incoming_request_id(api, caplog):
    incoming = uuid.uuid4().hex
    with caplog.at_level(logging.INFO, logger="beel.access"):
        response = api.get(CUSTOMERS, HTTP_X_REQUEST_ID=incoming)

    [record] = access_records(caplog)
    assert record.request_id == incoming == response["X-Request-ID"]


def test_access_line_shows_the_keys_display_prefix(api, api_key, caplog):
    with caplog.at_level(logging.INFO, logger="beel.access"):
        api.get(CUSTOMERS)

    [record] = access_records(caplog)
    head, secret = split_key(api_key)
    assert record.api_key == api_key.display_prefix
    assert record.api_key.rstrip("…") == head
    assert secret not in record.api_key


@pytest.mark.parametrize(
    "credentials",
    ["none", "unknown key", "wrong secret", "revoked key", "malformed header"],
)
def test_refused_requests_are_logged_with_api_key_none(client_for, anonymous_client, api_key, caplog, credentials):
    if credentials == "none":
        client = anonymous_client
    elif credentials == "unknown key":
        client = client_for(unknown_key_like(api_key))
    elif credentials == "wrong secret":
        client = client_for(forge_secret(api_key))
    elif credentials == "revoked key":
        revoke_with_model(api_key)
        client = client_for(api_key)
    else:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key.raw_key}")

    with caplog.at_level(logging.INFO, logger="beel.access"):
        response = client.get(CUSTOMERS)

    assert response.status_code == 401
    [record] = access_records(caplog)
    assert_access_record(record, response, method="GET", path=CUSTOMERS, api_key=None)


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def every_log_record():
    """Every record at every level, including Django's request logger that does not propagate."""
    collector = _Collector()
    loggers = [logging.getLogger(), logging.getLogger("django.request"), logging.getLogger("django.server")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(collector)
        logger.setLevel(logging.DEBUG)
    try:
        yield collector.records
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(collector)
            logger.setLevel(level)


def record_texts(record: logging.LogRecord):
    yield record.getMessage()
    for value in vars(record).values():
        yield str(value)
        yield repr(value)
    yield JSONFormatter().format(record)
    yield logging.Formatter("%(message)s %(request_id)s").format(record) if hasattr(record, "request_id") else ""


def test_raw_keys_never_appear_in_any_log_record(client_for, api_key, account, monkeypatch):
    customer = CustomerFactory(account=account)
    other = APIKeyFactory(account=account, scopes=["invoices:read"])
    forged = forge_secret(api_key)

    def explode(**kwargs):
        raise RuntimeError("boom")

    with every_log_record() as records:
        session = client_for(api_key)
        session.get(CUSTOMERS)
        session.get(customer_url(customer.pk))
        session.post(CUSTOMERS, {"legal_name": ""}, format="json")
        session.post(CUSTOMERS, "x", content_type="text/plain")
        session.get(f"{CUSTOMERS}?search={'a' * 9000}")
        client_for(other).get(CUSTOMERS)  # 403
        client_for(forged).get(CUSTOMERS)  # 401
        client_for(api_key.raw_key + "x").get(CUSTOMERS)  # 401, the real key with a character more
        monkeypatch.setattr(customer_views.services, "get_customer", explode)
        session.get(customer_url(customer.pk))  # 500
        revoke_with_model(api_key)
        session.get(CUSTOMERS)  # 401, revoked

    assert len([record for record in records if record.name == "beel.access"]) == 10
    secret_tails = {split_key(api_key)[1], split_key(other)[1], forged[len(split_key(api_key)[0]) :]}
    for record in records:
        for text in record_texts(record):
            for secret in secret_tails:
                assert secret not in text, (record.name, record.getMessage())


def test_unhandled_error_is_logged_on_beel_api_at_error_with_the_response_request_id(api, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(customer_views.services, "get_customer", explode)
    with caplog.at_level(logging.INFO):
        response = api.get(customer_url(uuid.uuid4()))

    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert "database on fire" not in json.dumps(error)
    request_id = response["X-Request-ID"]
    errors = [record for record in caplog.records if record.name == "beel.api" and record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].request_id == request_id
    assert errors[0].exc_info is not None and isinstance(errors[0].exc_info[1], RuntimeError)
    [access] = access_records(caplog)
    assert (access.request_id, access.status) == (request_id, 500)


# --- the JSON log formatter -----------------------------------------------------------------------------


@contextmanager
def request_id_set(value: str):
    token = current_request_id.set(value)
    try:
        yield
    finally:
        current_request_id.reset(token)


def make_record(message="hello %s", args=("world",), level=logging.WARNING, exc_info=None, **extra):
    logger = logging.getLogger("beel.test")
    record = logger.makeRecord(logger.name, level, __file__, 1, message, args, exc_info, extra=extra or None)
    RequestIdFilter().filter(record)
    return record


def test_json_formatter_writes_one_object_with_the_standard_fields_and_the_extras():
    with request_id_set("a" * 32):
        record = make_record(method="GET", status=200, duration_ms=1.5, api_key=None, note="niño")

    line = JSONFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry == {
        "time": entry["time"],
        "level": "WARNING",
        "logger": "beel.test",
        "message": "hello world",
        "request_id": "a" * 32,
        "method": "GET",
        "status": 200,
        "duration_ms": 1.5,
        "api_key": None,
        "note": "niño",
    }
    moment = datetime.fromisoformat(entry["time"])
    assert moment.utcoffset().total_seconds() == 0
    assert abs((moment - timezone.now()).total_seconds()) < 60


def test_json_formatter_keeps_a_multiline_message_and_traceback_on_one_line():
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        record = make_record("failed:\n%s", ("details\r\nmore",), level=logging.ERROR, exc_info=sys.exc_info())

    line = JSONFormatter().format(record)

    assert "\n" not in line and "\r" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed:\ndetails\r\nmore"
    assert entry["level"] == "ERROR"
    assert "ValueError: first line\nsecond line" in entry["traceback"]


def test_json_formatter_renders_values_json_cannot_hold_as_text():
    record = make_record(customer_id=uuid.UUID(int=5), when=datetime(2025, 1, 15, 10, 30), payload={"a": {1, 2}})

    line = JSONFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["customer_id"] == str(uuid.UUID(int=5))
    assert isinstance(entry["when"], str) and entry["when"].startswith("2025-01-15")
    assert isinstance(entry["payload"]["a"], str)


def test_json_log_lines_of_real_requests_carry_the_request_id_and_access_fields(api, api_key, account, monkeypatch):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RequestIdFilter())
    beel_logger = logging.getLogger("beel")
    saved_level = beel_logger.level
    beel_logger.addHandler(handler)
    beel_logger.setLevel(logging.INFO)

    def explode(**kwargs):
        raise RuntimeError("kaput")

    try:
        ok = api.get(CUSTOMERS)
        monkeypatch.setattr(customer_views.services, "get_customer", explode)
        failed = api.get(customer_url(uuid.uuid4()))
    finally:
        beel_logger.removeHandler(handler)
        beel_logger.setLevel(saved_level)

    lines = stream.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 3  # access line, error line, access line
    first, error, second = entries
    for entry in entries:
        assert {"time", "level", "logger", "message", "request_id"} <= set(entry)
    assert first["logger"] == "beel.access" and first["level"] == "INFO"
    assert set(first) >= ACCESS_FIELDS
    assert first["request_id"] == ok["X-Request-ID"]
    assert (first["method"], first["path"], first["status"], first["api_key"]) == (
        "GET",
        CUSTOMERS,
        200,
        api_key.display_prefix,
    )
    assert error["logger"] == "beel.api" and error["level"] == "ERROR"
    assert error["request_id"] == failed["X-Request-ID"]
    assert "RuntimeError: kaput" in error["traceback"]
    assert second["request_id"] == failed["X-Request-ID"] and second["status"] == 500
    assert api_key.raw_key not in stream.getvalue()
