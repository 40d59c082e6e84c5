"""The rest of the customer record (issue #14) through every write of the API (POST, POST /bulk, PATCH, PUT)
and the admin: the alternative id and AEAT's rules for it, the address' country code, the billing details,
the payment method, metadata and its filter, and PUT's full-replace semantics."""

import pytest
from django.contrib import messages
from stdnum import iban as stdnum_iban

from customers.models import AuditEntry, Customer
from tests.admin_pages import change_form_data, customer_change_url, message_texts
from tests.customers.helpers import CUSTOMERS_URL, payload, url_of
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory, InvoiceFactory, valid_dni

pytestmark = pytest.mark.django_db

# Valid VAT numbers of several member states (each passes its country's checksum in python-stdnum).
VALID_VATS = [
    ("DE", "DE 136 695 976", "DE136695976"),
    ("FR", "FR40303265045", "FR40303265045"),
    ("PT", "501964843", "PT501964843"),
    ("IT", "IT00743110157", "IT00743110157"),
    ("NL", "NL004495445B01", "NL004495445B01"),
    ("GR", "EL094259216", "EL094259216"),
]
# The same numbers with their last digit changed: the checksum fails.
BROKEN_VATS = [
    ("DE", "DE136695977"),
    ("FR", "FR41303265045"),
    ("PT", "501964844"),
    ("IT", "IT00743110158"),
]
# Every combination AEAT refuses, with BeeL's code: with ES only PASSPORT (03) and NOT_REGISTERED (07); 07
# only with ES.
REFUSED_COMBINATIONS = [
    ("02", "ES", "ALTERNATIVE_ID_SPAIN_INVALID_TYPE"),
    ("04", "ES", "ALTERNATIVE_ID_SPAIN_INVALID_TYPE"),
    ("COUNTRY_ID", "ES", "ALTERNATIVE_ID_SPAIN_INVALID_TYPE"),
    ("05", "ES", "ALTERNATIVE_ID_SPAIN_INVALID_TYPE"),
    ("06", "ES", "ALTERNATIVE_ID_SPAIN_INVALID_TYPE"),
    ("07", "FR", "ALTERNATIVE_ID_REQUIRES_SPAIN"),
    ("NOT_REGISTERED", "US", "ALTERNATIVE_ID_REQUIRES_SPAIN"),
]
ALLOWED_COMBINATIONS = [
    ("03", "ES"),
    ("07", "ES"),
    ("PASSPORT", "US"),
    ("04", "MA"),
    ("RESIDENCE_CERTIFICATE", "FR"),
    ("06", "GB"),
]
# BeeL's names of AEAT's codes, as answers show them.
TYPE_NAMES = {
    "02": "NIF_IVA",
    "03": "PASSPORT",
    "04": "COUNTRY_ID",
    "05": "RESIDENCE_CERTIFICATE",
    "06": "OTHER_DOCUMENT",
    "07": "NOT_REGISTERED",
}
VALID_IBAN = "ES91 2100 0418 4502 0005 1332"
VALID_BIC = "CAIXESBBXXX"


def foreign(**overrides) -> dict:
    """A customer without a Spanish NIF: a French company with its VAT number."""
    body = {
        "legal_name": "Société Exemple SARL",
        "alternative_id": {"type": "02", "number": "FR40303265045", "country_code": "FR"},
        "address": {"city": "Paris", "country_code": "FR"},
    }
    body.update(overrides)
    return body


def alt(type_: str, country: str | None, number: str = "X1234567L") -> dict:
    # The default number is a valid NIE, which a NOT_REGISTERED id needs to be.
    return {"type": type_, "number": number, "country_code": country}


def shown(type_: str, country: str, number: str = "X1234567L") -> dict:
    """An alternative id as answers show it: its type by BeeL's name."""
    return {"type": TYPE_NAMES.get(type_, type_), "number": number, "country_code": country}


def names(details: dict, field: str) -> bool:
    """Whether the error details name the field, or an item of it (`billing_emails.0`), as a key of the flat
    map or as the `field` of a FieldDeserializationError (a wrong JSON type, a value outside an enum)."""
    if isinstance(details.get("field"), str) and "invalid_value" in details:
        return details["field"] == field or details["field"].startswith(f"{field}.")
    return any(key == field or key.startswith(f"{field}.") for key in details)


