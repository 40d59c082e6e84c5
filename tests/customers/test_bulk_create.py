"""POST /customers/bulk as BeeL 1.9.0 answers it: the unified result (metadata, customers_validation,
statistics), 200 for a dry run, 201 for a creation, and 422 BULK_VALIDATION_ERROR with nothing written when
any item is not valid or is a duplicate (atomic)."""

import pytest

from beel.events.models import Event
from customers.models import AuditEntry, Customer
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db

VALID = [
    {"legal_name": "Ferretería Núñez SL", "nif": "B12345674", "address": {"city": "Cádiz", "province": "Cádiz"}},
    {"legal_name": "María García López", "nif": "12345678-z", "phone": "654 321 987"},
]
INVALID_NIF = {"legal_name": "Mala SL", "nif": "B12345678"}
STATISTICS = {
    "total_processed",
    "valid",
    "with_warnings",
    "with_errors",
    "duplicates",
    "invalid_nifs",
    "imported",
    "success_rate",
    "importable",
    "not_importable",
}


def bulk(api, items, query=""):
    return api.post(f"/api/v1/customers/bulk{query}", {"customers": items}, format="json")


def assert_statistics_add_up(statistics: dict) -> None:
    assert set(statistics) == STATISTICS
    parts = ("valid", "with_warnings", "with_errors", "duplicates", "invalid_nifs")
    assert sum(statistics[part] for part in parts) == statistics["total_processed"]
    assert statistics["importable"] == statistics["valid"] + statistics["with_warnings"]
    assert statistics["importable"] + statistics["not_importable"] == statistics["total_processed"]


def test_a_creation_is_201_with_the_unified_result_and_each_rows_customer_id(api, account):
    data = assert_success(bulk(api, VALID), 201)

    assert set(data) == {"metadata", "customers_validation", "statistics"}
    metadata = data["metadata"]
    assert set(metadata) == {"total_customers", "is_dry_run", "processing_time_ms", "source_type"}
    assert (metadata["total_customers"], metadata["is_dry_run"], metadata["source_type"]) == (2, False, "BULK_JSON")
    assert isinstance(metadata["processing_time_ms"], int) and metadata["processing_time_ms"] >= 0
    rows = data["customers_validation"]
    assert [(row["index"], row["status"], row["errors"], row["warnings"]) for row in rows] == [
        (0, "VALID", [], []),
        (1, "VALID", [], []),
    ]
    assert [row["customer"] for row in rows] == VALID  # the echo of what was sent
    created = Customer.objects.filter(account=account)
    assert {row["customer_id"] for row in rows} == {str(pk) for pk in created.values_list("pk", flat=True)}
    assert data["statistics"] == {
        "total_processed": 2,
        "valid": 2,
        "with_warnings": 0,
        "with_errors": 0,
        "duplicates": 0,
        "invalid_nifs": 0,
        "imported": 2,
        "success_rate": 1.0,
        "importable": 2,
        "not_importable": 0,
    }
    maria = created.get(nif="12345678Z")
    assert maria.phone == "+34654321987"
    assert maria.legal_name_folded == "maria garcia lopez"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED).count() == 2
    assert Event.objects.filter(type="customer.created").count() == 2
    assert_success(api.get(f"/api/v1/customers/{rows[0]['customer_id']}"))


def test_an_invalid_item_is_422_with_every_problem_by_index_and_nothing_is_written(api, account):
    items = [VALID[0], INVALID_NIF, "not an object", {"nif": "12345678Z", "colour": "red"}, VALID[1]]

    error = assert_error(bulk(api, items), 422, "BULK_VALIDATION_ERROR")

    assert "details" not in error
    assert {(problem["index"], problem["field"]) for problem in error["errors"]} == {
        (1, "nif"),
        (2, "non_field_errors"),
        (3, "legal_name"),  # an unknown key (`colour`) is ignored, as BeeL ignores it
    }
    assert all(set(problem) == {"index", "field", "message"} for problem in error["errors"])
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not Event.objects.filter(type="customer.created").exists()


