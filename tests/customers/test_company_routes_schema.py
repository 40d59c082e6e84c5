"""The OpenAPI schema documents the canonical customer routes with BeeL 1.9.0's operationIds."""

import pytest

pytestmark = pytest.mark.django_db

COMPANY_CUSTOMERS = "/api/v1/companies/{company_id}/customers"


@pytest.fixture
def paths(anonymous_client):
    response = anonymous_client.get("/api/v1/schema?format=json")
    assert response.status_code == 200
    return response.json()["paths"]


def test_the_canonical_operations_carry_beels_operation_ids(paths):
    operation_ids = {
        (COMPANY_CUSTOMERS, "get"): "listCompanyCustomers",
        (COMPANY_CUSTOMERS, "post"): "createCompanyCustomer",
        (f"{COMPANY_CUSTOMERS}/{{customer_id}}", "get"): "getCompanyCustomer",
        (f"{COMPANY_CUSTOMERS}/{{customer_id}}", "patch"): "patchCompanyCustomer",
        (f"{COMPANY_CUSTOMERS}/bulk", "post"): "createCompanyCustomersBulk",
        ("/api/v1/templates/customer-import", "get"): "downloadCustomerImportTemplate",
    }
    assert {key: paths[key[0]][key[1]]["operationId"] for key in operation_ids} == operation_ids


def test_there_is_no_put_under_a_company(paths):
    assert "put" not in paths[f"{COMPANY_CUSTOMERS}/{{customer_id}}"]


def test_the_company_id_is_a_uuid_path_parameter_of_every_canonical_operation(paths):
    for path, operations in paths.items():
        if not path.startswith("/api/v1/companies/{company_id}/customers"):
            continue
        for method, operation in operations.items():
            (company_id,) = [parameter for parameter in operation["parameters"] if parameter["name"] == "company_id"]
            assert (company_id["in"], company_id["schema"]) == ("path", {"type": "string", "format": "uuid"})
            assert {"400", "403"} <= set(operation["responses"]), (path, method)


def test_the_list_documents_active_true_by_default_and_the_creation_its_location(paths):
    listing = {parameter["name"]: parameter for parameter in paths[COMPANY_CUSTOMERS]["get"]["parameters"]}
    assert listing["active"]["schema"] == {"type": "boolean", "default": True}
    assert "Location" in paths[COMPANY_CUSTOMERS]["post"]["responses"]["201"]["headers"]


def test_the_creations_and_the_template_require_their_scopes(paths):
    assert paths[COMPANY_CUSTOMERS]["post"]["security"] == [{"BearerAuth": ["customers:write"]}]
    assert paths[f"{COMPANY_CUSTOMERS}/bulk"]["post"]["security"] == [{"BearerAuth": ["customers:write"]}]
    template = paths["/api/v1/templates/customer-import"]["get"]
    assert template["security"] == [{"BearerAuth": ["customers:read"]}]
    assert template["responses"]["200"]["content"]["text/csv"]["schema"]["type"] == "string"
