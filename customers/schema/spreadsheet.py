"""OpenAPI descriptions of the CSV endpoints: import (preview and write), template and export."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)

from beel.api.schema import envelope_example, error_responses
from beel.errors import ErrorCode
from customers.schema.common import METADATA_PARAMETER
from customers.serializers import (
    CsvUploadSerializer,
    CustomerValidationUnifiedResultSerializer,
)

NO_FORMAT_PARAMETER = OpenApiParameter("format", exclude=True)
_CSV_DOWNLOAD = {"type": "string", "description": "`;`-separated UTF-8 with a byte order mark (BOM)."}

_IMPORT_DESCRIPTION = """Reads a CSV of customers and answers BeeL's unified result: `metadata` (`source_type`
`CSV_IMPORT`, `filename`, `file_size_bytes`, `total_rows`; beel adds `encoding`, `delimiter`, `columns` and
`ignored_columns`), `customers_validation` (one entry per data row: `index` 1-based, `row_number` its line
in the file with the header as line 1, `status`, `errors`, `warnings`, `customer`) and `statistics`.

- `VALID`: will be created as it is;
- `WARNING`: will be created, but a value is stored otherwise than the file wrote it (a phone in E.164, a
  NIF without separators, a 4-digit Spanish postal code given back its leading zero) or cells beyond the
  header's last column were ignored; `warnings` say which;
- `ERROR`: values break rules of `createCustomer`; `errors` name every one of them; not created;
- `NIF_INVALID`: the NIF is missing or not valid; not created;
- `DUPLICATE`: an active customer of the company already has the NIF, or an earlier row of the file does;
  not created.

`customer` echoes the row as `createCustomer` would take it (normalised for the rows that will be created).

**`dry_run`** (a form field, as BeeL takes it; beel also reads the query parameter when the form field is
absent) is true unless `false` is sent: nothing is written and `statistics.imported` is 0. With
`dry_run=false` the `VALID` and `WARNING` rows are created in one transaction (each with its audit entry
and `customer.created` event) and carry their `customer_id`; the other rows are reported, not created.

