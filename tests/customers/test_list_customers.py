"""GET /api/v1/customers (beel-list-customers.txt): the response shape, invalid parameters, sorting, filters
and account isolation, all through HTTP (paging: tests/api/test_pagination.py)."""

from datetime import UTC, datetime
from unittest.mock import ANY
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from customers.models import Customer
from tests import listing
from tests.envelope import TIMESTAMP, assert_validation_error
from tests.factories import CustomerFactory, valid_dni
from tests.listing import PAGINATION_KEYS, get_page
from tests.spec import DISTRIBUIDORA_LEVANTE, MARIA_GARCIA, REST_OF_RECORD, TECH_SOLUTIONS, TIMESTAMPS, as_shown

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"
# The spec's keys, and after them the rest of the record (issue #14).
CUSTOMER_KEYS = {"id", "legal_name", "nif", "email", "phone", "address", "active", "created_at", "updated_at"} | set(
    REST_OF_RECORD
)
ADDRESS_KEYS = {"street", "number", "postal_code", "city", "province", "country", "country_code"}
MADRID = ZoneInfo("Europe/Madrid")
TECH = TECH_SOLUTIONS["legal_name"]
MARIA = MARIA_GARCIA["legal_name"]
LEVANTE = DISTRIBUIDORA_LEVANTE["legal_name"]


def get_list(client, **params):
    """The `data` of a successful list response."""
    return get_page(client, URL, "customers", **params)


def names(data) -> list[str]:
    return [customer["legal_name"] for customer in data["customers"]]


def ids(data) -> list[str]:
    return [customer["id"] for customer in data["customers"]]


def set_timestamps(customer, *, created_at=None, updated_at=None):
    """Sets the auto timestamps (which save() would overwrite) with a queryset update."""
    values = {}
    if created_at is not None:
        values["created_at"] = created_at
    if updated_at is not None:
        values["updated_at"] = updated_at
    Customer.objects.filter(pk=customer.pk).update(**values)


def walk_pages(client, limit: int, **params) -> list[str]:
    """Every id, in order, by following has_next from page 1."""
    return listing.walk_pages(client, URL, "customers", limit, **params)


# --- response shape ---------------------------------------------------------------------------------------


def test_list_data_holds_customers_and_exactly_the_documented_pagination_keys(api, account):
    CustomerFactory(account=account)
    data = get_list(api)
    assert isinstance(data["customers"], list)
    assert set(data["pagination"]) == PAGINATION_KEYS


def test_each_customer_has_exactly_the_documented_keys_and_values(api, account):
    customer = CustomerFactory(account=account, **TECH_SOLUTIONS)
    created_at, updated_at = TIMESTAMPS[TECH_SOLUTIONS["legal_name"]]
    set_timestamps(customer, created_at=created_at, updated_at=updated_at)

    [item] = get_list(api)["customers"]

    assert set(item) == CUSTOMER_KEYS
    assert item == {
        "id": str(customer.id),
        **as_shown(TECH_SOLUTIONS),
        "active": True,
        "created_at": "2024-06-15T10:30:00Z",
        "updated_at": "2025-01-10T14:00:00Z",
        **REST_OF_RECORD,
    }


def test_address_shows_floor_and_door_only_when_set(api, account):
    CustomerFactory(account=account, legal_name="Con Piso", floor="3º", door="B")
    CustomerFactory(account=account, legal_name="Sin Piso", floor="", door="")
    CustomerFactory(account=account, legal_name="Solo Piso", floor="2", door="")
    CustomerFactory(account=account, legal_name="Solo Puerta", floor="", door="A")

    addresses = {customer["legal_name"]: customer["address"] for customer in get_list(api)["customers"]}

    assert set(addresses["Con Piso"]) == ADDRESS_KEYS | {"floor", "door"}
    assert addresses["Con Piso"]["floor"] == "3º"
    assert addresses["Con Piso"]["door"] == "B"
    assert set(addresses["Sin Piso"]) == ADDRESS_KEYS
    assert set(addresses["Solo Piso"]) == ADDRESS_KEYS | {"floor"}
    assert addresses["Solo Piso"]["floor"] == "2"
    assert set(addresses["Solo Puerta"]) == ADDRESS_KEYS | {"door"}
    assert addresses["Solo Puerta"]["door"] == "A"


