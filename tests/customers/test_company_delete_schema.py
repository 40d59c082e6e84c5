"""The OpenAPI schema documents the canonical deletion and import operations as BeeL 1.9.0 names them."""

import pytest

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/companies/{company_id}/customers"


@pytest.fixture
def schema(anonymous_client):
    response = anonymous_client.get("/api/v1/schema?format=json")
    assert response.status_code == 200
    return response.json()


def operation(schema, path: str, method: str) -> dict:
    return schema["paths"][f"{CUSTOMERS}{path}"][method]


def enum_of(schema, prop: dict) -> list:
    """A choice field's values, through the enum component drf-spectacular may give it."""
    for candidate in (prop, *prop.get("allOf", [])):
        if "$ref" in candidate:
            return schema["components"]["schemas"][candidate["$ref"].rsplit("/", 1)[1]]["enum"]
    return prop["enum"]


def parameters(operation: dict) -> dict[tuple[str, str], dict]:
    return {(parameter["in"], parameter["name"]): parameter for parameter in operation["parameters"]}


def test_the_operations_have_beels_ids_and_scopes(schema):
    expected = {
        ("/{customer_id}", "delete"): "deleteCompanyCustomer",
        ("/bulk", "delete"): "deleteCompanyCustomersBulk",
        ("/imports", "post"): "createCompanyCustomerImport",
        ("/imports/preview", "post"): "previewCompanyCustomerImport",
    }
    for (path, method), operation_id in expected.items():
        documented = operation(schema, path, method)
        assert documented["operationId"] == operation_id
        assert documented["security"] == [{"BearerAuth": ["customers:write"]}]
        assert ("path", "company_id") in parameters(documented)
        assert {"403", "401", "429"} <= set(documented["responses"])


def test_the_single_delete_answers_204_without_a_body(schema):
    responses = operation(schema, "/{customer_id}", "delete")["responses"]
    assert "204" in responses and "200" not in responses
    assert {"400", "404", "409"} <= set(responses)


def test_the_bulk_delete_requires_ids_and_answers_the_bulk_delete_result(schema):
    bulk = operation(schema, "/bulk", "delete")
    assert parameters(bulk)[("query", "ids")]["required"] is True
    data = bulk["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert data == {"$ref": "#/components/schemas/CustomerBulkDeleteResult"}
    result = schema["components"]["schemas"]["CustomerBulkDeleteResult"]["properties"]
    assert set(result) == {
        "metadata",
        "customers_deletion",
        "statistics",
        "deleted_ids",
        "deactivated_ids",
        "total",
        "successful",
        "failed",
        "errors",
    }
    item = schema["components"]["schemas"]["CustomerBulkDeleteItem"]["properties"]
    assert set(enum_of(schema, item["status"])) == {
        "DELETED",
        "NOT_FOUND",
        "HAS_INVOICES",
        "HAS_RECURRING_INVOICE",
        "ERROR",
    }


def test_the_import_requires_its_idempotency_key_and_the_preview_writes_nothing(schema):
    importing = operation(schema, "/imports", "post")
    key = parameters(importing)[("header", "Idempotency-Key")]
    assert key["required"] is True
    assert [p["name"] for p in importing["parameters"]].count("Idempotency-Key") == 1
    assert "201" in importing["responses"]
    body = importing["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][body]["required"]) == {"file", "source"}
    assert enum_of(schema, schema["components"]["schemas"][body]["properties"]["source"]) == ["csv"]
    preview = operation(schema, "/imports/preview", "post")
    assert "200" in preview["responses"] and "201" not in preview["responses"]
