"""Each curl of the spec pages (../shared/spec/beel-*.txt), made exactly as written plus a key, answers the
documented shape. The documented bodies are copied here (their example customers and ids from tests/spec.py) so
the suite does not depend on files outside it."""

import pytest

from tests.factories import CustomerFactory, InvoiceFactory
from tests.spec import MARIA_GARCIA, SPEC_ID_0, SPEC_ID_1, as_listed

pytestmark = pytest.mark.django_db

META = {"timestamp": "2025-01-15T10:30:00Z", "request_id": "4bf92f3577b34da6a3ce929d0e0e4736"}

DOCUMENTED_LIST = {
    "success": True,
    "data": {
        "customers": [
            {
                "id": "789abc12-34de-56f7-8901-234567890abc",
                **as_listed(MARIA_GARCIA),
                "active": True,
                "created_at": "2024-08-20T09:00:00Z",
                "updated_at": "2024-12-01T11:30:00Z",
            }
        ],
        "pagination": {
            "current_page": 1,
            "items_per_page": 20,
            "total_items": 1,
            "total_pages": 1,
            "has_next": False,
            "has_previous": False,
            "next_cursor": None,
        },
    },
    "meta": META,
}
DOCUMENTED_DEACTIVATE = {"success": True, "data": {"message": "Customer deactivated successfully"}, "meta": META}
DOCUMENTED_BULK = {
    "success": True,
    "data": {
        "total": 2,
        "successful": 1,
        "failed": 1,
        "deactivated_ids": [SPEC_ID_0],
        "errors": [
            {
                "customer_id": SPEC_ID_1,
                "error": {
                    "code": "CLIENT_HAS_INVOICES",
                    "message": "Cannot deactivate customer because it has associated invoices",
                },
            }
        ],
    },
    "meta": META,
}


def shape(value):
    """Keys and value types, recursively: what 'the documented shape' means."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def documented_part(value, documented):
    """`value` with only the keys `documented` has, recursively (lists by their first item)."""
    if isinstance(documented, dict) and isinstance(value, dict):
        return {key: documented_part(value[key], documented[key]) for key in documented if key in value}
    if isinstance(documented, list) and isinstance(value, list) and documented:
        return [documented_part(item, documented[0]) for item in value]
    return value


def test_list_curl_returns_the_documented_shape(api, account):
    customer = CustomerFactory(account=account, **MARIA_GARCIA)
    response = api.get("/api/v1/customers")
    assert response.status_code == 200
    body = response.json()
    # Fields added since (issue #14) come after the documented ones, which keep their shape and order.
    assert shape(documented_part(body, DOCUMENTED_LIST)) == shape(DOCUMENTED_LIST)
    documented = DOCUMENTED_LIST["data"]["customers"][0]
    listed = documented_part(body, DOCUMENTED_LIST)["data"]["customers"][0]
    assert list(body["data"]["customers"][0])[: len(documented)] == list(documented)
    assert listed["id"] == str(customer.pk)
    for field in ("legal_name", "nif", "email", "phone", "address", "active"):
        assert listed[field] == documented[field]
    assert body["data"]["pagination"] == DOCUMENTED_LIST["data"]["pagination"]


def test_deactivate_curl_returns_the_documented_shape(api, account):
    customer = CustomerFactory(account=account, id=SPEC_ID_0)
    response = api.delete(f"/api/v1/customers/{SPEC_ID_0}")
    assert response.status_code == 200
    body = response.json()
    assert shape(body) == shape(DOCUMENTED_DEACTIVATE)
    assert body["data"] == DOCUMENTED_DEACTIVATE["data"]
    customer.refresh_from_db()
    assert customer.active is False


def test_bulk_curl_returns_the_documented_shape(api, account):
    CustomerFactory(account=account, id=SPEC_ID_0)
    with_invoices = CustomerFactory(account=account, id=SPEC_ID_1)
    InvoiceFactory(customer=with_invoices)
    response = api.delete(f"/api/v1/customers/bulk?ids={SPEC_ID_0}%2C{SPEC_ID_1}")
    assert response.status_code == 200
    body = response.json()
    assert shape(body) == shape(DOCUMENTED_BULK)
    assert body["data"] == DOCUMENTED_BULK["data"]
