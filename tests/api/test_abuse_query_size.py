"""Abuse of the API through the size of what it is asked: huge id lists, thousands of query parameters, query
strings past the URI limit and filter values past their length.

Every test checks the status, the envelope and what the database holds afterwards."""

import uuid
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings

from customers.models import Customer
from tests.api.abuse import (
    BULK,
    CUSTOMERS,
    TEXT_FILTERS,
    database_state,
)
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


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
    """1,001 `ids=` parameters fit in 7 KiB but exceed Django's DATA_UPLOAD_MAX_NUMBER_FIELDS."""
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
def test_list_query_string_longer_than_7_kib_is_uri_too_long(api, account, query):
    """7 KiB, so that with the path it fits the request line gunicorn reads (8190 bytes): tests/ops shows
    the app answers this 414 behind gunicorn."""
    CustomerFactory(account=account)
    assert settings.MAX_QUERY_STRING_LENGTH == 7168
    assert len(query) > 7168

    error = assert_error(api.get(f"{CUSTOMERS}?{query}"), 414, "URI_TOO_LONG")
    assert "7168" in error["message"]


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
