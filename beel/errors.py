"""Every error the service can answer, in one enumeration, and the base of the domain errors.

Services, forms, the admin and the commands raise `DomainError` subclasses; they never import the HTTP
layer. The API's one exception handler (beel.api.exceptions) turns them, and every other failure, into
the error envelope with `code`, and `code.status` as the HTTP status. The OpenAPI schema and the table of
docs/api.md list exactly these codes (tests/api/test_error_codes.py holds them to it).
"""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """A stable code, the HTTP status it is answered with, and what it means to the caller."""

    status: int
    meaning: str

    def __new__(cls, code: str, status: int, meaning: str):
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        member.meaning = meaning
        return member

    BAD_REQUEST = "BAD_REQUEST", 400, "The request is malformed (an unreadable upload, missing or too many ids)."
    VALIDATION_ERROR = (
        "VALIDATION_ERROR",
        422,
        "A value is not acceptable; `details` maps each field or parameter to its message (an enum value: "
        "`{field, invalid_value, allowed_values}`). 400 instead when a query or path parameter does not parse "
        "as its type, and on the three seed operations where their pages say so.",
    )
    INVALID_JSON_FORMAT = (
        "INVALID_JSON_FORMAT",
        400,
        "The body is not JSON, or a property has the wrong JSON type or format; `details` names the "
        "`field`, the `invalid_value` and the `expected_format`.",
    )
    UNAUTHORIZED = "UNAUTHORIZED", 401, "Missing, malformed, unknown, revoked or expired API key."
    INSUFFICIENT_SCOPE = (
        "INSUFFICIENT_SCOPE",
        403,
        "The API key lacks a scope the operation requires; `details.missing_scopes` and "
        "`details.required_scopes` name them (comma-separated, as BeeL's).",
    )
    NOT_FOUND = "NOT_FOUND", 404, "No such resource for this account."
    ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND", 404, "No operation at this path."
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", 405, "The route exists but not with this HTTP method."
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE", 406, "The Accept header asks for something other than JSON."
    CONFLICT = "CONFLICT", 409, "The request conflicts with the resource's current state."
    CLIENT_HAS_INVOICES = "CLIENT_HAS_INVOICES", 409, "The customer has invoices and cannot be deactivated."
    CUSTOMER_INACTIVE = "CUSTOMER_INACTIVE", 409, "The customer is deactivated; reactivate it first."
    CUSTOMER_MERGED = "CUSTOMER_MERGED", 409, "The customer was merged into another (`merged_into`); use that one."
    CUSTOMER_ERASURE_PENDING = (
        "CUSTOMER_ERASURE_PENDING",
        409,
        "The customer asked to be forgotten; it stays inactive until it is anonymised.",
    )
    CUSTOMER_ANONYMIZED = "CUSTOMER_ANONYMIZED", 409, "The customer was anonymised; its record no longer changes."
    RETENTION_ACTIVE = (
        "RETENTION_ACTIVE",
        409,
        "Invoices issued to the customer must be kept until `details.retain_until`; it is anonymised then.",
    )
    INVOICE_NOT_DRAFT = (
        "INVOICE_NOT_DRAFT",
        409,
        "Only a draft can be issued; this invoice is already issued, paid or cancelled.",
    )
    INVOICE_NOT_CANCELLABLE = "INVOICE_NOT_CANCELLABLE", 409, "A paid invoice cannot be cancelled."
    INVOICE_NOT_PAYABLE = (
        "INVOICE_NOT_PAYABLE",
        409,
        "Only an issued invoice takes a payment, and only while it is issued or paid can one be undone; this "
        "invoice is a draft, cancelled, or already paid.",
    )
    IDEMPOTENCY_KEY_MISMATCH = (
        "IDEMPOTENCY_KEY_MISMATCH",
        409,
        "The Idempotency-Key was already used with a different request.",
    )
    IDEMPOTENCY_KEY_PROCESSING = (
        "IDEMPOTENCY_KEY_PROCESSING",
        409,
        "A request with this Idempotency-Key is still being served; retry after the `Retry-After` seconds.",
    )
    INVALID_IDEMPOTENCY_KEY = (
        "INVALID_IDEMPOTENCY_KEY",
        400,
        "The Idempotency-Key is not 1 to 255 letters, digits, `_` or `-`.",
    )
    ALTERNATIVE_ID_INVALID = (
        "ALTERNATIVE_ID_INVALID",
        422,
        "The `alternative_id` breaks an AEAT rule (type for the country, EU VAT checksum, or given with a `nif`).",
    )
    CSV_INVALID = (
        "CSV_INVALID",
        400,
        "The uploaded file is not a readable CSV (encoding, quoting), has no header line, or lacks a required column.",
    )
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", 413, "The body is larger than the service accepts."
    REQUEST_BODY_TOO_LARGE = (
        "REQUEST_BODY_TOO_LARGE",
        413,
        "The body is larger than the service accepts; `details` gives `max_size_bytes` and `declared_size_bytes`.",
    )
    URI_TOO_LONG = (
        "URI_TOO_LONG",
        414,
        "The query string (or, answered by the server before the app, the whole request line) is longer than "
        "the service accepts.",
    )
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE", 415, "The body is not application/json."
    RATE_LIMIT_EXCEEDED = (
        "RATE_LIMIT_EXCEEDED",
        429,
        "Too many requests; retry after the `Retry-After` seconds.",
    )
    INTERNAL_ERROR = "INTERNAL_ERROR", 500, "Unexpected failure; quote the `request_id` to support."
    SERVICE_UNAVAILABLE = (
        "SERVICE_UNAVAILABLE",
        503,
        "The database or the task queue is unreachable, or the query took too long; retry after the `Retry-After` "
        "seconds.",
    )
    BULK_VALIDATION_ERROR = (
        "BULK_VALIDATION_ERROR",
        422,
        "An item of a bulk creation is not valid or is a duplicate; `error.errors` lists each problem by the item's "
        "`index`, and nothing was written.",
    )
    MISSING_HEADERS = (
        "MISSING_HEADERS",
        400,
        "The CSV's header line lacks a required column; `details` has `missing_headers` and `found_headers`.",
    )
    TOO_MANY_RECORDS = (
        "TOO_MANY_RECORDS",
        400,
        "The CSV has more records than one import accepts; `details` has `record_count` and `max_records`.",
    )
    CSV_FILE_TOO_LARGE = (
        "CSV_FILE_TOO_LARGE",
        400,
        "The CSV is larger than an import accepts; `details` has `file_size_mb` and `max_file_size_mb`.",
    )
    FILE_TOO_LARGE = "FILE_TOO_LARGE", 413, "The uploaded file is far larger than any import accepts."
    # What the HTTP server refuses before the app reads the request (issue 26; docs/deploy.md, "Limits").
    REQUEST_HEADERS_TOO_LARGE = (
        "REQUEST_HEADERS_TOO_LARGE",
        431,
        "The request has more headers, or a longer header, than the server reads (50 headers of 8190 bytes).",
    )
    EXPECTATION_FAILED = "EXPECTATION_FAILED", 417, "The `Expect` header asks for something other than 100-continue."
    TRANSFER_CODING_NOT_IMPLEMENTED = (
        "TRANSFER_CODING_NOT_IMPLEMENTED",
        501,
        "The body's `Transfer-Encoding` is not one the server reads (chunked is).",
    )
    # The CSV import's own limit (issue 26): refused before the rows are read.
    TOO_MANY_COLUMNS = (
        "TOO_MANY_COLUMNS",
        400,
        "A line of the CSV has more cells than an import reads; `details` has `line`, `column_count` and "
        "`max_columns`.",
    )

    # BeeL 1.9.0's codes for the customer record (issue 23).
    CLIENT_NOT_FOUND = (
        "CLIENT_NOT_FOUND",
        404,
        "No such customer for this account (get, PUT, PATCH and beel's extensions).",
    )
    CLIENT_DUPLICATE = (
        "CLIENT_DUPLICATE",
        409,
        "An active customer of the account already has this NIF (or alternative id); `details` is empty.",
    )
    ALTERNATIVE_ID_COUNTRY_REQUIRED = (
        "ALTERNATIVE_ID_COUNTRY_REQUIRED",
        422,
        "`alternative_id.country_code` is required for a type other than PASSPORT and NOT_REGISTERED.",
    )
    ALTERNATIVE_ID_SPAIN_INVALID_TYPE = (
        "ALTERNATIVE_ID_SPAIN_INVALID_TYPE",
        422,
        "With `alternative_id.country_code` ES only PASSPORT and NOT_REGISTERED are allowed.",
    )
    ALTERNATIVE_ID_REQUIRES_SPAIN = (
        "ALTERNATIVE_ID_REQUIRES_SPAIN",
        422,
        "A NOT_REGISTERED alternative id requires country_code ES.",
    )
    RECIPIENT_UNREGISTERED_ID_MUST_BE_DNI_OR_NIE = (
        "RECIPIENT_UNREGISTERED_ID_MUST_BE_DNI_OR_NIE",
        422,
        "A NOT_REGISTERED alternative id's number must be a Spanish DNI or NIE.",
    )
    ALTERNATIVE_ID_VAT_REQUIRES_EU_COUNTRY = (
        "ALTERNATIVE_ID_VAT_REQUIRES_EU_COUNTRY",
        422,
        "A NIF_IVA alternative id is for a VAT number of another EU member state.",
    )
    ALTERNATIVE_ID_VAT_INVALID_FORMAT = (
        "ALTERNATIVE_ID_VAT_INVALID_FORMAT",
        422,
        "The NIF_IVA number is not a valid VAT number of its country.",
    )
    NIF_INVALID_FORMAT = "NIF_INVALID_FORMAT", 422, "The `nif` is not shaped as a Spanish NIF, NIE or CIF."
    NIF_INVALID_CONTROL_DIGIT = "NIF_INVALID_CONTROL_DIGIT", 422, "The `nif`'s control character is wrong."
    FIELD_BLANK = "FIELD_BLANK", 422, "A required field is absent or empty; `details.field` names it."
    COUNTRY_CODE_REQUIRED = (
        "COUNTRY_CODE_REQUIRED",
        422,
        "The address' country (or country_code) is not a country the service knows; send an ISO 3166-1 code.",
    )
    COUNTRY_CODE_MISMATCH = (
        "COUNTRY_CODE_MISMATCH",
        422,
        "The address' `country` and `country_code` name different countries.",
    )

    # BeeL 1.9.0's companies (issue 24).
    ACTIVE_COMPANY_NOT_ACCESSIBLE = (
        "ACTIVE_COMPANY_NOT_ACCESSIBLE",
        403,
        "The company (path `company_id` or `BeeL-Active-Company`) does not exist or this API key cannot reach it.",
    )
    ACTIVE_COMPANY_REQUIRED = (
        "ACTIVE_COMPANY_REQUIRED",
        403,
        "The account has several companies: name one with the `BeeL-Active-Company` header (or use the "
        "`/v1/companies/{company_id}/...` routes).",
    )
    ACTIVE_COMPANY_HEADER_INVALID = (
        "ACTIVE_COMPANY_HEADER_INVALID",
        400,
        "The `BeeL-Active-Company` header is not a company id (a UUID).",
    )
    ACCOUNT_NOT_ACCESSIBLE = "ACCOUNT_NOT_ACCESSIBLE", 403, "The account in the path is not this API key's account."
    EMISSION_NOT_READY = (
        "EMISSION_NOT_READY",
        422,
        "The issuing company's fiscal identity is incomplete; `details.missing_fields` names what is missing.",
    )
    # BeeL 1.9.0's canonical customer routes: deletion and imports (issue 24).
    MISSING_PARAMETER = (
        "MISSING_PARAMETER",
        400,
        "A required query parameter is missing (`ids` of a canonical bulk deletion); `details` names it.",
    )
    IDEMPOTENCY_KEY_REQUIRED = (
        "IDEMPOTENCY_KEY_REQUIRED",
        400,
        "The operation requires an `Idempotency-Key` header (the canonical customer import).",
    )

    RECIPIENT_TAX_ID_INVALID = (
        "RECIPIENT_TAX_ID_INVALID",
        422,
        "The customer's tax id is not in its registry (AEAT's census or VIES: `tax_id_verification.status` "
        "INVALID); `details` names the customer. Correct the customer (a new check runs) or, staff only, issue "
        "with a recorded reason in the admin.",
    )

    # Customer exports as background jobs (issue 26).
    EXPORT_TOO_LARGE = (
        "EXPORT_TOO_LARGE",
        409,
        "More customers match than a direct export streams (`details.max_rows`); start an export job "
        "(`POST /customers/exports`, same filters) and download its file when it is done.",
    )
    EXPORT_NOT_READY = (
        "EXPORT_NOT_READY",
        409,
        "The export job has not succeeded (yet): `details.status` says where it is; poll its status resource.",
    )
    EXPORT_EXPIRED = "EXPORT_EXPIRED", 410, "The export's file was kept until `details.expired_at`; start a new export."


