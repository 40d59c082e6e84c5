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
    ImportReportSerializer,
)

NO_FORMAT_PARAMETER = OpenApiParameter("format", exclude=True)
_CSV_DOWNLOAD = {"type": "string", "description": "`;`-separated UTF-8 with a byte order mark (BOM)."}

_IMPORT_DESCRIPTION = """Reads a CSV of customers and reports every data row by its `line` in the file (the
header is line 1) with a `status`:

- `VALID`: will be created as it is;
- `WARNING`: will be created, but a value is stored otherwise than the file wrote it (a phone in E.164, a
  NIF without separators, an email in lower case) or cells beyond the header's last column were ignored;
  `messages` say which;
- `ERROR`: a value breaks a rule of `createCustomer` (`messages` name the fields); not created;
- `NIF_INVALID`: the NIF is missing or not valid; not created;
- `DUPLICATE`: an active customer of the account already has the NIF, or an earlier line of the file
  does; not created.

Each row also shows the `customer` as `createCustomer` would take it. Rows are validated with exactly the
rules of `createCustomer` and `createCustomersBulk`.

**`dry_run`** is true unless `dry_run=false` is sent: nothing is written. With `dry_run=false` the `VALID`
and `WARNING` rows are created in one transaction (each with its audit entry and `customer.created` event):
all of them, or none if anything fails meanwhile (a 409 `CLIENT_DUPLICATE` when a concurrent request
took one of the NIFs); `created_ids` lists them.

**The file** (multipart field `file`): at most 5 MiB (413 `PAYLOAD_TOO_LARGE`) and 1,000 data rows (400
`CSV_TOO_MANY_ROWS`); UTF-8 with or without a BOM, or Windows-1252 (as Excel saves CSV in Spain); `;` or `,`
between cells, whichever separates the header line; blank lines skipped. Headers are matched without
case or accents, in Spanish or English: `Razón social` (`nombre`, `legal name`...), `NIF` (`CIF`, `DNI`,
`NIE`, `tax id`...), `Email` (`correo`...), `Teléfono` (`móvil`, `phone`...), `Dirección` (`calle`,
`domicilio`, `street`...), `Número`, `Piso`, `Puerta`, `Código postal` (`CP`, `zip`...), `Ciudad`
(`localidad`, `población`, `city`...), `Provincia`, `País`, `Código de país`, `Nombre comercial`, `Tipo de
identificación`, `Número de identificación`, `País de identificación` (the `alternative_id`; `2` reads as
`02`), `Emails de facturación` (separated by commas, spaces or line breaks), `Persona de contacto`, `Web`,
`Notas`, `Descuento general` (`12,5` or `12.5`), `Forma de pago`, `IBAN`, `BIC`, `Días de pago`,
`Metadatos` (a JSON object); `Razón social` is required, and each row needs a `NIF` or an alternative id
(else `NIF_INVALID`). Other
columns are listed in `ignored_columns` and ignored, as are the export's own (`Activo`, `Fecha de alta`,
`Fecha de baja`, `ID`), so an export re-imports. A file that is not CSV text, has no header line, lacks a
required column or names one twice is a 400 `CSV_INVALID`."""

import_customers_csv = extend_schema(
    operation_id="importCustomersCsv",
    summary="Import customers from a CSV (preview, then write)",
    description=_IMPORT_DESCRIPTION,
    parameters=[
        OpenApiParameter(
            "dry_run",
            OpenApiTypes.BOOL,
            OpenApiParameter.QUERY,
            required=False,
            default=True,
            description="true (the default): report only. false: create the VALID and WARNING rows.",
        )
    ],
    request={"multipart/form-data": CsvUploadSerializer},
    responses={
        200: ImportReportSerializer,
        **error_responses(400, 409, 413, 415, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
    examples=[
        OpenApiExample(
            "A preview",
            response_only=True,
            status_codes=["200"],
            value=envelope_example(
                {
                    "dry_run": True,
                    "encoding": "windows-1252",
                    "delimiter": ";",
                    "columns": {"Razón social": "legal_name", "NIF": "nif", "Teléfono": "phone"},
                    "ignored_columns": ["Observaciones"],
                    "total": 2,
                    "counts": {"VALID": 0, "WARNING": 1, "ERROR": 0, "DUPLICATE": 0, "NIF_INVALID": 1},
                    "created": 0,
                    "created_ids": [],
                    "rows": [
                        {
                            "line": 2,
                            "status": "WARNING",
                            "messages": [{"field": "phone", "message": "Teléfono stored as '+34912345678'"}],
                            "customer": {
                                "legal_name": "Tech Solutions SL",
                                "nif": "B12345674",
                                "phone": "+34912345678",
                            },
                            "customer_id": None,
                        },
                        {
                            "line": 3,
                            "status": "NIF_INVALID",
                            "messages": [
                                {
                                    "field": "nif",
                                    "message": "Not a valid Spanish NIF, NIE or CIF (check the control character).",
                                }
                            ],
                            "customer": {"legal_name": "Peña Hermanos SL", "nif": "B12345670"},
                            "customer_id": None,
                        },
                    ],
                }
            ),
        )
    ],
)

csv_template = extend_schema(
    operation_id="getCustomersCsvTemplate",
    summary="The CSV import template",
    description="The header line the import expects (`Razón social;NIF;Email;Teléfono;Dirección;Número;Piso;"
    "Puerta;Código postal;Ciudad;Provincia;País;Código de país;Nombre comercial;Tipo de identificación;Número de "
    "identificación;País de identificación;Emails de facturación;Persona de contacto;Web;Notas;Descuento general;"
    "Forma de pago;IBAN;BIC;Días de pago;Metadatos`), `;`-separated UTF-8 with a BOM, as a download.",
    parameters=[NO_FORMAT_PARAMETER],
    responses={(200, "text/csv"): OpenApiResponse(response=_CSV_DOWNLOAD, description="The template.")},
)

export_customers = extend_schema(
    operation_id="exportCustomersCsv",
    summary="Export customers as CSV",
    description="Every customer that `listCustomers` would list with the same filters and sort (all pages; "
    "paging parameters are ignored), streamed as a CSV download in the template's columns followed by "
    "`Activo` (sí/no), `Fecha de alta`, `Fecha de baja` (UTC, ISO 8601) and `ID`: `;`-separated UTF-8 with a "
    "BOM (Excel in Spain opens it as is). A cell starting with `=`, `+`, `-` or `@` (a phone in E.164, "
    "for instance) is written with a leading apostrophe so no spreadsheet runs it as a formula (OWASP's "
    "CSV injection advice); the import takes the apostrophe off again. Invalid parameters are a 400 in the "
    "envelope, answered before the download starts. Answers `text/csv` (or JSON envelopes for errors).",
    filters=True,  # the list's filters and sort, from CustomerFilterSet
    parameters=[METADATA_PARAMETER, NO_FORMAT_PARAMETER],
    responses={
        (200, "text/csv"): OpenApiResponse(response=_CSV_DOWNLOAD, description="The customers."),
        **error_responses(400),
    },
)
