"""OpenAPI descriptions of the canonical customer routes, `/companies/{company_id}/customers...` (BeeL 1.9.0's
CompanyCustomers and Templates tags), and of beel's extensions reachable under them. Their operationIds are
BeeL's; the extensions' add `Company` to the flat ones' so every operation keeps its own id."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from beel.api.schema import error_responses
from beel.errors import ErrorCode
from customers.schema.common import CUSTOMER_ID, METADATA_PARAMETER
from customers.schema.reads import CUSTOMER_PAGE, LIST_DESCRIPTION
from customers.schema.spreadsheet import _CSV_DOWNLOAD, _TEMPLATE_DESCRIPTION, NO_FORMAT_PARAMETER, TOTAL_ROWS
from customers.schema.writes import (
    BULK_CREATE_DESCRIPTION,
    BULK_CREATE_EXAMPLES,
    BULK_CREATE_REQUEST,
    BULK_CREATE_RESPONSES,
    CREATE_DESCRIPTION,
    DRY_RUN_PARAMETER,
    PATCH_DESCRIPTION,
)
from customers.serializers import (
    CustomerChangeSerializer,
    CustomerDetailSerializer,
    CustomerWriteSerializer,
    MergeSerializer,
)

COMPANY_ID = OpenApiParameter(
    "company_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The company's id (UUID), not its NIF: the only context of the operation (a `BeeL-Active-Company` "
    "header is not read). A company that does not exist, another account's and one the key is not allowed are "
    "all 403 ACTIVE_COMPANY_NOT_ACCESSIBLE; an id that is not a UUID is 400 VALIDATION_ERROR naming `company_id`.",
)

CANONICAL = (
    "\n\nA canonical route: it acts on the path's company only, answers 400 VALIDATION_ERROR naming any query "
    "parameter it does not declare, and sends neither `Sunset` nor `BeeL-Warning`."
)

LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201],
    description="The new customer's canonical URL, `/api/v1/companies/{company_id}/customers/{customer_id}`.",
)

ACTIVE_DEFAULT_TRUE = OpenApiParameter(
    "active",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    required=False,
    default=True,
    description="Filter by active/inactive status (true unless sent)",
)

# 403: the company (ACTIVE_COMPANY_NOT_ACCESSIBLE) or the scope (INSUFFICIENT_SCOPE).
_COMPANY_ERRORS = (400, 403)

list_company_customers = extend_schema(
    operation_id="listCompanyCustomers",
    summary="List a company's customers",
    description="BeeL 1.9.0's listCompanyCustomers: the company's customers, as `listCustomers` lists them, "
    "but `active` defaults to true (send `active=false` for the inactive ones) and an empty list has "
    "`total_pages` 1. " + LIST_DESCRIPTION + CANONICAL,
    parameters=[COMPANY_ID, ACTIVE_DEFAULT_TRUE, METADATA_PARAMETER],
    responses={200: CUSTOMER_PAGE, **error_responses(*_COMPANY_ERRORS, 422)},
)

create_company_customer = extend_schema(
    operation_id="createCompanyCustomer",
    summary="Create a customer of a company",
    description="BeeL 1.9.0's createCompanyCustomer: 201 with the customer and its URL in `Location`. "
    "An `Idempotency-Key` names the same operation as on the flat `createCustomer` for this company, so a retry "
    "that switches route replays the first answer instead of creating twice. " + CREATE_DESCRIPTION + CANONICAL,
    parameters=[COMPANY_ID, LOCATION],
    request=CustomerWriteSerializer,
    responses={
        201: CustomerDetailSerializer,
        **error_responses(*_COMPANY_ERRORS, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)

get_company_customer = extend_schema(
    operation_id="getCompanyCustomer",
    summary="Get a customer of a company",
    description="BeeL 1.9.0's getCompanyCustomer: as `getCustomer`; a customer of another company (or another "
    "account) is 404 CLIENT_NOT_FOUND, as if it did not exist." + CANONICAL,
    parameters=[COMPANY_ID, CUSTOMER_ID],
    responses={200: CustomerDetailSerializer, **error_responses(*_COMPANY_ERRORS, 404)},
)

patch_company_customer = extend_schema(
    operation_id="patchCompanyCustomer",
    summary="Update a customer of a company (partial)",
    description="BeeL 1.9.0's patchCompanyCustomer: " + PATCH_DESCRIPTION + " There is no PUT under a company "
    "(405 METHOD_NOT_ALLOWED with `Allow`)." + CANONICAL,
    parameters=[COMPANY_ID, CUSTOMER_ID],
    request=CustomerChangeSerializer,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(*_COMPANY_ERRORS, 404, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)

create_company_customers_bulk = extend_schema(
    operation_id="createCompanyCustomersBulk",
    summary="Create multiple customers of a company",
    description="BeeL 1.9.0's createCompanyCustomersBulk, checked against the company's customers. "
    + BULK_CREATE_DESCRIPTION
    + CANONICAL,
    parameters=[COMPANY_ID, DRY_RUN_PARAMETER],
    request=BULK_CREATE_REQUEST,
    responses={**BULK_CREATE_RESPONSES, **error_responses(403)},
    examples=BULK_CREATE_EXAMPLES,
)


def _extension(operation_id: str, flat_operation_id: str, summary: str, **kwargs):
    """One of beel's own operations under the canonical prefix: the flat one's, within the path's company."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=f"beel's extension: `{flat_operation_id}` (see it for the rules), within the path's company; "
        "a customer of another company is 404 CLIENT_NOT_FOUND." + CANONICAL,
        **kwargs,
    )