def refusal(response) -> dict:
    """BeeL 1.9.0: a value of the wrong JSON type is 400 INVALID_JSON_FORMAT, any other refused content 422
    VALIDATION_ERROR."""
    assert response.status_code in (400, 422), response.content
    return assert_error(
        response, response.status_code, "INVALID_JSON_FORMAT" if response.status_code == 400 else "VALIDATION_ERROR"
    )


def bulk(api, *items):
    return assert_success(api.post(f"{CUSTOMERS_URL}/bulk", {"customers": list(items)}, format="json"), 201)


def bulk_refused(api, *items) -> dict:
    """A bulk create refused whole (422 BULK_VALIDATION_ERROR): each problem by the item's index."""
    response = api.post(f"{CUSTOMERS_URL}/bulk", {"customers": list(items)}, format="json")
    return assert_error(response, 422, "BULK_VALIDATION_ERROR")


def full(**overrides) -> dict:
    """A PUT body: the whole record."""
    body = payload(
        trade_name="TechSol",
        email="admin@techsolutions.com",
        billing_emails=["facturas@techsolutions.com"],
        contact_person="Ana Ruiz",
        website="https://techsolutions.com",
        notes="Pays late in August.",
        general_discount=5,
        preferred_payment_method={
            "method": "BANK_TRANSFER",
            "iban": VALID_IBAN,
            "swift": VALID_BIC,
            "payment_term_days": 30,
        },
        metadata={"crm_id": "42"},
    )
    body.update(overrides)
    return body


# --- alternative id -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("country", "sent", "stored"), VALID_VATS)
def test_create_a_foreign_customer_with_an_eu_vat_number_stores_it_compact_with_its_prefix(api, country, sent, stored):
    body = foreign(alternative_id=alt("02", country.lower(), sent), address={"country_code": country})

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert data["nif"] is None
    assert data["alternative_id"] == {"type": "NIF_IVA", "number": stored, "country_code": country}
    customer = Customer.objects.get(pk=data["id"])
    assert (customer.nif, customer.alternative_id_type, customer.alternative_id_number) == ("", "02", stored)
    assert customer.alternative_id_country == country


@pytest.mark.parametrize(("country", "number"), BROKEN_VATS)
def test_an_eu_vat_number_with_a_wrong_checksum_is_422_and_writes_nothing(api, country, number):
    response = api.post(CUSTOMERS_URL, foreign(alternative_id=alt("02", country, number)), format="json")

    error = assert_error(response, 422, "ALTERNATIVE_ID_VAT_INVALID_FORMAT")
    assert "alternative_id" in error["details"]
    assert not Customer.objects.exists()


def test_type_02_outside_the_eu_is_422(api):
    response = api.post(CUSTOMERS_URL, foreign(alternative_id=alt("NIF_IVA", "US", "123456789")), format="json")

    assert_error(response, 422, "ALTERNATIVE_ID_VAT_REQUIRES_EU_COUNTRY")


def test_a_type_other_than_passport_or_not_registered_needs_a_country(api):
    response = api.post(CUSTOMERS_URL, foreign(alternative_id=alt("OTHER_DOCUMENT", None)), format="json")

    error = assert_error(response, 422, "ALTERNATIVE_ID_COUNTRY_REQUIRED")
    assert set(error["details"]) == {"alternative_id"}
    assert not Customer.objects.exists()


def test_a_passport_without_a_country_is_spanish(api):
    body = foreign(alternative_id={"type": "PASSPORT", "number": "PA123456"})

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert data["alternative_id"] == shown("03", "ES", "PA123456")


@pytest.mark.parametrize(
    ("number", "code"), [("PA123456", "RECIPIENT_UNREGISTERED_ID_MUST_BE_DNI_OR_NIE"), ("  ", "ALTERNATIVE_ID_INVALID")]
)
def test_a_not_registered_id_is_a_dni_or_nie_and_no_number_is_blank(api, number, code):
    response = api.post(CUSTOMERS_URL, foreign(alternative_id=alt("NOT_REGISTERED", "ES", number)), format="json")

    assert_error(response, 422, code)
    assert not Customer.objects.exists()


@pytest.mark.parametrize(("type_", "country", "code"), REFUSED_COMBINATIONS)
def test_every_refused_type_and_country_is_422_on_post(api, type_, country, code):
    error = assert_error(api.post(CUSTOMERS_URL, foreign(alternative_id=alt(type_, country)), format="json"), 422)

    assert error["code"] == code
    assert not Customer.objects.exists()