def test_unknown_email_and_phone_are_null_but_keys_are_present(api, account):
    CustomerFactory(account=account, email="", phone="")
    [item] = get_list(api)["customers"]
    assert set(item) == CUSTOMER_KEYS
    assert item["email"] is None
    assert item["phone"] is None


def test_list_page_cursor_page_and_retrieve_show_each_customer_identically(api, account):
    # The list renders columns it reads itself; retrieve renders a model instance: same text either way.
    with_everything = CustomerFactory(account=account, legal_name="Con Todo", floor="3º", door="B")
    bare = CustomerFactory(account=account, legal_name="Sin Nada", email="", phone="", floor="", door="")
    set_timestamps(bare, created_at=datetime(2024, 8, 20, 11, 0, 5, 123456, tzinfo=MADRID))
    Customer.objects.filter(pk=bare.pk).update(active=False)

    listed = get_list(api, sort_by="legal_name", limit=1)
    cursor = listed["pagination"]["next_cursor"]
    by_cursor = api.get(URL, {"sort_by": "legal_name", "limit": 1, "cursor": cursor}).json()["data"]

    for customer, [item] in ((with_everything, listed["customers"]), (bare, by_cursor["customers"])):
        detail = api.get(f"{URL}/{customer.id}").json()["data"]
        assert item == {key: value for key, value in detail.items() if key in CUSTOMER_KEYS}
    assert by_cursor["customers"][0]["created_at"] == "2024-08-20T09:00:05Z"
    assert by_cursor["customers"][0]["active"] is False


def test_timestamps_are_rendered_in_utc_with_z_suffix(api, account):
    customer = CustomerFactory(account=account)
    # Stored from a Madrid wall-clock time (the service's TIME_ZONE, UTC+2 in summer, UTC+1 in winter).
    set_timestamps(
        customer,
        created_at=datetime(2024, 8, 20, 11, 0, tzinfo=MADRID),
        updated_at=datetime(2024, 12, 1, 12, 30, tzinfo=MADRID),
    )
    CustomerFactory(account=account)  # untouched timestamps: now

    data = get_list(api)
    for item in data["customers"]:
        assert TIMESTAMP.match(item["created_at"]), item["created_at"]
        assert TIMESTAMP.match(item["updated_at"]), item["updated_at"]
    [shifted] = [item for item in data["customers"] if item["id"] == str(customer.id)]
    assert shifted["created_at"] == "2024-08-20T09:00:00Z"
    assert shifted["updated_at"] == "2024-12-01T11:30:00Z"


def test_request_made_like_the_spec_curl_returns_the_documented_shape(api_key, account):
    tech = CustomerFactory(account=account, **TECH_SOLUTIONS)
    maria = CustomerFactory(account=account, **MARIA_GARCIA)
    levante = CustomerFactory(account=account, **DISTRIBUIDORA_LEVANTE, active=False)
    for customer in (tech, maria, levante):
        created_at, updated_at = TIMESTAMPS[customer.legal_name]
        set_timestamps(customer, created_at=created_at, updated_at=updated_at)

    # curl -X GET "https://app.beel.es/api/v1/customers" -H "Authorization: Bearer $KEY": nothing else.
    client = APIClient()
    response = client.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {api_key.raw_key}")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"success", "data", "meta"}
    assert body["success"] is True
    assert set(body["meta"]) == {"timestamp", "request_id"}
    assert TIMESTAMP.match(body["meta"]["timestamp"])
    assert set(body["data"]) == {"customers", "pagination"}
    assert body["data"]["pagination"] == {
        "current_page": 1,
        "items_per_page": 20,
        "total_items": 3,
        "total_pages": 1,
        "has_next": False,
        "has_previous": False,
        "next_cursor": None,
    }
    by_id = {customer["id"]: customer for customer in body["data"]["customers"]}
    assert len(by_id) == 3
    assert by_id[str(tech.id)] == {
        "id": str(tech.id),
        **as_shown(TECH_SOLUTIONS),
        "active": True,
        "created_at": "2024-06-15T10:30:00Z",
        "updated_at": "2025-01-10T14:00:00Z",
        **REST_OF_RECORD,
    }
    assert by_id[str(maria.id)] == {
        "id": str(maria.id),
        **as_shown(MARIA_GARCIA),
        "active": True,
        "created_at": "2024-08-20T09:00:00Z",
        "updated_at": "2024-12-01T11:30:00Z",
        **REST_OF_RECORD,
    }
    assert by_id[str(levante.id)] == {
        "id": str(levante.id),
        **as_shown(DISTRIBUIDORA_LEVANTE),
        "active": False,
        "created_at": "2024-03-10T16:45:00Z",
        "updated_at": "2024-11-20T08:00:00Z",
        **REST_OF_RECORD,
    }


