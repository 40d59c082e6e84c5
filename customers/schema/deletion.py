"""OpenAPI descriptions of BeeL 1.9.0's canonical deletion and import operations under
`/v1/companies/{company_id}/customers`: deleteCompanyCustomer, deleteCompanyCustomersBulk,
createCompanyCustomerImport and previewCompanyCustomerImport."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from beel.api.schema import envelope_example, error_example, error_responses
from beel.errors import ErrorCode
from customers.schema.common import CUSTOMER_ID
from customers.serializers import CustomerValidationUnifiedResultSerializer
from customers.serializers.company_import import CompanyCustomerImportSerializer
from customers.serializers.deletion import OPERATION, CustomerBulkDeleteResultSerializer

COMPANY_ID = OpenApiParameter(
    "company_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The company's id (a UUID, not its NIF): the only context of the operation. A company this key "
    "cannot reach, and one that does not exist, are 403 ACTIVE_COMPANY_NOT_ACCESSIBLE; a malformed id is 400.",
)
REQUIRED_IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9_-]+$"},
    OpenApiParameter.HEADER,
    required=True,
    description="Required here (400 IDEMPOTENCY_KEY_REQUIRED without it): the import writes many rows per call, "
    "so a retry without a key would import the file twice. As on the other POSTs: a 2xx is replayed for 24 "
    "hours with `Idempotency-Replay: true`, another body with the same key is 409 IDEMPOTENCY_KEY_MISMATCH.",
)
_DELETING = (
    "The customer is kept for the tax records of what was invoiced to it, but no operation finds it again (404 "
    "CLIENT_NOT_FOUND, never listed nor counted) and its NIF or alternative id is free for a new customer of the "
    "company. A customer with invoices is never deleted: deactivate it instead (PATCH with `active: false`, "
    "which keeps its identifier taken). Each deletion is in the customer's audit trail and sends a "
    "`customer.deleted` webhook event."
)

delete_company_customer = extend_schema(
    operation_id="deleteCompanyCustomer",
    summary="Delete a customer of the company",
    description=f"Deletes the customer: 204 with no body. {_DELETING} A customer with invoices is 409 "
    "CLIENT_HAS_INVOICES and stays as it was (neither deleted nor deactivated); one of another company, or "
    "already deleted, is 404 CLIENT_NOT_FOUND.",
    parameters=[COMPANY_ID, CUSTOMER_ID],
    responses={
        204: OpenApiResponse(description="Deleted; no body."),
        **error_responses(400, 404, 409, conflict=ErrorCode.CLIENT_HAS_INVOICES),
    },
    examples=[
        OpenApiExample(
            "Has invoices",
            response_only=True,
            status_codes=["409"],
            value=error_example(
                "CLIENT_HAS_INVOICES",
                "Cannot delete customer because it has associated invoices; deactivate it instead",
            ),
        ),
    ],
)

delete_company_customers_bulk = extend_schema(
    operation_id="deleteCompanyCustomersBulk",
    summary="Delete several customers of the company",
    description=f"Deletes the customers listed in `ids`, as deleteCompanyCustomer does each. {_DELETING} "
    "**Partial:** those that can be deleted are; every submitted id keeps its place in `customers_deletion` "
    "(0-based `index`, in request order, never filtered) with its `status`, so the answer is 200 even when "
    "nothing was deleted. `statistics` counts the rows (`deleted + not_found + has_invoices + errors = "
    "total_processed`). `deactivated_ids`, `total`, `successful`, `failed` and `errors` are BeeL's deprecated "
    "aliases. At most 100 distinct ids (400 BAD_REQUEST past that); none is 400 MISSING_PARAMETER.",
    parameters=[
        COMPANY_ID,
        OpenApiParameter(
            "ids",
            {"type": "string", "minLength": 1, "pattern": r"[^,\s]"},
            OpenApiParameter.QUERY,
            required=True,
            description="Comma-separated customer IDs (at most 100 distinct ones)",
        ),
    ],
    responses={200: CustomerBulkDeleteResultSerializer, **error_responses(400)},
    examples=[
        OpenApiExample(
            "Partial",
            response_only=True,
            status_codes=["200"],
            value=envelope_example(
                {
                    "metadata": {"total_customers": 2, "operation": OPERATION, "is_dry_run": False},
                    "customers_deletion": [
                        {"index": 0, "customer_id": "550e8400-e29b-41d4-a716-446655440001", "status": "DELETED"},
                        {
                            "index": 1,
                            "customer_id": "550e8400-e29b-41d4-a716-446655440000",
                            "status": "HAS_INVOICES",
                            "error": {
                                "code": "CLIENT_HAS_INVOICES",
                                "message": "Cannot delete customer because it has associated invoices; "
                                "deactivate it instead",
                            },
                        },
                    ],
                    "statistics": {"total_processed": 2, "deleted": 1, "not_found": 0, "has_invoices": 1, "errors": 0},
                    "deleted_ids": ["550e8400-e29b-41d4-a716-446655440001"],
                    "deactivated_ids": ["550e8400-e29b-41d4-a716-446655440001"],
                    "total": 2,
                    "successful": 1,
                    "failed": 1,
                    "errors": [
                        {
                            "customer_id": "550e8400-e29b-41d4-a716-446655440000",
                            "error": {
                                "code": "CLIENT_HAS_INVOICES",
                                "message": "Cannot delete customer because it has associated invoices; "
                                "deactivate it instead",
                            },
                        }
                    ],
                }
            ),
        ),
    ],
)

_IMPORT = (
    "Reads a CSV of customers (multipart `file`, with `source` `csv`) and answers BeeL's unified result, as "
    "importCustomersCsvPreview does (the same columns, limits and row statuses: 400 CSV_FILE_TOO_LARGE past 5 MB, "
    "TOO_MANY_RECORDS past 1,000 rows, MISSING_HEADERS, CSV_INVALID; 413 FILE_TOO_LARGE past 12 MB). A row whose "
    "NIF or alternative id an active customer of this company (or an earlier row) already holds is DUPLICATE: "
    "reported, never created again, so importing the same file twice creates nothing the second time. "
    "`source` `holded` (BeeL's import of Holded's .xlsx contacts) is not supported by beel: 422 VALIDATION_ERROR "
    "with `details.allowed_values` `csv`."
)

create_company_customer_import = extend_schema(
    operation_id="createCompanyCustomerImport",
    summary="Import customers into the company",
    description=f"{_IMPORT} The VALID and WARNING rows are created in one transaction (each with its audit entry "
    "and `customer.created` event) and carry their `customer_id`; 201, with `statistics.imported` the number "
    "created. To see what would happen without writing, use previewCompanyCustomerImport.",
    parameters=[COMPANY_ID, REQUIRED_IDEMPOTENCY_KEY],
    request={"multipart/form-data": CompanyCustomerImportSerializer},
    responses={
        201: CustomerValidationUnifiedResultSerializer,
        **error_responses(400, 409, 413, 415, conflict=ErrorCode.IDEMPOTENCY_KEY_MISMATCH),
    },
    examples=[
        OpenApiExample(
            "No Idempotency-Key",
            response_only=True,
            status_codes=["400"],
            value=error_example("IDEMPOTENCY_KEY_REQUIRED", "This operation requires an Idempotency-Key header"),
        ),
    ],
)

preview_company_customer_import = extend_schema(
    operation_id="previewCompanyCustomerImport",
    summary="Preview an import of customers into the company",
    description=f"{_IMPORT} Writes nothing: 200, `statistics.imported` 0 and `importable` the rows an import "
    "would create.",
    parameters=[COMPANY_ID],
    request={"multipart/form-data": CompanyCustomerImportSerializer},
    responses={200: CustomerValidationUnifiedResultSerializer, **error_responses(400, 413, 415)},
)
