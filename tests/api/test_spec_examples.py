"""Each curl of the spec pages (../shared/spec/beel-*.txt), made exactly as written plus a key, answers the
documented shape. The documented bodies are copied here so the suite does not depend on files outside it."""

import pytest

from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

META = {"timestamp": "2025-01-15T10:30:00Z", "request_id": "4bf92f3577b34da6a3ce929d0e0e4736"}

DOCUMENTED_LIST = {
    "success": True,
    "data": {
        "customers": [
            {
                "id": "789abc12-34de-56f7-8901-234567890abc",
                "legal_name": "María García López",
                "nif": "12345678Z",
                "email": "maria.garcia@email.com",
                "phone": "+34654321987",
                "address": {
                    "street": "Avenida de la Constitución",
                    "number": "25",
                    "floor": "3º",
                    "door": "B",
                    "postal_code": "41001",
                    "city": "Sevilla",
                    "province": "Sevilla",
                    "country": "España",
                },
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
        "deactivated_ids": ["550e8400-e29b-41d4-a716-446655440000"],
        "errors": [
            {
                "customer_id": "550e8400-e29b-41d4-a716-446655440001",
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


def test_list_curl_returns_the_documented_shape(api, account):
    customer = CustomerFactory(
        account=account,
        legal_name="María García López",
        nif="12345678Z",
        email="maria.garcia@email.com",
        phone="+34654321987",
        street="Avenida de la Constitución",
        number="25",
        floor="3º",
        door="B",
        postal_code="41001",
        city="Sevilla",
        province="Sevilla",
    )
    response = api.get("/api/v1/customers")
    assert response.status_code == 200
    body = response.json()
    assert shape(body) == shape(DOCUMENTED_LIST)
    documented = DOCUMENTED_LIST["data"]["customers"][0]
    listed = body["data"]["customers"][0]
    assert listed["id"] == str(customer.pk)
    for field in ("legal_name", "nif", "email", "phone", "address", "active"):
        assert listed[field] == documented[field]
    assert body["data"]["pagination"] == DOCUMENTED_LIST["data"]["pagination"]


def test_deactivate_curl_returns_the_documented_shape(api, account):
    customer = CustomerFactory(account=account, id="550e8400-e29b-41d4-a716-446655440000")
    response = api.delete("/api/v1/customers/550e8400-e29b-41d4-a716-446655440000")
    assert response.status_code == 200
    body = response.json()
    assert shape(body) == shape(DOCUMENTED_DEACTIVATE)
    assert body["data"] == DOCUMENTED_DEACTIVATE["data"]
    customer.refresh_from_db()
    assert customer.active is False


def test_bulk_curl_returns_the_documented_shape(api, account):
    CustomerFactory(account=account, id="550e8400-e29b-41d4-a716-446655440000")
    with_invoices = CustomerFactory(account=account, id="550e8400-e29b-41d4-a716-446655440001")
    InvoiceFactory(customer=with_invoices)
    response = api.delete(
        "/api/v1/customers/bulk?ids=550e8400-e29b-41d4-a716-446655440000%2C550e8400-e29b-41d4-a716-446655440001"
    )
    assert response.status_code == 200
    body = response.json()
    assert shape(body) == shape(DOCUMENTED_BULK)
    assert body["data"] == DOCUMENTED_BULK["data"]