# --- invalid parameters (paging itself: tests/api/test_pagination.py) -------------------------------------


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("active", "maybe"),
        ("active", "si"),
        ("sort_by", "password"),
        ("sort_by", "legal_name_folded"),
        ("sort_by", "account"),
        ("sort_order", "up"),
        ("sort_order", "descending"),
    ],
)
def test_malformed_or_out_of_range_parameter_is_400_naming_it(api, account, parameter, value):
    CustomerFactory.create_batch(2, account=account)
    assert_validation_error(api.get(URL, {parameter: value}), {parameter})


def test_every_bad_parameter_is_reported_together(api, account):
    CustomerFactory(account=account)
    response = api.get(URL, {"page": "0", "limit": "101", "active": "maybe", "sort_by": "password", "sort_order": "up"})
    assert_validation_error(response, {"page", "limit", "active", "sort_by", "sort_order"})


def test_bad_paging_is_reported_with_bad_filters_while_good_ones_are_not_named(api, account):
    CustomerFactory(account=account)
    response = api.get(URL, {"page": "abc", "limit": "10", "active": "true", "sort_by": "nif", "sort_order": "up"})
    assert_validation_error(response, {"page", "sort_order"})


def test_parameters_asked_again_are_answered_as_the_first_time(api, account):
    """Validated parameter sets are kept per process (beel.api.filters): asking one again, valid or not,
    between other ones, gets the same answer, and a kept set never answers for another list's filters."""
    CustomerFactory(account=account, active=True)
    CustomerFactory(account=account, active=False)
    first_refusal = assert_validation_error(api.get(URL, {"active": "maybe", "sort_by": "nif"}), {"active"})
    assert get_list(api, active="false")["pagination"]["total_items"] == 1
    assert assert_validation_error(api.get(URL, {"active": "maybe", "sort_by": "nif"}), {"active"}) == first_refusal
    assert get_list(api, active="true")["pagination"]["total_items"] == 1
    assert get_list(api, active="false")["pagination"]["total_items"] == 1
    assert get_list(api, active="false", sort_by="nif", sort_order="desc")["pagination"]["total_items"] == 1
    # The same parameters on the invoices list are checked against the invoices' own filters.
    not_a_customer_filter = {"status": "Unknown query parameter."}
    assert assert_validation_error(api.get(URL, {"status": "bogus"}), {"status"}) == not_a_customer_filter
    assert_validation_error(api.get("/api/v1/invoices", {"status": "bogus"}), {"status"})
    assert assert_validation_error(api.get(URL, {"status": "bogus"}), {"status"}) == not_a_customer_filter


# --- sorting ----------------------------------------------------------------------------------------------

