"""POST /customers/bulk: each item on its own, valid ones written together, dry_run writes nothing."""

import pytest

from customers.models import Customer
from tests.factories import APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

VALID = [
    {"legal_name": "Ferretería Núñez SL", "nif": "B12345674", "address": {"city": "Cádiz"}},
    {"legal_name": "María García López", "nif": "12345678-z", "phone": "654 321 987"},
]
INVALID_NIF = {"legal_name": "Mala SL", "nif": "B12345678"}


def bulk(api, items, query=""):
    return api.post(f"/api/v1/customers/bulk{query}", {"customers": items}, format="json")


def test_valid_items_are_created_and_reported(api, account):
    response = bulk(api, VALID)
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"total", "successful", "failed", "dry_run", "created_ids", "errors"}
    assert (data["total"], data["successful"], data["failed"], data["dry_run"]) == (2, 2, 0, False)
    created = Customer.objects.filter(account=account)
    assert sorted(data["created_ids"]) == sorted(str(pk) for pk in created.values_list("pk", flat=True))
    maria = created.get(nif="12345678Z")
    assert maria.phone == "+34654321987"
    assert maria.legal_name_folded == "maria garcia lopez"
    assert api.get("/api/v1/customers?city=cadiz").json()["data"]["pagination"]["total_items"] == 1


def test_each_invalid_item_fails_alone_with_its_index_and_details(api, account):
    items = [VALID[0], INVALID_NIF, "not an object", {"nif": "12345678Z", "colour": "red"}, VALID[1]]
    data = bulk(api, items).json()["data"]
    assert (data["total"], data["successful"], data["failed"]) == (5, 2, 3)
    errors = {error["index"]: error["error"] for error in data["errors"]}
    assert set(errors) == {1, 2, 3}
    assert errors[1]["code"] == "VALIDATION_ERROR" and "nif" in errors[1]["details"]
    assert errors[2]["code"] == "VALIDATION_ERROR"
    assert errors[3]["details"] == {"legal_name": "This field is required.", "colour": "Unknown field."}
    assert set(Customer.objects.filter(account=account).values_list("nif", flat=True)) == {"B12345674", "12345678Z"}


def test_nif_held_by_an_active_customer_or_an_earlier_item_is_customer_already_exists(api, account):
    CustomerFactory(account=account, nif="B12345674")
    CustomerFactory(account=account, nif="12345678Z", active=False)  # inactive: does not block
    items = [VALID[0], VALID[1], {"legal_name": "Copia", "nif": "12345678Z"}]
    data = bulk(api, items).json()["data"]
    assert data["successful"] == 1
    assert [(error["index"], error["error"]["code"]) for error in data["errors"]] == [
        (0, "CUSTOMER_ALREADY_EXISTS"),
        (2, "CUSTOMER_ALREADY_EXISTS"),
    ]
    assert Customer.objects.filter(account=account, nif="12345678Z", active=True).count() == 1


def test_dry_run_reports_the_same_and_writes_nothing(api, account):
    items = [VALID[0], INVALID_NIF, VALID[1]]
    dry = bulk(api, items, "?dry_run=true").json()["data"]
    assert not Customer.objects.exists()
    real = bulk(api, items).json()["data"]
    assert dry["dry_run"] is True and dry["created_ids"] == []
    for field in ("total", "successful", "failed", "errors"):
        assert dry[field] == real[field]
    assert Customer.objects.count() == 2


def test_every_item_failing_is_still_200_and_writes_nothing(api, account):
    response = bulk(api, [INVALID_NIF, INVALID_NIF])
    assert response.status_code == 200
    assert response.json()["data"]["successful"] == 0
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{"customers": []}, {"customers": "nope"}, {}, [VALID[0]], {"customers": [VALID[0]], "extra": 1}],
)
def test_a_malformed_body_is_422_and_writes_nothing(api, body):
    response = api.post("/api/v1/customers/bulk", body, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not Customer.objects.exists()


def test_more_than_100_items_is_422(api):
    items = [{"legal_name": f"Cliente {i}", "nif": "B12345674"} for i in range(101)]
    response = bulk(api, items)
    assert response.status_code == 422
    assert "customers" in response.json()["error"]["details"]
    assert not Customer.objects.exists()


def test_100_items_are_created_in_a_fixed_number_of_queries(api, account, django_assert_max_num_queries):
    from tests.factories import valid_dni

    items = [{"legal_name": f"Cliente {i}", "nif": valid_dni(i)} for i in range(100)]
    with django_assert_max_num_queries(8):
        data = bulk(api, items).json()["data"]
    assert data["successful"] == 100
    assert Customer.objects.filter(account=account).count() == 100


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
