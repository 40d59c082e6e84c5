"""Abuse of the API through injection metacharacters (SQL strings and comments, LIKE wildcards and escapes,
regex and GLOB) in list filters, path ids and JSON values: they match literally or are refused, never run.

Every test checks the status, the envelope and what the database holds afterwards."""

from urllib.parse import quote

import pytest

from customers.models import Customer
from tests.api.abuse import (
    CUSTOMER_LIST_PARAMS,
    CUSTOMERS,
    INVOICE_LIST_PARAMS,
    INVOICES,
    METACHARACTERS,
    assert_not_server_error,
    customer_url,
    database_state,
    listed_names,
    valid_customer_body,
)
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


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