# Four customers whose order differs for every sort key (folded where the key is text: case and accents
# are ignored, so 'Ávila' and 'almería' sort among the A's).
SORT_ROWS = {
    "Ávila Consulting": {
        "nif": "X1234567L",
        "email": "carmen@d.es",
        "city": "Bilbao",
        "province": "Zamora",
        "created_at": datetime(2024, 3, 1, tzinfo=UTC),
        "updated_at": datetime(2024, 12, 1, tzinfo=UTC),
    },
    "Bravo SA": {
        "nif": "B12345674",
        "email": "david@a.es",
        "city": "Zaragoza",
        "province": "Álava",
        "created_at": datetime(2024, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2024, 10, 1, tzinfo=UTC),
    },
    "carmen ruiz": {
        "nif": "12345678Z",
        "email": "alba@c.es",
        "city": "almería",
        "province": "Madrid",
        "created_at": datetime(2024, 4, 1, tzinfo=UTC),
        "updated_at": datetime(2024, 9, 1, tzinfo=UTC),
    },
    "Zeta SL": {
        "nif": "A58818501",
        "email": "beatriz@b.es",
        "city": "Cádiz",
        "province": "Cuenca",
        "created_at": datetime(2024, 2, 1, tzinfo=UTC),
        "updated_at": datetime(2024, 11, 1, tzinfo=UTC),
    },
}
ASCENDING = {
    "legal_name": ["Ávila Consulting", "Bravo SA", "carmen ruiz", "Zeta SL"],
    "nif": ["carmen ruiz", "Zeta SL", "Bravo SA", "Ávila Consulting"],
    "email": ["carmen ruiz", "Zeta SL", "Ávila Consulting", "Bravo SA"],
    "city": ["carmen ruiz", "Ávila Consulting", "Zeta SL", "Bravo SA"],
    "province": ["Bravo SA", "Zeta SL", "carmen ruiz", "Ávila Consulting"],
    "created_at": ["Bravo SA", "Zeta SL", "Ávila Consulting", "carmen ruiz"],
    "updated_at": ["carmen ruiz", "Bravo SA", "Zeta SL", "Ávila Consulting"],
}


@pytest.fixture
def sortable_customers(account):
    # Created in an order that matches none of the expected orders.
    for legal_name in ["Zeta SL", "carmen ruiz", "Ávila Consulting", "Bravo SA"]:
        row = SORT_ROWS[legal_name]
        customer = CustomerFactory(
            account=account,
            legal_name=legal_name,
            nif=row["nif"],
            email=row["email"],
            city=row["city"],
            province=row["province"],
        )
        set_timestamps(customer, created_at=row["created_at"], updated_at=row["updated_at"])


@pytest.mark.parametrize("sort_by", list(ASCENDING))
def test_sort_by_each_field_ascending(api, sortable_customers, sort_by):
    assert names(get_list(api, sort_by=sort_by, sort_order="asc")) == ASCENDING[sort_by]


@pytest.mark.parametrize("sort_by", list(ASCENDING))
def test_sort_by_each_field_descending(api, sortable_customers, sort_by):
    assert names(get_list(api, sort_by=sort_by, sort_order="desc")) == ASCENDING[sort_by][::-1]


@pytest.mark.parametrize("sort_by", list(ASCENDING))
def test_sort_order_defaults_to_ascending(api, sortable_customers, sort_by):
    assert names(get_list(api, sort_by=sort_by)) == ASCENDING[sort_by]


@pytest.mark.parametrize("sort_by", list(ASCENDING))
def test_sort_order_applies_across_pages(api, sortable_customers, sort_by):
    for order, expected in (("asc", ASCENDING[sort_by]), ("desc", ASCENDING[sort_by][::-1])):
        first = get_list(api, sort_by=sort_by, sort_order=order, limit=3, page=1)
        second = get_list(api, sort_by=sort_by, sort_order=order, limit=3, page=2)
        assert names(first) + names(second) == expected


def test_legal_name_sort_ignores_accents_and_case(api, account):
    for legal_name in ["Zeta SL", "Édison SL", "bravo Logística", "Ávila Consulting", "Carmen Ruiz", "Álamo Ediciones"]:
        CustomerFactory(account=account, legal_name=legal_name)
    expected = ["Álamo Ediciones", "Ávila Consulting", "bravo Logística", "Carmen Ruiz", "Édison SL", "Zeta SL"]
    assert names(get_list(api, sort_by="legal_name")) == expected
    assert names(get_list(api, sort_by="legal_name", sort_order="desc")) == expected[::-1]


