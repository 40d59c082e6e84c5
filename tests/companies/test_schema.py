"""The OpenAPI schema documents discovery (getMyIdentity, listCompanies) and the BeeL-Active-Company header of
every flat operation that acts on one company, with its 400 and 403 answers."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anonymous_client):
    response = anonymous_client.get("/api/v1/schema?format=json")
    assert response.status_code == 200
    return response.json()


def header_of(operation: dict) -> dict | None:
    return next(
        (p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == "BeeL-Active-Company"),
        None,
    )


def test_discovery_operations_are_documented_with_beels_operation_ids(schema):
    identity = schema["paths"]["/api/v1/me/identity"]["get"]
    companies = schema["paths"]["/api/v1/accounts/{account_id}/companies"]["get"]

    assert identity["operationId"] == "getMyIdentity"
    assert identity["security"] == [{"BearerAuth": []}]
    assert companies["operationId"] == "listCompanies"
    assert companies["security"] == [{"BearerAuth": ["companies:read"]}]
    assert {p["name"] for p in companies["parameters"]} == {
        "account_id",
        "page",
        "limit",
        "cursor",
        "search",
        "include",
    }
    include = next(p for p in companies["parameters"] if p["name"] == "include")
    assert include["schema"]["enum"] == ["readiness"]
    company = schema["components"]["schemas"]["CompanyData"]["properties"]
    assert {"id", "nif", "legal_name", "trade_name", "entity_type", "is_primary", "address", "created_at"} <= set(
        company
    )
    assert schema["components"]["schemas"]["EntityTypeEnum"]["enum"] == ["INDIVIDUAL", "LEGAL_ENTITY"]


# The flat aging report (and its CSV) reads every company the key reaches, as its docs say: no header.
ACCOUNT_WIDE = "/api/v1/customers/aging"


def test_every_flat_customer_and_invoice_operation_takes_the_active_company_header(schema):
    flat = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        if path.startswith(("/api/v1/customers", "/api/v1/invoices")) and not path.startswith(ACCOUNT_WIDE)
        for method, operation in operations.items()
    ]

    assert len(flat) > 15
    for path, method, operation in flat:
        header = header_of(operation)
        assert header is not None, (method, path)
        assert header["required"] is False and header["schema"] == {"type": "string", "format": "uuid"}
        assert {"400", "403"} <= set(operation["responses"]), (method, path)
        for code in ("ACTIVE_COMPANY_HEADER_INVALID",):
            assert code in operation["responses"]["400"]["description"], (method, path)
        for code in ("ACTIVE_COMPANY_REQUIRED", "ACTIVE_COMPANY_NOT_ACCESSIBLE"):
            assert code in operation["responses"]["403"]["description"], (method, path)


def test_operations_that_name_the_company_or_act_on_the_account_do_not_take_the_header(schema):
    for path, operations in schema["paths"].items():
        if "{company_id}" in path or path.startswith(
            ("/api/v1/webhook-endpoints", "/api/v1/me", "/api/v1/accounts", ACCOUNT_WIDE)
        ):
            for method, operation in operations.items():
                assert header_of(operation) is None, (method, path)