@pytest.mark.parametrize(("type_", "country", "code"), REFUSED_COMBINATIONS)
def test_every_refused_type_and_country_fails_its_item_of_a_bulk_create(api, type_, country, code):
    error = bulk_refused(api, foreign(alternative_id=alt(type_, country)), payload())

    assert {problem["index"] for problem in error["errors"]} == {0}
    assert error["errors"][0]["field"].startswith("alternative_id")
    assert not Customer.objects.exists()


@pytest.mark.parametrize(("type_", "country", "code"), REFUSED_COMBINATIONS)
def test_every_refused_type_and_country_is_422_on_patch_and_put(api, account, type_, country, code):
    customer = CustomerFactory(account=account)
    before = Customer.objects.values().get(pk=customer.pk)

    patched = api.patch(url_of(customer), {"nif": None, "alternative_id": alt(type_, country)}, format="json")
    put = api.put(url_of(customer), foreign(alternative_id=alt(type_, country)), format="json")

    assert_error(patched, 422, code)
    assert_error(put, 422, code)
    assert Customer.objects.values().get(pk=customer.pk) == before


@pytest.mark.parametrize(("type_", "country"), ALLOWED_COMBINATIONS)
def test_the_allowed_types_and_countries_are_created(api, type_, country):
    data = assert_success(api.post(CUSTOMERS_URL, foreign(alternative_id=alt(type_, country)), format="json"), 201)

    assert data["alternative_id"] == shown(type_, country)
    assert Customer.objects.get(pk=data["id"]).alternative_id_type in TYPE_NAMES


def test_a_customer_with_both_a_nif_and_an_alternative_id_is_422(api):
    body = payload(alternative_id=alt("03", "ES"))

    assert_error(api.post(CUSTOMERS_URL, body, format="json"), 422, "ALTERNATIVE_ID_INVALID")
    assert not Customer.objects.exists()


def test_a_customer_with_neither_a_nif_nor_an_alternative_id_is_422(api):
    error = assert_error(api.post(CUSTOMERS_URL, {"legal_name": "Sin Id SL"}, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"nif"}


def test_field_errors_come_before_the_rules_between_fields_so_a_bad_email_is_422(api):
    body = foreign(alternative_id=alt("07", "FR"), email="not-an-email")

    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 422, "VALIDATION_ERROR")

    assert set(error["details"]) == {"email"}
    assert not Customer.objects.exists()


def test_a_duplicate_alternative_id_among_active_customers_gets_the_nif_duplicate_code(api, account):
    CustomerFactory(
        account=account,
        nif="",
        alternative_id_type="02",
        alternative_id_number="FR40303265045",
        alternative_id_country="FR",
        country_code="FR",
    )

    error = assert_error(api.post(CUSTOMERS_URL, foreign(), format="json"), 409, "CLIENT_DUPLICATE")
    refused = bulk_refused(
        api, foreign(), foreign(alternative_id=alt("03", "FR", "P1")), foreign(alternative_id=alt("03", "FR", "P1"))
    )

    assert error["details"] == {}
    assert [(item["index"], item["field"]) for item in refused["errors"]] == [
        (0, "alternative_id"),
        (2, "alternative_id"),
    ]
    assert not Customer.objects.filter(alternative_id_number="P1").exists()


def test_a_deactivated_customer_frees_its_alternative_id_and_cannot_be_reactivated_while_it_is_taken(api, account):
    first = assert_success(api.post(CUSTOMERS_URL, foreign(), format="json"), 201)
    assert_success(api.delete(url_of(first["id"])))
    assert_success(api.post(CUSTOMERS_URL, foreign(), format="json"), 201)

    error = assert_error(api.post(f"{url_of(first['id'])}/reactivate"), 409, "CLIENT_DUPLICATE")

    assert error["details"] == {}
    assert Customer.objects.get(pk=first["id"]).active is False


def test_many_customers_without_a_nif_may_coexist(api):
    bulk(api, foreign(), foreign(alternative_id=alt("03", "US", "P2")))

    assert Customer.objects.filter(nif="", active=True).count() == 2


def test_patch_switches_a_customer_from_its_nif_to_an_alternative_id(api, account):
    customer = CustomerFactory(account=account)

    data = assert_success(
        api.patch(url_of(customer), {"nif": None, "alternative_id": alt("03", "ES", "pa-123 456")}, format="json")
    )

    assert data["nif"] is None and data["alternative_id"] == shown("03", "ES", "PA123456")
    customer.refresh_from_db()
    assert (customer.nif, customer.alternative_id_number) == ("", "PA123456")
    assert set(AuditEntry.objects.get(customer=customer, action="updated").changed_fields) == {
        "nif",
        "alternative_id_type",
        "alternative_id_number",
        "alternative_id_country",
    }