TIE_SORTS = [
    {},
    {"sort_by": "created_at"},
    {"sort_by": "created_at", "sort_order": "desc"},
    {"sort_by": "updated_at", "sort_order": "asc"},
    {"sort_by": "legal_name"},
    {"sort_by": "legal_name", "sort_order": "desc"},
    {"sort_by": "city", "sort_order": "desc"},
    {"sort_by": "province"},
    {"sort_by": "email"},
]


@pytest.fixture
def tied_customers(account):
    """23 customers sharing created_at, updated_at, city, province and email, in two legal-name groups."""
    customers = [
        CustomerFactory(
            account=account,
            legal_name="Mismo Nombre SL" if n % 2 else "Ávila Repetida SA",
            email="",
            city="Madrid",
            province="Madrid",
        )
        for n in range(23)
    ]
    instant = datetime(2024, 5, 5, 12, 0, tzinfo=UTC)
    Customer.objects.filter(account=account).update(created_at=instant, updated_at=instant)
    return customers


@pytest.mark.parametrize("sort", TIE_SORTS, ids=lambda sort: "-".join(sort.values()) or "default")
@pytest.mark.parametrize("limit", [1, 3, 4, 7])
def test_paging_through_tied_sort_keys_never_repeats_or_skips(api, tied_customers, sort, limit):
    seen = walk_pages(api, limit, **sort)
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == {str(customer.id) for customer in tied_customers}


@pytest.mark.parametrize("sort", TIE_SORTS, ids=lambda sort: "-".join(sort.values()) or "default")
def test_ties_are_broken_by_id_in_the_sort_direction(api, tied_customers, sort):
    descending = sort.get("sort_order") == "desc"
    group = {"Ávila Repetida SA": 0, "Mismo Nombre SL": 1}

    def key(customer):
        primary = group[customer.legal_name] if sort.get("sort_by") == "legal_name" else 0
        return (primary, str(customer.id))

    expected = [str(customer.id) for customer in sorted(tied_customers, key=key, reverse=descending)]
    assert walk_pages(api, 5, **sort) == expected


def test_same_order_is_returned_on_repeated_requests(api, tied_customers):
    first = ids(get_list(api, limit=100, sort_by="created_at"))
    second = ids(get_list(api, limit=100, sort_by="created_at"))
    assert first == second


# --- filters ----------------------------------------------------------------------------------------------


def test_without_active_filter_both_active_and_inactive_are_listed(api, account):
    CustomerFactory(account=account, legal_name="Activa SL", active=True)
    CustomerFactory(account=account, legal_name="Inactiva SL", active=False)
    data = get_list(api)
    assert sorted(names(data)) == ["Activa SL", "Inactiva SL"]
    assert data["pagination"]["total_items"] == 2
    statuses = {customer["legal_name"]: customer["active"] for customer in data["customers"]}
    assert statuses == {"Activa SL": True, "Inactiva SL": False}


@pytest.mark.parametrize(("value", "expected"), [("true", ["Activa SL"]), ("false", ["Inactiva SL"])])
def test_active_filter_selects_by_status(api, account, value, expected):
    CustomerFactory(account=account, legal_name="Activa SL", active=True)
    CustomerFactory(account=account, legal_name="Inactiva SL", active=False)
    data = get_list(api, active=value)
    assert names(data) == expected
    assert data["pagination"]["total_items"] == 1


