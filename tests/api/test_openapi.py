"""The OpenAPI schema documents the envelope, every parameter and every error code."""

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

LIST_PARAMETERS = {
    "page",
    "limit",
    "cursor",
    "created_since",
    "created_until",
    "updated_since",
    "updated_until",
    "active",
    "search",
    "legal_name",
    "nif",
    "email",
    "phone",
    "city",
    "province",
    "sort_by",
    "sort_order",
    "metadata",  # metadata[key]=value, a deepObject
    "tax_id_status",  # beel's extension (issue 25)
    "has_overdue",  # beel's extensions (issue 29)
    "currency",
    "include",
}


@pytest.fixture
def schema(anonymous_client):
    response = anonymous_client.get("/api/v1/schema?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_public_and_valid_openapi(schema):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")


def test_schema_documents_the_customer_endpoints_as_the_spec_writes_them(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/customers"]) == {"get", "post"}
    assert set(paths["/api/v1/customers/{customer_id}"]) == {"get", "patch", "put", "delete"}
    assert set(paths["/api/v1/customers/bulk"]) == {"delete", "post"}
    assert set(paths["/api/v1/customers/{customer_id}/reactivate"]) == {"post"}


def test_list_operation_documents_every_query_parameter(schema):
    operation = schema["paths"]["/api/v1/customers"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"] if parameter["in"] == "query"}
    assert set(parameters) == LIST_PARAMETERS
    assert parameters["limit"]["schema"]["maximum"] == 100
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["sort_order"]["schema"]["enum"] == ["asc", "desc"]
    assert {"legal_name", "nif", "created_at"} <= set(parameters["sort_by"]["schema"]["enum"])
    assert (parameters["metadata"]["style"], parameters["metadata"]["explode"]) == ("deepObject", True)


def test_every_response_is_wrapped_in_the_envelope(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) == 204:  # No Content: no body to wrap (deleteCompanyCustomer)
                    assert "content" not in response, (path, method, status)
                    continue
                if operation["operationId"] in CSV_DOWNLOADS and int(status) < 400:
                    assert set(response["content"]) == {"text/csv"}, (path, method, status)
                    continue
                media = response["content"]["application/json"]["schema"]
                if int(status) >= 400:
                    assert media == {"$ref": "#/components/schemas/ErrorEnvelope"}, (path, method, status)
                else:
                    assert set(media["required"]) == {"success", "data", "meta"}, (path, method, status)


CSV_DOWNLOADS = {
    "exportCustomersCsv",
    "getCustomersCsvTemplate",
    "downloadCustomerTemplateCsv",
    "exportCompanyCustomersCsv",
    "downloadCustomerImportTemplate",
    "downloadCustomerExport",
    "downloadCompanyCustomerExport",
    # The aging report's CSV (docs/api.md, Receivables).
    "exportCustomersAgingCsv",
    "exportCompanyCustomersAgingCsv",
}


def test_the_csv_endpoints_document_their_upload_downloads_and_report(schema):
    paths = schema["paths"]
    importing = paths["/api/v1/customers/import-csv-preview"]["post"]
    upload = importing["requestBody"]["content"]
    assert set(upload) == {"multipart/form-data"}
    assert upload["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/CsvUploadRequest"}
    assert schema["components"]["schemas"]["CsvUploadRequest"]["properties"]["file"]["format"] == "binary"
    assert {"200", "400", "409", "413", "415"} <= set(importing["responses"])
    report = schema["components"]["schemas"]["CustomerValidationUnifiedResult"]["properties"]
    assert set(report) == {"metadata", "customers_validation", "statistics"}
    row = schema["components"]["schemas"]["CustomerValidationItem"]["properties"]
    assert {"index", "row_number", "status", "errors", "warnings", "customer", "customer_id"} <= set(row)
    assert "dry_run" in schema["components"]["schemas"]["CsvUploadRequest"]["properties"]
    dry_run = next(parameter for parameter in importing["parameters"] if parameter["name"] == "dry_run")
    assert dry_run["schema"] == {"type": "boolean", "default": True}

    export = paths["/api/v1/customers/export"]["get"]
    queried = {parameter["name"] for parameter in export["parameters"] if parameter["in"] == "query"}
    assert queried == LIST_PARAMETERS - {"page", "limit", "cursor"}
    assert export["security"] == [{"BearerAuth": ["customers:read"]}]
    template = paths["/api/v1/customers/templates/csv"]["post"]
    for operation in (export, template, paths["/api/v1/customers/csv-template"]["get"]):
        assert operation["responses"]["200"]["content"]["text/csv"]["schema"]["type"] == "string"


def test_error_codes_are_documented_with_their_meaning(schema):
    # That every code raised anywhere is listed is tests/api/test_error_codes.py's job.
    error = schema["components"]["schemas"]["Error"]
    codes = error["properties"]["code"]["enum"]
    assert {"CLIENT_HAS_INVOICES", "CLIENT_DUPLICATE", "VALIDATION_ERROR", "INTERNAL_ERROR"} <= set(codes)
    assert "- `CLIENT_HAS_INVOICES` (409): " in error["properties"]["code"]["description"]


def test_operations_require_the_documented_scope(schema):
    paths = schema["paths"]
    assert paths["/api/v1/customers"]["get"]["security"] == [{"BearerAuth": ["customers:read"]}]
    assert paths["/api/v1/customers/bulk"]["delete"]["security"] == [{"BearerAuth": ["customers:write"]}]
    assert paths["/api/v1/customers/{customer_id}"]["delete"]["security"] == [{"BearerAuth": ["customers:write"]}]
    assert schema["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def test_examples_match_the_spec_pages(schema):
    bulk = schema["paths"]["/api/v1/customers/bulk"]["delete"]["responses"]["200"]["content"]["application/json"]
    example = next(iter(bulk["examples"].values()))["value"]
    assert set(example) == {"success", "data", "meta"}
    assert set(example["data"]) == {"total", "successful", "failed", "deactivated_ids", "errors"}
    assert set(example["data"]["errors"][0]) == {"customer_id", "error"}
    deactivate = schema["paths"]["/api/v1/customers/{customer_id}"]["delete"]["responses"]["200"]
    example = next(iter(deactivate["content"]["application/json"]["examples"].values()))["value"]
    assert example["data"] == {"message": "Customer deactivated successfully"}
    listing = schema["paths"]["/api/v1/customers"]["get"]["responses"]["200"]["content"]["application/json"]
    example = next(iter(listing["examples"].values()))["value"]
    assert set(example["data"]) == {"customers", "pagination"}


def test_docs_ui_is_served(anonymous_client):
    response = anonymous_client.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_schema_documents_issuing_and_cancelling_and_the_invoices_recipient(schema):
    paths = schema["paths"]
    assert paths["/api/v1/invoices/{invoice_id}/issue"]["post"]["operationId"] == "issueInvoice"
    assert paths["/api/v1/invoices/{invoice_id}/cancel"]["post"]["operationId"] == "cancelInvoice"
    assert (
        "INVOICE_NOT_DRAFT" in paths["/api/v1/invoices/{invoice_id}/issue"]["post"]["responses"]["409"]["description"]
    )
    invoice = schema["components"]["schemas"]["Invoice"]["properties"]
    assert invoice["number"]["nullable"] is True and invoice["full_number"]["nullable"] is True
    assert invoice["issued_at"]["nullable"] is True
    recipient = schema["components"]["schemas"]["Recipient"]["properties"]
    assert {"legal_name", "nif", "address"} <= set(recipient)


def test_the_customer_record_bodies_ignore_unknown_properties_and_the_others_refuse_them(schema, api):
    components = schema["components"]["schemas"]
    for name in ("CustomerWriteRequest", "CustomerReplaceRequest", "PatchedCustomerChangeRequest", "AddressRequest"):
        assert components[name]["additionalProperties"] is True, name
    for name in ("BulkCreateCustomersRequest", "MergeRequest", "WebhookEndpointCreateRequest"):
        assert components[name]["additionalProperties"] is False, name
    # As the schema says: BeeL ignores a property it does not define.
    body = {"legal_name": "Acme SL", "nif": "B12345674", "colour": "blue", "address": {"planet": "Mars"}}
    assert api.post("/api/v1/customers", body, format="json").status_code == 201