class DomainError(Exception):
    """A failure of a use case that the caller can act on. Subclasses set `code` and a default message."""

    code: ErrorCode = ErrorCode.BAD_REQUEST
    default_message = "Invalid request"
    # The HTTP status when it is not the code's own (VALIDATION_ERROR is 422, but 400 for a parameter that
    # does not parse: BeeL's InvalidRequestTarget).
    status: int | None = None

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        # In the language of the moment it is raised: English for the API (beel.locale), the staff's language
        # in the admin, where the services' messages are shown as they are (default_message is lazy).
        self.message = str(message or self.default_message)
        self.details = details
        super().__init__(self.message)

    @property
    def status_code(self) -> int:
        return self.status or self.code.status


class BadRequest(DomainError):
    pass


class InsufficientScope(DomainError):
    """BeeL's 403 for a key without the operation's scope: the scopes as comma-separated strings."""

    code = ErrorCode.INSUFFICIENT_SCOPE

    def __init__(self, *, required: list[str], granted: list[str]):
        missing = [scope for scope in required if scope not in granted]
        super().__init__(
            f"This API key lacks the required scope: {', '.join(missing)}",
            details={"missing_scopes": ",".join(missing), "required_scopes": ",".join(required)},
        )


class ValidationFailed(DomainError):
    """422: the request parsed, but a value is not acceptable (BeeL's ValidationError and
    UnprocessableQueryParameter: `limit=101`, `page=0`)."""

    code = ErrorCode.VALIDATION_ERROR
    default_message = "The provided data is not valid"


class InvalidParameter(ValidationFailed):
    """400 VALIDATION_ERROR: a query or path parameter that does not parse as its type, an enum value it does
    not know, or a parameter the operation does not declare (BeeL's InvalidRequestTarget: the fault is in
    the request target, not its content)."""

    status = 400
    default_message = "Invalid request parameters"


class InvalidJsonFormat(DomainError):
    """400 INVALID_JSON_FORMAT: the body is not JSON, or a property has the wrong JSON type or format.
    `details` is BeeL's FieldDeserializationError: `{field, invalid_value, expected_format}`."""

    code = ErrorCode.INVALID_JSON_FORMAT
    default_message = "The request body is not valid JSON for this operation"


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND
    default_message = "Resource not found"


class Conflict(DomainError):
    code = ErrorCode.CONFLICT
    default_message = "The request conflicts with the current state of the resource"


class MissingParameter(DomainError):
    """400 MISSING_PARAMETER: a query parameter the operation requires was not sent (BeeL 1.9.0); `details`
    names it."""

    code = ErrorCode.MISSING_PARAMETER
    default_message = "A required query parameter is missing"