@pytest.fixture
def people(account):
    """Customers with explicit names, NIFs, emails and phones, so no generated value can match a query."""
    rows = [
        *(
            (spec["legal_name"], spec["nif"], spec["email"], spec["phone"], spec["city"], spec["province"])
            for spec in (TECH_SOLUTIONS, MARIA_GARCIA, DISTRIBUIDORA_LEVANTE)
        ),
        ("Jose Pena Construcciones", "X1234567L", "obras@penaconstrucciones.es", "", "Málaga", "Málaga"),
        ("Hermanos Ruiz SC", valid_dni(9001), "", "+34722334455", "Dos Hermanas", "Sevilla"),
        ("Bodegas del Sur SL", valid_dni(9002), "ventas@bodegasdelsur.es", "+34956112233", "Cadiz", "Cádiz"),
    ]  # fmt: skip
    for legal_name, nif, email, phone, city, province in rows:
        CustomerFactory(
            account=account, legal_name=legal_name, nif=nif, email=email, phone=phone, city=city, province=province
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("maria", [MARIA]),
        ("GARCIA", [MARIA]),
        ("García López", [MARIA]),
        ("MARÍA garcía", [MARIA]),
        ("José Peña", ["Jose Pena Construcciones"]),
        ("peña", ["Jose Pena Construcciones"]),
        ("solutions", [TECH]),
        ("12345678z", [MARIA]),
        ("A5881", [LEVANTE]),
        ("distribuidoralevante", [LEVANTE]),
        ("VENTAS@Bodegas", ["Bodegas del Sur SL"]),
        ("nadie en absoluto", []),
    ],
)
def test_search_matches_legal_name_nif_or_email_ignoring_case_and_accents(api, people, query, expected):
    data = get_list(api, search=query)
    assert sorted(names(data)) == sorted(expected)
    assert data["pagination"]["total_items"] == len(expected)


def test_search_matching_several_fields_lists_each_customer_once(api, account):
    CustomerFactory(account=account, legal_name="Garcia Garcia SL", nif="12345678Z", email="garcia@garcia.es")
    CustomerFactory(account=account, legal_name="Otra Empresa", nif="B12345674", email="otra@garcia.es")
    CustomerFactory(account=account, legal_name="Tercera SA", nif="A58818501", email="tercera@example.es")
    data = get_list(api, search="garcia")
    assert sorted(names(data)) == ["Garcia Garcia SL", "Otra Empresa"]
    assert data["pagination"]["total_items"] == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("solu", [TECH]),
        ("GARCÍA", [MARIA]),
        ("garcia lopez", [MARIA]),
        ("Peña", ["Jose Pena Construcciones"]),
        ("sl", [TECH, "Bodegas del Sur SL"]),
        ("admin", []),  # an email, not a legal name
    ],
)
def test_legal_name_filter_is_partial_and_ignores_case_and_accents(api, people, query, expected):
    assert sorted(names(get_list(api, legal_name=query))) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1234-5678", [MARIA]),
        ("1234 5678", [MARIA]),
        ("345678z", [MARIA]),
        ("x-1234567", ["Jose Pena Construcciones"]),
        ("x 1234 567 l", ["Jose Pena Construcciones"]),
        ("b-1234", [TECH]),
        ("8818", [LEVANTE]),
        ("Z9", []),
    ],
)
def test_nif_filter_is_partial_ignoring_case_spaces_and_dashes(api, people, query, expected):
    assert sorted(names(get_list(api, nif=query))) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("TechSolutions", [TECH]),
        ("MARIA.GARCIA@", [MARIA]),
        ("@EMAIL.COM", [MARIA]),
        (".es", [LEVANTE, "Jose Pena Construcciones", "Bodegas del Sur SL"]),
        ("garcia lopez", []),  # a legal name, not an email
    ],
)
def test_email_filter_is_partial_and_case_insensitive(api, people, query, expected):
    assert sorted(names(get_list(api, email=query))) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("912345678", [TECH]),
        ("912 345 678", [TECH]),
        ("+34912345678", [TECH]),
        ("+34 912 34", [TECH]),
        ("0034912345678", [TECH]),
        ("0034 912 345", [TECH]),
        ("2345", [TECH]),
        ("+34 654", [MARIA]),
        ("654 321 987", [MARIA]),
        ("9", [TECH, MARIA, LEVANTE, "Bodegas del Sur SL"]),
        ("+34 111", []),
    ],
)
def test_phone_filter_is_partial_ignoring_spaces_and_spanish_prefix(api, people, query, expected):
    assert sorted(names(get_list(api, phone=query))) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sevilla", [MARIA]),
        ("SEVILLA", [MARIA]),
        ("Sevilla", [MARIA]),
        ("malaga", ["Jose Pena Construcciones"]),
        ("MÁLAGA", ["Jose Pena Construcciones"]),
        ("Cádiz", ["Bodegas del Sur SL"]),  # stored without the accent
        ("dos hermanas", ["Hermanos Ruiz SC"]),
        ("Sev", []),
        ("villa", []),
        ("Hermanas", []),
    ],
)
def test_city_filter_matches_the_whole_value_ignoring_case_and_accents(api, people, query, expected):
    assert sorted(names(get_list(api, city=query))) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sevilla", [MARIA, "Hermanos Ruiz SC"]),
        ("SEVILLA", [MARIA, "Hermanos Ruiz SC"]),
        ("malaga", ["Jose Pena Construcciones"]),
        ("cadiz", ["Bodegas del Sur SL"]),  # stored with the accent
        ("Sev", []),
        ("alencia", []),
    ],
)
def test_province_filter_matches_the_whole_value_ignoring_case_and_accents(api, people, query, expected):
    assert sorted(names(get_list(api, province=query))) == sorted(expected)