def test_a_dry_run_is_200_reports_every_status_and_writes_nothing(api, account):
    CustomerFactory(account=account, nif="A58818501")
    items = [
        VALID[0],
        INVALID_NIF,
        {"legal_name": "Sin correo SL", "nif": "X1234567L", "email": "nope"},
        {"legal_name": "Copia SL", "nif": "A58818501"},
        {"legal_name": "Otra Ferretería SL", "nif": "B12345674"},
    ]

    data = assert_success(bulk(api, items, "?dry_run=true"))

    assert data["metadata"]["is_dry_run"] is True
    rows = data["customers_validation"]
    assert [row["status"] for row in rows] == ["VALID", "NIF_INVALID", "ERROR", "DUPLICATE", "DUPLICATE"]
    assert all("customer_id" not in row for row in rows)
    assert rows[1]["errors"][0]["field"] == "nif" and rows[1]["errors"][0]["value"] == "B12345678"
    assert rows[2]["errors"][0]["field"] == "email"
    assert rows[3]["errors"][0]["field"] == "nif" and "already exists" in rows[3]["errors"][0]["message"]
    assert rows[4]["errors"][0]["message"] == "Item 0 of the request has the same NIF"
    statistics = data["statistics"]
    assert_statistics_add_up(statistics)
    assert (statistics["valid"], statistics["invalid_nifs"], statistics["with_errors"]) == (1, 1, 1)
    assert (statistics["duplicates"], statistics["imported"], statistics["success_rate"]) == (2, 0, 0.2)
    assert Customer.objects.filter(account=account).count() == 1


def test_each_error_names_its_field_and_the_value_sent_there(api):
    data = assert_success(bulk(api, [{"nif": "12345678Z", "email": 5}, 7], "?dry_run=true"))

    first, second = data["customers_validation"]
    assert {(error["field"], error["value"]) for error in first["errors"]} == {("legal_name", ""), ("email", "5")}
    assert second["errors"] == [{"field": "non_field_errors", "value": "", "message": second["errors"][0]["message"]}]
    assert "customer" not in second  # not an object: nothing to echo


def test_a_duplicate_blocks_the_creation_of_the_whole_batch(api, account):
    CustomerFactory(account=account, nif="B12345674")
    CustomerFactory(account=account, nif="12345678Z", active=False)  # inactive: does not block

    error = assert_error(bulk(api, VALID), 422, "BULK_VALIDATION_ERROR")
    assert [(problem["index"], problem["field"]) for problem in error["errors"]] == [(0, "nif")]

    error = assert_error(bulk(api, [VALID[1], {"legal_name": "Copia", "nif": "12345678Z"}]), 422)
    assert error["errors"] == [{"index": 1, "field": "nif", "message": "Item 0 of the request has the same NIF"}]
    assert Customer.objects.filter(account=account).count() == 2


def test_a_dry_run_then_the_real_run_report_the_same(api, account):
    dry = assert_success(bulk(api, VALID, "?dry_run=true"))
    real = assert_success(bulk(api, VALID, "?dry_run=false"), 201)
    for row in real["customers_validation"]:
        del row["customer_id"]
    assert dry["customers_validation"] == real["customers_validation"]
    assert dry["statistics"] | {"imported": 2} == real["statistics"]


@pytest.mark.parametrize(
    "body",
    [{"customers": []}, {"customers": "nope"}, {}, [VALID[0]], {"customers": [VALID[0]], "extra": 1}],
)
def test_a_malformed_body_is_422_and_writes_nothing(api, body):
    response = api.post("/api/v1/customers/bulk", body, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not Customer.objects.exists()


def test_more_than_500_items_is_422(api):
    items = [{"legal_name": f"Cliente {i}", "nif": valid_dni(i)} for i in range(501)]
    response = bulk(api, items)
    assert response.status_code == 422
    assert "customers" in response.json()["error"]["details"]
    assert not Customer.objects.exists()


def test_500_items_are_created_in_a_fixed_number_of_queries(api, account, django_assert_max_num_queries):
    items = [{"legal_name": f"Cliente {i}", "nif": valid_dni(i)} for i in range(500)]
    # The key, its last use, the active company, the NIFs held, then the writes (the events' numbers: one).
    with django_assert_max_num_queries(10):
        data = assert_success(bulk(api, items), 201)
    assert data["statistics"]["imported"] == 500
    assert Customer.objects.filter(account=account).count() == 500


def test_bad_dry_run_value_is_400_naming_it(api):
    response = bulk(api, VALID, "?dry_run=maybe")
    assert response.status_code == 400
    assert "dry_run" in response.json()["error"]["details"]
    assert not Customer.objects.exists()


def test_needs_the_write_scope(client_for, account):
    key = APIKeyFactory(account=account, scopes=["customers:read"])
    response = client_for(key).post("/api/v1/customers/bulk", {"customers": VALID}, format="json")
    assert response.status_code == 403
    assert "customers:write" in response.json()["error"]["message"]
    assert not Customer.objects.exists()