# --- country code ---------------------------------------------------------------------------------------


def test_country_code_is_upper_cased_and_gives_the_country_its_spanish_name(api):
    data = assert_success(
        api.post(CUSTOMERS_URL, foreign(address={"country_code": "de"}, alternative_id=alt("03", "DE")), format="json"),
        201,
    )

    assert (data["address"]["country_code"], data["address"]["country"]) == ("DE", "Alemania")


def test_a_country_name_alone_gives_its_code_and_an_unknown_one_is_refused(api):
    known = assert_success(
        api.post(CUSTOMERS_URL, payload(nif="PT501964843", address={"country": "Portugal"}), format="json"), 201
    )
    unknown = assert_error(
        api.post(CUSTOMERS_URL, payload(address={"country": "Narnia"}), format="json"), 422, "COUNTRY_CODE_REQUIRED"
    )

    assert known["address"]["country_code"] == "PT"
    assert set(unknown["details"]) == {"address.country"}


# 34: a JSON number sent for a string is read as its text, as BeeL does, and "34" names no country.
@pytest.mark.parametrize("code", ["XX", "E", "zz", 34])
def test_an_unknown_country_code_is_422_country_code_required(api, code):
    response = api.post(CUSTOMERS_URL, payload(address={"country_code": code}), format="json")

    assert "address.country_code" in assert_error(response, 422, "COUNTRY_CODE_REQUIRED")["details"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("code", ["ESP"])
def test_a_malformed_country_code_is_422(api, code):
    response = api.post(CUSTOMERS_URL, payload(address={"country_code": code}), format="json")

    assert "address.country_code" in assert_error(response, 422, "VALIDATION_ERROR")["details"]
    assert not Customer.objects.exists()


def test_a_country_and_a_country_code_naming_different_countries_is_422_mismatch(api):
    body = payload(nif="501964843", address={"country": "Portugal", "country_code": "FR"})

    error = assert_error(api.post(CUSTOMERS_URL, body, format="json"), 422, "COUNTRY_CODE_MISMATCH")

    assert set(error["details"]) == {"address.country_code"}
    assert not Customer.objects.exists()


def test_a_plain_espana_yields_to_a_foreign_country_code(api):
    body = payload(nif="501964843", address={"country": "España", "country_code": "PT"})

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert (data["address"]["country"], data["address"]["country_code"]) == ("Portugal", "PT")


def test_the_spanish_nif_check_and_the_phone_region_follow_the_country_code(api):
    # Not a valid Spanish NIF, but a Portuguese one; a number without prefix read as Portuguese.
    data = assert_success(
        api.post(
            CUSTOMERS_URL,
            payload(nif="501964843", phone="212 345 678", address={"country_code": "PT", "country": "Portugal"}),
            format="json",
        ),
        201,
    )
    spanish = api.post(CUSTOMERS_URL, payload(nif="501964843", address={"country_code": "ES"}), format="json")

    assert (data["nif"], data["phone"]) == ("501964843", "+351212345678")
    assert "nif" in assert_error(spanish, 422, "NIF_INVALID_FORMAT")["details"]


def test_patching_the_country_code_to_es_checks_the_stored_nif_again(api, account):
    customer = CustomerFactory(account=account, nif="PT501964843", country="Portugal", country_code="PT")

    error = assert_error(api.patch(url_of(customer), {"address": {"country_code": "ES"}}, format="json"), 422)

    assert set(error["details"]) == {"nif"}
    customer.refresh_from_db()
    assert (customer.country_code, customer.country) == ("PT", "Portugal")


# --- billing details, payment method, metadata ------------------------------------------------------------


def test_create_stores_the_billing_details_normalised(api):
    body = full(
        billing_emails=["Facturas@TechSolutions.com", "facturas@techsolutions.com", "otra@example.es"],
        preferred_payment_method={
            "method": "DIRECT_DEBIT",
            "iban": "es91 2100 0418 4502 0005 1332",
            "swift": "caixesbb",
        },
    )

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert data["billing_emails"] == ["facturas@techsolutions.com", "otra@example.es"]
    # BeeL's default term, 30 days, when none is sent.
    assert data["preferred_payment_method"] == {
        "method": "DIRECT_DEBIT",
        "iban": "ES9121000418450200051332",
        "swift": "CAIXESBB",
        "payment_term_days": 30,
    }
    assert (data["general_discount"], data["website"], data["trade_name"]) == (
        5,
        "https://techsolutions.com",
        "TechSol",
    )
    customer = Customer.objects.get(pk=data["id"])
    assert (customer.iban, customer.swift, customer.payment_method) == (
        "ES9121000418450200051332",
        "CAIXESBB",
        "DIRECT_DEBIT",
    )
    assert customer.billing_emails == ["facturas@techsolutions.com", "otra@example.es"]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"legal_name": " Espacio SL"}, "legal_name"),
        ({"legal_name": "x" * 121}, "legal_name"),
        ({"legal_name": ""}, "legal_name"),
        ({"trade_name": "x" * 121}, "trade_name"),
        ({"contact_person": "x" * 201}, "contact_person"),
        ({"billing_emails": ["no-es-email"]}, "billing_emails"),
        ({"billing_emails": [f"b{n}@example.es" for n in range(11)]}, "billing_emails"),
        ({"website": "ftp://techsolutions.com"}, "website"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "https://" + "x" * 248}, "website"),
        ({"general_discount": 100.01}, "general_discount"),
        ({"general_discount": -1}, "general_discount"),
        # A JSON number only: BeeL refuses a string for a number (it coerces only the other way).
        ({"general_discount": "10"}, "general_discount"),
        ({"general_discount": True}, "general_discount"),
        (
            {"preferred_payment_method": {"method": "CARD", "iban": "ES91 2100 0418 4502 0005 1333"}},
            "preferred_payment_method.iban",
        ),
        ({"preferred_payment_method": {"method": "CARD", "swift": "CAIX"}}, "preferred_payment_method.swift"),
        (
            {"preferred_payment_method": {"method": "CARD", "payment_term_days": 366}},
            "preferred_payment_method.payment_term_days",
        ),
        (
            {"preferred_payment_method": {"method": "CARD", "payment_term_days": -1}},
            "preferred_payment_method.payment_term_days",
        ),
        (
            {"preferred_payment_method": {"method": "CARD", "payment_term_days": "30"}},
            "preferred_payment_method.payment_term_days",
        ),
        ({"preferred_payment_method": {"method": "cheque"}}, "preferred_payment_method.method"),
        ({"preferred_payment_method": {"method": "transfer"}}, "preferred_payment_method.method"),
        # BANK_TRANSFER, sent or left out (its default), is the one method that needs an IBAN.
        ({"preferred_payment_method": {"method": "BANK_TRANSFER"}}, "preferred_payment_method.iban"),
        ({"preferred_payment_method": {"payment_term_days": 15}}, "preferred_payment_method.iban"),
        ({"metadata": {f"k{n}": "v" for n in range(51)}}, "metadata"),
        ({"metadata": {"k" * 41: "v"}}, "metadata"),
        ({"metadata": {"plan": "v" * 501}}, "metadata"),
        ({"metadata": {"plan": 3}}, "metadata"),
        ({"metadata": {"a[b]": "v"}}, "metadata"),
        ({"metadata": ["plan"]}, "metadata"),
    ],
)
def test_each_rule_of_the_record_is_refused_on_post_bulk_patch_and_put(api, account, override, field):
    customer = CustomerFactory(account=account)
    before = Customer.objects.values().get(pk=customer.pk)

    posted = refusal(api.post(CUSTOMERS_URL, full(**override), format="json"))
    refused = bulk_refused(api, full(**override))
    patched = refusal(api.patch(url_of(customer), override, format="json"))
    put = refusal(api.put(url_of(customer), full(**override), format="json"))

    in_bulk = {problem["field"]: problem["message"] for problem in refused["errors"]}
    for details in (posted["details"], patched["details"], put["details"], in_bulk):
        assert names(details, field), details
    assert Customer.objects.count() == 1
    assert Customer.objects.values().get(pk=customer.pk) == before