@pytest.fixture
def wildcard_customers(account):
    rows = [
        ("100% Natural SL", "info_ventas@natural.es", "Villa_Real", "Castellón"),
        ("1000 Naturales SL", "infoxventas@naturales.es", "Villareal", "Castellon"),
        ("A_B Consulting", "ab@consulting.es", "Madrid", "Madrid"),
        ("AXB Consulting", "axb@consulting.es", "Madrid", "Madrid"),
    ]
    for legal_name, email, city, province in rows:
        CustomerFactory(account=account, legal_name=legal_name, email=email, city=city, province=province)


@pytest.mark.parametrize(
    ("parameter", "query", "expected"),
    [
        ("legal_name", "100%", ["100% Natural SL"]),
        ("legal_name", "%", ["100% Natural SL"]),
        ("legal_name", "a_b", ["A_B Consulting"]),
        ("legal_name", "_", ["A_B Consulting"]),
        ("search", "%", ["100% Natural SL"]),
        ("search", "0%", ["100% Natural SL"]),
        ("search", "a_b", ["A_B Consulting"]),
        ("search", "o_v", ["100% Natural SL"]),
        ("email", "o_v", ["100% Natural SL"]),
        ("email", "_", ["100% Natural SL"]),
        ("email", "%", []),
        ("nif", "%", []),
        ("nif", "_", []),
        ("phone", "%", []),
        ("city", "villa_real", ["100% Natural SL"]),
        ("city", "villa%", []),
        ("city", "%", []),
        ("province", "castell_n", []),
        ("province", "%", []),
    ],
)
def test_like_wildcards_in_filters_are_matched_literally(api, wildcard_customers, parameter, query, expected):
    data = get_list(api, **{parameter: query})
    assert sorted(names(data)) == sorted(expected)
    assert data["pagination"]["total_items"] == len(expected)


@pytest.fixture
def garcias(account):
    rows = [
        ("García Abogados SL", True, "Madrid"),
        ("Garcia Bravo SL", True, "Madrid"),
        ("Estudio García", True, "Madrid"),
        ("García Zamora SL", False, "Madrid"),
        ("García Sevilla SL", True, "Sevilla"),
        ("Construcciones Pérez", True, "Madrid"),
    ]
    for legal_name, active, province in rows:
        CustomerFactory(account=account, legal_name=legal_name, active=active, city=province, province=province)


