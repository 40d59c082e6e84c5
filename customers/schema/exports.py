"""OpenAPI descriptions of the customer export jobs (customers.export_views), flat and canonical."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from beel.api.schema import error_responses
from beel.errors import ErrorCode
from customers.schema.company import CANONICAL, COMPANY_ID
from customers.schema.spreadsheet import _CSV_DOWNLOAD, NO_FORMAT_PARAMETER, TOTAL_ROWS
from customers.serializers.exports import CustomerExportRequestSerializer, CustomerExportSerializer

EXPORT_ID = OpenApiParameter("export_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The job's id.")
REPR_DIGEST = OpenApiParameter(
    "Repr-Digest",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="RFC 9530: `sha-256=:<base64>:` of the file.",
)
JOB_LOCATION = OpenApiParameter(
    "Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[202], description="The job's status resource."
)

_START = """beel's extension: starts a job exporting every customer that `exportCustomersCsv` would write with
the same filters and sort, given as a JSON object of the same names (`{"active": true, "sort_by": "legal_name",
"metadata": {"plan": "pro"}}`; an empty body exports every customer; a name it does not read is a 400 naming it).
Answers 202 with the job (`status` `queued`), whose `url` (also `Location`) is polled until `succeeded`, then
`download_url` gives the file, byte for byte what the direct export writes; or `failed`. The end of a job is
also the event `customer_export.succeeded` or `customer_export.failed`, sent to webhooks. The file is kept
`expires_at` (EXPORT_RETENTION_HOURS after the end), then the job and its file are deleted. Honours
`Idempotency-Key`: a retry of the same request returns the same job."""
_STATUS = "beel's extension: an export job's status (`queued`, `running`, `succeeded`, `failed`)."
_DOWNLOAD = """beel's extension: the finished export's file, with `Content-Length`, `X-Total-Rows` (its customers)
and `Repr-Digest` (its SHA-256), so a cut download is detected. 409 EXPORT_NOT_READY before the job succeeded,
410 EXPORT_EXPIRED once its file is no longer kept."""
_ERRORS = (400, 403, 404)


def _operations(prefix: str, extra: str, parameters: list) -> tuple:
    start = extend_schema(
        operation_id=f"start{prefix}CustomerExport",
        summary="Start a customer export job",
        description=_START + extra,
        parameters=[*parameters, JOB_LOCATION],
        request=CustomerExportRequestSerializer,
        responses={202: CustomerExportSerializer, **error_responses(400, 403, 415, 422)},
    )
    status = extend_schema(
        operation_id=f"get{prefix}CustomerExport",
        summary="A customer export job's status",
        description=_STATUS + extra,
        parameters=[*parameters, EXPORT_ID],
        responses={200: CustomerExportSerializer, **error_responses(*_ERRORS)},
    )
    download = extend_schema(
        operation_id=f"download{prefix}CustomerExport",
        summary="Download a finished customer export",
        description=_DOWNLOAD + extra,
        parameters=[*parameters, EXPORT_ID, NO_FORMAT_PARAMETER, TOTAL_ROWS, REPR_DIGEST],
        responses={
            (200, "text/csv"): OpenApiResponse(response=_CSV_DOWNLOAD, description="The export's file."),
            **error_responses(*_ERRORS, 409, 410, conflict=ErrorCode.EXPORT_NOT_READY),
        },
    )
    return start, status, download


start_customer_export, get_customer_export, download_customer_export = _operations("", "", [])
start_company_customer_export, get_company_customer_export, download_company_customer_export = _operations(
    "Company", CANONICAL, [COMPANY_ID]
)