reactivate_company_customer = _extension(
    "reactivateCompanyCustomer",
    "reactivateCustomer",
    "Reactivate a customer of a company",
    parameters=[COMPANY_ID, CUSTOMER_ID],
    request=None,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(*_COMPANY_ERRORS, 404, 409, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)

anonymize_company_customer = _extension(
    "anonymizeCompanyCustomer",
    "anonymizeCustomer",
    "Erase the personal data of a customer of a company",
    parameters=[COMPANY_ID, CUSTOMER_ID],
    request=None,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(*_COMPANY_ERRORS, 404, 409, conflict=ErrorCode.RETENTION_ACTIVE),
    },
)

merge_company_customer = _extension(
    "mergeCompanyCustomer",
    "mergeCustomer",
    "Merge a duplicate customer of a company into another of the same company",
    parameters=[COMPANY_ID, CUSTOMER_ID],
    request=MergeSerializer,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(*_COMPANY_ERRORS, 404, 409, 415, conflict=ErrorCode.CUSTOMER_MERGED),
    },
)

export_company_customers = _extension(
    "exportCompanyCustomersCsv",
    "exportCustomersCsv",
    "Export a company's customers as CSV",
    filters=True,
    parameters=[COMPANY_ID, METADATA_PARAMETER, NO_FORMAT_PARAMETER, TOTAL_ROWS],
    responses={
        (200, "text/csv"): OpenApiResponse(response=_CSV_DOWNLOAD, description="The customers."),
        **error_responses(*_COMPANY_ERRORS, 409, conflict=ErrorCode.EXPORT_TOO_LARGE),
    },
)

download_customer_import_template = extend_schema(
    operation_id="downloadCustomerImportTemplate",
    summary="The customer import template",
    description="BeeL 1.9.0's downloadCustomerImportTemplate: the file that `POST "
    "/companies/{company_id}/customers/imports` takes with `source=csv`, the same for every credential and company "
    "(the flat `POST /customers/templates/csv` answers it too), sent with `Cache-Control: private, max-age=3600`. "
    + _TEMPLATE_DESCRIPTION,
    parameters=[NO_FORMAT_PARAMETER],
    request=None,
    responses={(200, "text/csv"): OpenApiResponse(response=_CSV_DOWNLOAD, description="The template.")},
)