def test_the_limits_themselves_are_accepted(api):
    body = full(
        legal_name="x" * 120,
        general_discount=100,
        billing_emails=[f"b{n}@example.es" for n in range(10)],
        preferred_payment_method={"method": "CARD", "payment_term_days": 365},
        metadata={f"{n:040d}": "v" * 500 for n in range(50)},
    )

    data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)

    assert len(Customer.objects.get(pk=data["id"]).metadata) == 50


def test_iban_checksums_of_several_countries_are_accepted(api):
    for n, country in enumerate(["DE", "FR", "PT", "NL"]):
        number = stdnum_iban.calc_check_digits(f"{country}00" + "1" * 18)
        candidate = f"{country}{number}" + "1" * 18
        if not stdnum_iban.is_valid(candidate):
            continue  # not every country's IBAN has 22 characters
        body = full(nif=valid_dni(900 + n), preferred_payment_method={"method": "BANK_TRANSFER", "iban": candidate})
        assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)
    for sent in ["DE89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 606", "NL91 ABNA 0417 1643 00"]:
        body = full(nif=valid_dni(950 + len(sent)), preferred_payment_method={"method": "BANK_TRANSFER", "iban": sent})
        data = assert_success(api.post(CUSTOMERS_URL, body, format="json"), 201)
        assert data["preferred_payment_method"]["iban"] == sent.replace(" ", "")