**The file** (multipart field `file`): at most 5 MB (400 `CSV_FILE_TOO_LARGE` with `details.file_size_mb`
and `max_file_size_mb`; a body over 12 MB is refused before it is read, 413 `FILE_TOO_LARGE`) and 1,000
data rows (400 `TOO_MANY_RECORDS` with `details.record_count` and `max_records`); UTF-8 with or without a
BOM, or Windows-1252 (as Excel saves CSV in Spain); `;` or `,` between cells; blank lines skipped. Headers
are matched without case or accents: BeeL's template (`nombre_fiscal`, `nif`, `email`, `telefono`,
`direccion_calle`, `direccion_numero`, `direccion_codigo_postal`, `direccion_poblacion`,
`direccion_provincia`), their English names (`legal_name`, `phone`, `address_street`, `address_number`,
`address_postal_code`, `address_city`, `address_province`) and, beel's extension, Spanish spreadsheet
headers: `Razón social` (`nombre`...), `NIF` (`CIF`, `DNI`, `NIE`...), `Email` (`correo`...), `Teléfono`
(`móvil`...), `Dirección` (`calle`, `domicilio`...), `Número`, `Piso`, `Puerta`, `Código postal` (`CP`...),
`Ciudad` (`localidad`, `población`...), `Provincia`, `País`, `Código de país`, `Nombre comercial`, `Tipo de
identificación`, `Número de identificación`, `País de identificación` (the `alternative_id`; `2` reads as
`02`), `Emails de facturación`, `Persona de contacto`, `Web`, `Notas`, `Descuento general` (`12,5` or
`12.5`), `Forma de pago` (BeeL's names or the Spanish words `Transferencia`, `Domiciliación`, `Efectivo`,
`Tarjeta`, `Bizum`, `Cheque`, `Otro`...), `IBAN`, `BIC`, `Días de pago`, `Metadatos` (a JSON object). The
legal name column is required (400 `MISSING_HEADERS` with `details.missing_headers` and `found_headers`);
each row needs a NIF or an alternative id (else `NIF_INVALID`). Other columns are listed in
`ignored_columns`, and the export's own (`Activo`, `Fecha de alta`, `Fecha de baja`, `ID`) are ignored, so
an export re-imports. A file that is not CSV text, has no header line or names a column twice is a 400
`CSV_INVALID`."""

import_customers_csv = extend_schema(
    operation_id="importCustomersCsvPreview",
    summary="Import customers from a CSV (preview, then write)",
    description=_IMPORT_DESCRIPTION,
    parameters=[
        OpenApiParameter(
            "dry_run",
            OpenApiTypes.BOOL,
            OpenApiParameter.QUERY,
            required=False,
            default=True,
            description="beel's extension, read when the form field `dry_run` is not sent.",
        )
    ],
    request={"multipart/form-data": CsvUploadSerializer},
    responses={
        200: CustomerValidationUnifiedResultSerializer,
        **error_responses(400, 409, 413, 415, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
    examples=[
        OpenApiExample(
            "A preview",
            response_only=True,
            status_codes=["200"],
            value=envelope_example(
                {
                    "metadata": {
                        "total_customers": 1,
                        "is_dry_run": True,
                        "processing_time_ms": 8,
                        "source_type": "CSV_IMPORT",
                        "filename": "clientes.csv",
                        "file_size_bytes": 112,
                        "total_rows": 1,
                        "encoding": "utf-8",
                        "delimiter": ";",
                        "columns": {
                            "nombre_fiscal": "legal_name",
                            "nif": "nif",
                            "direccion_codigo_postal": "postal_code",
                        },
                        "ignored_columns": [],
                    },
                    "customers_validation": [
                        {
                            "index": 1,
                            "row_number": 2,
                            "status": "WARNING",
                            "errors": [],
                            "warnings": [
                                {
                                    "field": "address.postal_code",
                                    "message": "Postal code 8008 read as 08008 (its leading zero was lost)",
                                }
                            ],
                            "customer": {
                                "legal_name": "Tech Solutions SL",
                                "nif": "B12345674",
                                "address": {"postal_code": "08008"},
                            },
                        }
                    ],
                    "statistics": {
                        "total_processed": 1,
                        "valid": 0,
                        "with_warnings": 1,
                        "with_errors": 0,
                        "duplicates": 0,
                        "invalid_nifs": 0,
                        "imported": 0,
                        "success_rate": 1.0,
                        "importable": 1,
                        "not_importable": 0,
                    },
                }
            ),
        )
    ],
)

_TEMPLATE_DESCRIPTION = (
    "BeeL's import template, `template_clientes_beel.csv`: `;`-separated UTF-8 with a byte order mark, the "
    "header `nombre_fiscal;nif;email;telefono;direccion_calle;direccion_numero;direccion_codigo_postal;"
    "direccion_poblacion;direccion_provincia` and example rows, each importable as is."
)


def _template_download(operation_id: str, summary: str, description: str):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[NO_FORMAT_PARAMETER],
        request=None,  # BeeL's POST takes no body (a body sent is not read)
        responses={(200, "text/csv"): OpenApiResponse(response=_CSV_DOWNLOAD, description="The template.")},
    )


csv_template = _template_download("downloadCustomerTemplateCsv", "The CSV import template", _TEMPLATE_DESCRIPTION)
csv_template_alias = _template_download(
    "getCustomersCsvTemplate",
    "The CSV import template (beel's older route)",
    "beel's extension, kept for the clients that used it: the same file as `POST /customers/templates/csv`. "
    + _TEMPLATE_DESCRIPTION,
)


DIRECT_EXPORT_LIMIT = (
    "At most EXPORT_DIRECT_MAX_ROWS customers (50,000 by default) are streamed: more is a 409 EXPORT_TOO_LARGE, "
    "answered before the download starts; export them with a job (`POST /customers/exports`). The response "
    "announces its rows in `X-Total-Rows`, counted in the snapshot the rows are read from: a client that "
    "receives fewer CSV records knows the download was cut."
)
TOTAL_ROWS = OpenApiParameter(
    "X-Total-Rows",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[200],
    description="How many customers the CSV holds (CSV records after the header, not lines); fewer received means "
    "the download was cut.",
)

export_customers = extend_schema(
    operation_id="exportCustomersCsv",
    summary="Export customers as CSV",
    description="Every customer that `listCustomers` would list with the same filters and sort (all pages; "
    "paging parameters are ignored), streamed as a CSV download in beel's spreadsheet columns (those the "
    "import reads) followed by "
    "`Activo` (sí/no), `Fecha de alta`, `Fecha de baja` (UTC, ISO 8601) and `ID`: `;`-separated UTF-8 with a "
    "BOM (Excel in Spain opens it as is). A cell starting with `=`, `+`, `-` or `@` (a phone in E.164, "
    "for instance) is written with a leading apostrophe so no spreadsheet runs it as a formula (OWASP's "
    "CSV injection advice); the import takes the apostrophe off again. Invalid parameters are a 400 in the "
    "envelope, answered before the download starts. Answers `text/csv` (or JSON envelopes for errors). "
    + DIRECT_EXPORT_LIMIT,
    filters=True,  # the list's filters and sort, from CustomerFilterSet
    parameters=[METADATA_PARAMETER, NO_FORMAT_PARAMETER, TOTAL_ROWS],
    responses={
        (200, "text/csv"): OpenApiResponse(response=_CSV_DOWNLOAD, description="The customers."),
        **error_responses(400, 409, conflict=ErrorCode.EXPORT_TOO_LARGE),
    },
)