def test_filters_combine_with_sorting_and_paging(api, garcias):
    params = {"active": "true", "province": "madrid", "search": "garcia", "sort_by": "legal_name"}
    first = get_list(api, **params, sort_order="desc", limit=2, page=1)
    assert names(first) == ["Garcia Bravo SL", "García Abogados SL"]
    assert first["pagination"] == {
        "current_page": 1,
        "items_per_page": 2,
        "total_items": 3,
        "total_pages": 2,
        "has_next": True,
        "has_previous": False,
        "next_cursor": ANY,
    }
    second = get_list(api, **params, sort_order="desc", limit=2, page=2)
    assert names(second) == ["Estudio García"]
    assert second["pagination"] == {
        "current_page": 2,
        "items_per_page": 2,
        "total_items": 3,
        "total_pages": 2,
        "has_next": False,
        "has_previous": True,
        "next_cursor": None,
    }
    ascending = get_list(api, **params, sort_order="asc", limit=20)
    assert names(ascending) == ["Estudio García", "García Abogados SL", "Garcia Bravo SL"]


def test_inactive_filter_combines_with_search(api, garcias):
    data = get_list(api, active="false", search="GARCÍA")
    assert names(data) == ["García Zamora SL"]
    assert data["pagination"]["total_items"] == 1


def test_city_and_legal_name_filters_must_both_match(api, garcias):
    assert names(get_list(api, city="sevilla", legal_name="garcia")) == ["García Sevilla SL"]
    assert names(get_list(api, city="sevilla", legal_name="bravo")) == []


# --- account isolation ------------------------------------------------------------------------------------


def test_other_accounts_customers_are_never_listed_or_counted(api, account, other_account):
    mine = CustomerFactory.create_batch(3, account=account, legal_name="García Propia SL", city="Sevilla")
    CustomerFactory.create_batch(5, account=other_account, legal_name="García Ajena SL", city="Sevilla")
    CustomerFactory(account=other_account, legal_name="Ajena Inactiva", active=False)

    data = get_list(api, limit=100)
    assert {customer["id"] for customer in data["customers"]} == {str(customer.id) for customer in mine}
    assert data["pagination"]["total_items"] == 3
    assert data["pagination"]["total_pages"] == 1

    for params, expected_total in (
        ({"search": "garcia"}, 3),
        ({"city": "sevilla"}, 3),
        ({"active": "true"}, 3),
        ({"active": "false"}, 0),
        ({"legal_name": "ajena"}, 0),
    ):
        filtered = get_list(api, **params)
        assert names(filtered) == ["García Propia SL"] * expected_total, params
        assert filtered["pagination"]["total_items"] == expected_total, params


def test_other_accounts_customers_do_not_create_extra_pages(api, account, other_account):
    CustomerFactory.create_batch(2, account=account)
    CustomerFactory.create_batch(10, account=other_account)
    data = get_list(api, page=2, limit=2)
    assert data["customers"] == []
    assert data["pagination"]["total_items"] == 2
    assert data["pagination"]["total_pages"] == 1
    assert data["pagination"]["has_next"] is False


def test_other_account_sees_only_its_own_customers(other_api, account, other_account):
    CustomerFactory(account=account, legal_name="De la Primera")
    CustomerFactory(account=other_account, legal_name="De la Segunda")
    data = get_list(other_api)
    assert names(data) == ["De la Segunda"]
    assert data["pagination"]["total_items"] == 1


# --- queries ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"search": "garcia", "active": "true", "sort_by": "legal_name", "sort_order": "desc", "city": "madrid"}],
    ids=["unfiltered", "filtered"],
)
def test_number_of_queries_does_not_depend_on_page_size(api, account, params):
    CustomerFactory.create_batch(120, account=account, legal_name="García Hermanos", city="Madrid", floor="1")
    get_list(api, limit=5, **params)  # warm up: the first use of a key records last_used_at

    with CaptureQueriesContext(connection) as small:
        small_data = get_list(api, limit=1, **params)
    with CaptureQueriesContext(connection) as large:
        large_data = get_list(api, limit=100, **params)

    assert len(small_data["customers"]) == 1
    assert len(large_data["customers"]) == 100
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(large.captured_queries) <= 5, [query["sql"] for query in large.captured_queries]