# --- metadata filter ------------------------------------------------------------------------------------


def test_metadata_filter_keeps_the_customers_holding_every_pair(api, account, other_account):
    pro = CustomerFactory(account=account, metadata={"plan": "pro", "region": "norte"})
    CustomerFactory(account=account, metadata={"plan": "pro", "region": "sur"})
    CustomerFactory(account=account, metadata={"plan": "free"})
    CustomerFactory(account=other_account, metadata={"plan": "pro", "region": "norte"})

    both = assert_success(api.get(CUSTOMERS_URL, {"metadata[plan]": "pro", "metadata[region]": "norte"}))
    one = assert_success(api.get(CUSTOMERS_URL, {"metadata[plan]": "pro"}))
    odd_key = assert_success(api.get(CUSTOMERS_URL, {"metadata[a__b]": "x"}))

    assert [customer["id"] for customer in both["customers"]] == [str(pro.pk)]
    assert both["pagination"]["total_items"] == 1
    assert len(one["customers"]) == 2
    assert odd_key["customers"] == []


@pytest.mark.parametrize("name", ["metadata[]", "metadata[" + "k" * 41 + "]", "metadata[a[b]"])
def test_a_bad_metadata_filter_key_is_400_in_the_envelope(api, name):
    error = assert_error(api.get(CUSTOMERS_URL, {name: "x"}), 400, "VALIDATION_ERROR")

    assert name in error["details"]


# --- PUT ------------------------------------------------------------------------------------------------


def test_put_replaces_the_whole_record_and_resets_what_it_leaves_out(api, account):
    customer = CustomerFactory(
        account=account, trade_name="Vieja", metadata={"a": "b"}, notes="old", general_discount=10
    )

    data = assert_success(api.put(url_of(customer), payload(legal_name="Nueva SL"), format="json"))

    # BeeL's UpdateCustomerRequest: these seven are cleared when left out (trade_name not refilled)...
    assert data["legal_name"] == "Nueva SL"
    assert (data["trade_name"], data["email"], data["notes"], data["website"]) == (None, None, None, None)
    assert (data["billing_emails"], data["contact_person"], data["general_discount"]) == ([], None, 0)
    # ...and the rest is kept: the address, the phone, the payment method, beel's metadata.
    assert data["address"]["street"] == customer.street and data["phone"] == customer.phone
    assert data["metadata"] == {"a": "b"}
    customer.refresh_from_db()
    assert (customer.legal_name, customer.trade_name, customer.notes, customer.metadata) == (
        "Nueva SL",
        "",
        "",
        {"a": "b"},
    )
    assert customer.active is True


def test_put_keeps_the_payment_method_and_the_identity_it_does_not_send(api, account):
    customer = CustomerFactory(account=account, payment_method="CASH", payment_term_days=10)

    data = assert_success(api.put(url_of(customer), {"legal_name": "Nueva SL"}, format="json"))

    assert data["nif"] == customer.nif
    assert data["preferred_payment_method"] == {"method": "CASH", "iban": None, "swift": None, "payment_term_days": 10}


def test_a_customer_read_can_be_put_back_unchanged(api, account):
    # Every kind of value: an alternative id, a payment method without IBAN, floor and door, a discount.
    customer = CustomerFactory(
        account=account,
        nif="",
        alternative_id_type="02",
        alternative_id_number="FR40303265045",
        alternative_id_country="FR",
        country="Francia",
        country_code="FR",
        province="",
        floor="2",
        door="B",
        trade_name="",
        payment_method="BANK_TRANSFER",
        payment_term_days=None,
        general_discount="12.50",
        billing_emails=["f@example.fr"],
        metadata={"crm": "7"},
    )
    read = assert_success(api.get(url_of(customer)))
    before = Customer.objects.values().get(pk=customer.pk)
    entries = AuditEntry.objects.filter(customer=customer).count()

    written = assert_success(api.put(url_of(customer), read, format="json"))

    assert written == read
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert AuditEntry.objects.filter(customer=customer).count() == entries


def test_put_is_idempotent(api, account):
    customer = CustomerFactory(account=account)
    first = assert_success(api.put(url_of(customer), full(), format="json"))
    entries = AuditEntry.objects.filter(customer=customer).count()

    second = assert_success(api.put(url_of(customer), full(), format="json"))

    assert second == first
    assert AuditEntry.objects.filter(customer=customer).count() == entries


def test_a_customer_stored_before_beels_rules_can_be_put_back_unchanged(api, account):
    # A Spanish address without its province and a bank transfer without an IBAN, both refused when sent new.
    customer = CustomerFactory(account=account, province="", payment_method="BANK_TRANSFER", iban="")
    read = assert_success(api.get(url_of(customer)))

    written = assert_success(api.put(url_of(customer), read, format="json"))
    moved = api.put(url_of(customer), {**read, "address": {**read["address"], "city": "Toledo"}}, format="json")

    assert written == read
    assert set(assert_error(moved, 422, "VALIDATION_ERROR")["details"]) == {"address.province"}


def test_put_requires_no_field_and_keeps_the_legal_name_and_the_identity(api, account):
    customer = CustomerFactory(account=account)

    no_name = assert_success(api.put(url_of(customer), {"nif": customer.nif}, format="json"))
    no_identity = assert_success(api.put(url_of(customer), {"legal_name": "X SL"}, format="json"))

    assert no_name["legal_name"] == customer.legal_name
    assert no_identity["nif"] == customer.nif
    assert Customer.objects.get(pk=customer.pk).legal_name == "X SL"


def test_put_switches_between_a_nif_and_an_alternative_id_and_refuses_both(api, account):
    customer = CustomerFactory(account=account)

    switched = assert_success(api.put(url_of(customer), {"alternative_id": alt("03", "US", "P9")}, format="json"))
    back = assert_success(api.put(url_of(customer), {"nif": "12345678Z"}, format="json"))
    both = api.put(url_of(customer), {"nif": "12345678Z", "alternative_id": alt("03", "US", "P9")}, format="json")

    assert switched["nif"] is None and switched["alternative_id"] == shown("03", "US", "P9")
    assert back["nif"] == "12345678Z" and back["alternative_id"] is None
    assert_error(both, 422, "ALTERNATIVE_ID_INVALID")


def test_put_active_false_deactivates_and_is_refused_with_invoices_writing_nothing(api, account):
    free = CustomerFactory(account=account)
    busy = CustomerFactory(account=account)
    InvoiceFactory(customer=busy)
    before = Customer.objects.values().get(pk=busy.pk)

    data = assert_success(api.put(url_of(free), full(nif=free.nif, active=False), format="json"))
    error = assert_error(api.put(url_of(busy), full(nif=busy.nif, legal_name="Otro", active=False), format="json"), 409)

    assert data["active"] is False and data["deactivated_at"] is not None
    assert error["code"] == "CLIENT_HAS_INVOICES"
    assert Customer.objects.values().get(pk=busy.pk) == before


def test_put_active_true_reactivates_unless_its_nif_is_taken(api, account):
    customer = CustomerFactory(account=account, active=False)
    taken = CustomerFactory(account=account, active=False)
    holder = CustomerFactory(account=account)

    data = assert_success(api.put(url_of(customer), full(nif=customer.nif, active=True), format="json"))
    error = assert_error(api.put(url_of(taken), full(nif=holder.nif, active=True), format="json"), 409)

    assert data["active"] is True and data["deactivated_at"] is None
    assert error["code"] == "CLIENT_DUPLICATE"
    taken.refresh_from_db()
    assert (taken.active, taken.nif) != (True, holder.nif)
    assert taken.nif != holder.nif


def test_put_on_a_merged_customer_is_refused_like_patch(api, account):
    survivor = CustomerFactory(account=account)
    duplicate = CustomerFactory(account=account)
    assert_success(api.post(f"{url_of(duplicate)}/merge", {"into": str(survivor.pk)}, format="json"))

    assert_error(api.put(url_of(duplicate), full(nif=duplicate.nif), format="json"), 409, "CUSTOMER_MERGED")


def test_put_needs_the_write_scope(read_only_api, account):
    customer = CustomerFactory(account=account)

    assert_error(read_only_api.put(url_of(customer), full(), format="json"), 403, "INSUFFICIENT_SCOPE")


# --- erasure --------------------------------------------------------------------------------------------


def test_erasure_scrubs_the_rest_of_the_record(api, account):
    customer = CustomerFactory(
        account=account,
        trade_name="TS",
        billing_emails=["a@example.es"],
        contact_person="Ana",
        website="https://example.es",
        notes="n",
        general_discount=5,
        payment_method="BANK_TRANSFER",
        iban="ES9121000418450200051332",
        swift="CAIXESBB",
        payment_term_days=30,
        metadata={"a": "b"},
    )

    data = assert_success(api.post(f"{url_of(customer)}/anonymize"))

    customer.refresh_from_db()
    assert (customer.trade_name, customer.contact_person, customer.website, customer.notes) == ("", "", "", "")
    assert (customer.billing_emails, customer.metadata, customer.payment_term_days) == ([], {}, None)
    assert (customer.iban, customer.swift, customer.payment_method, customer.general_discount) == ("", "", "", 0)
    assert data["metadata"] == {} and "preferred_payment_method" not in data


# --- admin ----------------------------------------------------------------------------------------------


def admin_post(staff, customer, **changes):
    url = customer_change_url(customer)
    data = change_form_data(staff, url)
    data.update(changes)
    return staff.post(url, data, follow=True)


@pytest.mark.parametrize(("type_", "country", "code"), [c for c in REFUSED_COMBINATIONS if c[0] in TYPE_NAMES])
def test_the_admin_refuses_every_refused_type_and_country(staff, type_, country, code):
    customer = CustomerFactory()
    before = Customer.objects.values().get(pk=customer.pk)

    response = admin_post(
        staff, customer, nif="", alternative_id_type=type_, alternative_id_number="X1", alternative_id_country=country
    )

    assert response.context["adminform"].form.errors["alternative_id_type"]
    assert Customer.objects.values().get(pk=customer.pk) == before


def test_the_admin_saves_a_foreign_customer_and_its_billing_details_normalised(staff):
    customer = CustomerFactory()

    response = admin_post(
        staff,
        customer,
        nif="",
        alternative_id_type="02",
        alternative_id_number="de 136 695 976",
        alternative_id_country="de",
        country_code="de",
        billing_emails="Uno@Example.es\ndos@example.es",
        iban="es91 2100 0418 4502 0005 1332",
        swift="caixesbbxxx",
        payment_method="BANK_TRANSFER",
        payment_term_days="60",
        metadata='{"plan": "pro"}',
    )

    assert message_texts(response, messages.ERROR) == []
    customer.refresh_from_db()
    assert (customer.nif, customer.alternative_id_number, customer.alternative_id_country) == ("", "DE136695976", "DE")
    assert (customer.country_code, customer.country) == ("DE", "Alemania")
    assert customer.billing_emails == ["uno@example.es", "dos@example.es"]
    assert (customer.iban, customer.swift, customer.payment_term_days) == (
        "ES9121000418450200051332",
        "CAIXESBBXXX",
        60,
    )
    assert customer.metadata == {"plan": "pro"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "nif": "",
                "alternative_id_type": "02",
                "alternative_id_number": "DE136695977",
                "alternative_id_country": "DE",
            },
            "alternative_id_type",
        ),
        ({"iban": "ES91 2100 0418 4502 0005 1333"}, "iban"),
        ({"swift": "CAIX"}, "swift"),
        ({"payment_term_days": "366"}, "payment_term_days"),
        ({"metadata": '{"plan": 3}'}, "metadata"),
        ({"website": "ftp://example.es"}, "website"),
        ({"legal_name": " Espacio"}, "legal_name"),
        ({"general_discount": "100.5"}, "general_discount"),
        ({"country_code": "XX"}, "country_code"),
    ],
)
def test_the_admin_applies_the_api_rules(staff, changes, field):
    customer = CustomerFactory()
    before = Customer.objects.values().get(pk=customer.pk)

    response = admin_post(staff, customer, **changes)

    assert field in response.context["adminform"].form.errors
    assert Customer.objects.values().get(pk=customer.pk) == before


def test_the_admin_refuses_an_alternative_id_another_active_customer_holds(staff):
    holder = CustomerFactory(nif="", alternative_id_type="03", alternative_id_number="P1", alternative_id_country="US")
    customer = CustomerFactory(account=holder.account)

    response = admin_post(
        staff, customer, nif="", alternative_id_type="03", alternative_id_number="P1", alternative_id_country="US"
    )

    assert response.context["adminform"].form.errors["alternative_id_number"]
    customer.refresh_from_db()
    assert customer.alternative_id_type == ""
