"""BeeL's response schemas for the flat customer routes, transcribed as facts (JSON Schema, draft 2020-12).

Source: BeeL's OpenAPI 1.9.0 (`lenorix/BeeL-php-sdk`, build/openapi.json at 35f89066, and the generated
classes under src/Generated/Model and src/Generated/Endpoint), digested in ../shared/spec/beel-customers-1.9.0.md.
Each schema names the 1.9.0 schema it stands for. Only what a response must satisfy is written down: names,
JSON types, enums, required and nullable (bounds where the contract states them). For the three seed operations
(list, DELETE one customer, DELETE bulk) the seed pages (../shared/spec/beel-*.txt) win, and their shape is
transcribed instead.

beel may add fields (its documented extensions, docs/api.md), so objects leave `additionalProperties` open;
what BeeL defines must hold exactly.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def nullable(schema: Schema) -> Schema:
    """OpenAPI 3.0's `nullable: true`: the value may also be JSON null."""
    return {"anyOf": [schema, {"type": "null"}]}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
UUID: Schema = {"type": "string", "format": "uuid"}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}

# ResponseMeta: both properties optional and nullable.
RESPONSE_META: Schema = {
    "type": "object",
    "properties": {"timestamp": nullable(DATE_TIME), "request_id": nullable(STRING)},
}

# NIF: DNI, CIF or NIE, 9 characters, upper case.
NIF: Schema = {
    "type": "string",
    "minLength": 9,
    "maxLength": 9,
    "pattern": r"^(\d{8}[A-Z]|[ABCDEFGHJKLMNPQRSUVW]\d{7}[A-Z0-9]|[XYZ]\d{7}[A-Z])$",
}

# Email: a string of 5 to 255 characters in email format.
EMAIL: Schema = {"type": "string", "format": "email", "minLength": 5, "maxLength": 255}

# Phone (read shape): at most 20 characters; 1.9.0 tells clients to read it defensively.
PHONE: Schema = {"type": "string", "maxLength": 20}

# AddressResponse: the read shape of an address; no field is guaranteed (records from before the street
# number was collected have none), every field nullable.
ADDRESS_RESPONSE: Schema = {
    "type": "object",
    "properties": {
        "street": nullable(STRING),
        "number": nullable(STRING),
        "floor": nullable(STRING),
        "door": nullable(STRING),
        "postal_code": nullable(STRING),
        "city": nullable(STRING),
        "province": nullable(STRING),
        "country": nullable(STRING),
        "country_code": nullable({"type": "string", "pattern": r"^[A-Z]{2}$"}),
    },
}

# PaymentMethod: the closed vocabulary (BIZUM is new in 1.9.0).
PAYMENT_METHODS = ("NONE", "BANK_TRANSFER", "CARD", "CASH", "CHECK", "DIRECT_DEBIT", "BIZUM", "OTHER")
PAYMENT_METHOD: Schema = {"type": "string", "enum": list(PAYMENT_METHODS)}

# PaymentInfo: every property optional and nullable.
PAYMENT_INFO: Schema = {
    "type": "object",
    "properties": {
        "method": nullable(PAYMENT_METHOD),
        "iban": nullable(STRING),
        "swift": nullable(STRING),
        "payment_term_days": nullable(INTEGER),
    },
}

# AlternativeIdentifier: nullable object, `type` and `number` required; names preferred, the numeric
# codes 02..07 deprecated but still part of the enum.
ALTERNATIVE_ID_TYPES = (
    "NIF_IVA",
    "PASSPORT",
    "COUNTRY_ID",
    "RESIDENCE_CERTIFICATE",
    "OTHER_DOCUMENT",
    "NOT_REGISTERED",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
)
ALTERNATIVE_IDENTIFIER: Schema = nullable(
    {
        "type": "object",
        "required": ["type", "number"],
        "properties": {
            "type": {"type": "string", "enum": list(ALTERNATIVE_ID_TYPES)},
            "number": {"type": "string", "minLength": 1, "maxLength": 20},
            "country_code": nullable({"type": "string", "pattern": r"^[A-Z]{2}$", "minLength": 2, "maxLength": 2}),
        },
    }
)

# Customer: the response shape of one customer. `website`, not `web`.
CUSTOMER: Schema = {
    "type": "object",
    "required": ["id", "legal_name", "address", "created_at"],
    "properties": {
        "id": UUID,
        "legal_name": STRING,
        "trade_name": nullable(STRING),
        "nif": nullable(NIF),
        "address": ADDRESS_RESPONSE,
        "phone": nullable(PHONE),
        "email": nullable(EMAIL),
        "website": nullable({"type": "string", "maxLength": 255, "pattern": r"^(https?://.+|)$"}),
        "billing_emails": nullable({"type": "array", "items": EMAIL}),
        "contact_person": nullable(STRING),
        "notes": nullable({"type": "string", "maxLength": 1000}),
        "preferred_payment_method": PAYMENT_INFO,
        "general_discount": nullable({"type": "number", "minimum": 0, "maximum": 100}),
        "active": nullable(BOOLEAN),
        "created_at": DATE_TIME,
        "updated_at": nullable(DATE_TIME),
        "alternative_id": ALTERNATIVE_IDENTIFIER,
    },
}

# Pagination: four integers required, the two flags optional and nullable.
PAGINATION: Schema = {
    "type": "object",
    "required": ["current_page", "total_pages", "total_items", "items_per_page"],
    "properties": {
        "current_page": INTEGER,
        "total_pages": INTEGER,
        "total_items": INTEGER,
        "items_per_page": INTEGER,
        "has_next": nullable(BOOLEAN),
        "has_previous": nullable(BOOLEAN),
    },
}


def success(data: Schema) -> Schema:
    """SuccessResponse: `success` true, `data`, optional `meta` (ResponseMeta)."""
    return {
        "type": "object",
        "required": ["success", "data"],
        "properties": {"success": {"const": True}, "data": data, "meta": RESPONSE_META},
    }


# FieldDeserializationError: what a 400 INVALID_JSON_FORMAT (and an out-of-vocabulary enum, 422) carries.
FIELD_DESERIALIZATION_ERROR: Schema = {
    "type": "object",
    "required": ["field", "invalid_value"],
    "properties": {
        "field": STRING,
        "invalid_value": STRING,
        "expected_format": nullable(STRING),
        "allowed_values": nullable(STRING),
    },
}

# The flat map of a 422 VALIDATION_ERROR: {"<snake_case.path>": "message"}.
FIELD_MESSAGES: Schema = {"type": "object", "additionalProperties": STRING}


def error(codes: list[str] | None = None, details: Schema | None = None, required_details: bool = False) -> Schema:
    """ErrorResponse: `success` false and `error {code, message, details?}` required; `meta` and the RFC 9457
    fields (`type`, `title`, `detail`, `instance`) optional. `codes`/`details` narrow it to one response of
    one operation, as 1.9.0 names it."""
    body: Schema = {
        "type": "object",
        "required": ["code", "message"] + (["details"] if required_details else []),
        "properties": {
            "code": {"type": "string", "enum": codes} if codes else STRING,
            "message": STRING,
            "details": details or {"type": "object"},
        },
    }
    return {
        "type": "object",
        "required": ["success", "error"],
        "properties": {
            "success": {"const": False},
            "error": body,
            "meta": RESPONSE_META,
            "type": STRING,
            "title": STRING,
            "detail": STRING,
            "instance": STRING,
        },
    }


ERROR_RESPONSE = error()
# ResponseInvalidJsonFormat: the 400 of create, PUT and PATCH.
RESPONSE_INVALID_JSON_FORMAT = error(["INVALID_JSON_FORMAT"], FIELD_DESERIALIZATION_ERROR, required_details=True)
# InvalidRequestTarget: the target could not be read as declared: a path or query parameter that does not
# parse as its type (VALIDATION_ERROR: a UUID that is not one, an unknown enum value), a required parameter
# not sent (MISSING_PARAMETER), a bad company header. Its schema is the plain ErrorResponse; the parameter is
# named in `error.details` (1.9.0's example uses the FieldDeserializationError shape).
INVALID_REQUEST_TARGET = error(["VALIDATION_ERROR", "MISSING_PARAMETER", "ACTIVE_COMPANY_HEADER_INVALID"])
# UnprocessableQueryParameter: parsed but not admitted (limit=0, limit=101, page=0), details per parameter.
UNPROCESSABLE_QUERY_PARAMETER = error(["VALIDATION_ERROR"], FIELD_MESSAGES)
# ValidationError (422): a flat field map, or a FieldDeserializationError with allowed_values for an enum.
VALIDATION_ERROR = error(["VALIDATION_ERROR"], {"anyOf": [FIELD_MESSAGES, FIELD_DESERIALIZATION_ERROR]})
# NotFound for {customer_id}: CLIENT_NOT_FOUND (NOT_FOUND only as the generic fallback).
CLIENT_NOT_FOUND = error(["CLIENT_NOT_FOUND"])
# StateConflict (409): the codes relevant to customers and idempotency.
STATE_CONFLICT = error(
    [
        "CLIENT_DUPLICATE",
        "CLIENT_HAS_INVOICES",
        "CONCURRENT_MODIFICATION",
        "IDEMPOTENCY_KEY_PROCESSING",
        "IDEMPOTENCY_KEY_MISMATCH",
    ]
)
# 401: no key, or a key that is not valid.
UNAUTHORIZED = error(["UNAUTHORIZED"])
# 403 (closed list of codes); a missing scope is INSUFFICIENT_SCOPE, whose details name the scopes as
# comma-separated strings, not arrays.
INSUFFICIENT_SCOPE = error(
    ["INSUFFICIENT_SCOPE"],
    {
        "type": "object",
        "required": ["missing_scopes", "required_scopes"],
        "properties": {"missing_scopes": STRING, "required_scopes": STRING},
    },
    required_details=True,
)
# 409 CLIENT_DUPLICATE: details `{}`, the identifier is not echoed.
CLIENT_DUPLICATE = error(["CLIENT_DUPLICATE"], {"type": "object", "maxProperties": 0})
# 429 (rate limit tiers): RATE_LIMIT_EXCEEDED with Retry-After and RateLimit-* headers.
RATE_LIMIT_EXCEEDED = error(["RATE_LIMIT_EXCEEDED"])
RATE_LIMIT_HEADERS = ("Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
# IdempotencyKeyHeader: a key outside ^[a-zA-Z0-9_-]+$ (or over 255) is 400 INVALID_IDEMPOTENCY_KEY.
INVALID_IDEMPOTENCY_KEY = error(["INVALID_IDEMPOTENCY_KEY"])

# createCustomersBulk 422: BULK_VALIDATION_ERROR, nothing written, `error.errors[{index, field, message}]`.
BULK_VALIDATION_ERROR: Schema = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"const": False},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"const": "BULK_VALIDATION_ERROR"},
                "message": STRING,
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"index": INTEGER, "field": STRING, "message": STRING},
                    },
                },
            },
        },
        "meta": RESPONSE_META,
    },
}

# ValidationStatus: a row's verdict in a bulk creation or an import.
VALIDATION_STATUSES = ("VALID", "WARNING", "ERROR", "DUPLICATE", "NIF_INVALID")

# CustomerValidationMetadata.
CUSTOMER_VALIDATION_METADATA: Schema = {
    "type": "object",
    "required": ["total_customers", "is_dry_run", "processing_time_ms", "source_type"],
    "properties": {
        "total_customers": INTEGER,
        "is_dry_run": BOOLEAN,
        "processing_time_ms": INTEGER,
        "source_type": {"type": "string", "enum": ["BULK_JSON", "CSV_IMPORT", "HOLDED_EXCEL"]},
        "filename": nullable(STRING),
        "file_size_bytes": nullable(INTEGER),
        "total_rows": nullable(INTEGER),
    },
}

# CustomerValidationError and CustomerValidationWarning (`code` optional on errors).
CUSTOMER_VALIDATION_ERROR: Schema = {
    "type": "object",
    "required": ["field", "value", "message"],
    "properties": {"field": STRING, "value": STRING, "message": STRING, "code": STRING},
}
CUSTOMER_VALIDATION_WARNING: Schema = {
    "type": "object",
    "required": ["field", "message"],
    "properties": {"field": STRING, "message": STRING},
}

# CustomerValidationItem: `customer` is an echo of the input (CustomerValidationItemCustomer), deliberately
# not a Customer (no id, no created_at); `customer_id` only on a row that created a customer.
CUSTOMER_VALIDATION_ITEM: Schema = {
    "type": "object",
    "required": ["index", "status", "errors", "warnings"],
    "properties": {
        "index": INTEGER,
        "customer": nullable({"type": "object"}),
        "customer_id": nullable(UUID),
        "status": {"type": "string", "enum": list(VALIDATION_STATUSES)},
        "errors": {"type": "array", "items": CUSTOMER_VALIDATION_ERROR},
        "warnings": {"type": "array", "items": CUSTOMER_VALIDATION_WARNING},
        "row_number": nullable(INTEGER),
    },
}

# CustomerValidationStatistics.
CUSTOMER_VALIDATION_STATISTICS: Schema = {
    "type": "object",
    "required": [
        "total_processed",
        "valid",
        "with_warnings",
        "with_errors",
        "duplicates",
        "invalid_nifs",
        "imported",
        "success_rate",
    ],
    "properties": {
        "total_processed": INTEGER,
        "valid": INTEGER,
        "with_warnings": INTEGER,
        "with_errors": INTEGER,
        "duplicates": INTEGER,
        "invalid_nifs": INTEGER,
        "imported": INTEGER,
        "success_rate": {"type": "number", "minimum": 0, "maximum": 1},
        "importable": INTEGER,
        "not_importable": INTEGER,
    },
}

# CustomerValidationUnifiedResult: bulk creation (BULK_JSON) and CSV import (CSV_IMPORT).
CUSTOMER_VALIDATION_UNIFIED_RESULT: Schema = {
    "type": "object",
    "required": ["metadata", "customers_validation", "statistics"],
    "properties": {
        "metadata": CUSTOMER_VALIDATION_METADATA,
        "customers_validation": {"type": "array", "items": CUSTOMER_VALIDATION_ITEM},
        "statistics": CUSTOMER_VALIDATION_STATISTICS,
    },
}

# The CSV import's whole-file refusals (400): MISSING_HEADERS {missing_headers, found_headers},
# TOO_MANY_RECORDS {record_count, max_records}, CSV_FILE_TOO_LARGE {file_size_mb, max_file_size_mb}.
CSV_IMPORT_REJECTED = error(
    details={
        "type": "object",
        "properties": {
            "missing_headers": {"type": "array", "items": STRING},
            "found_headers": {"type": "array", "items": STRING},
            "record_count": INTEGER,
            "max_records": INTEGER,
            "file_size_mb": {"type": "number"},
            "max_file_size_mb": {"type": "number"},
        },
    }
)

# --- The seed pages (they win over 1.9.0 for these operations) ---

# beel-list-customers.txt: data {customers: [Customer], pagination}.
CUSTOMER_LIST: Schema = {
    "type": "object",
    "required": ["customers", "pagination"],
    "properties": {"customers": {"type": "array", "items": CUSTOMER}, "pagination": PAGINATION},
}

# beel-deactivate-customer.txt: data {message}; 404 NOT_FOUND.
DEACTIVATION_MESSAGE: Schema = {"type": "object", "required": ["message"], "properties": {"message": STRING}}
SEED_NOT_FOUND = error(["NOT_FOUND"])

# beel-delete-customers-bulk.txt: data {total, successful, failed, deactivated_ids, errors[...]}; 400 BAD_REQUEST.
BULK_DEACTIVATION: Schema = {
    "type": "object",
    "required": ["total", "successful", "failed", "deactivated_ids"],
    "properties": {
        "total": INTEGER,
        "successful": INTEGER,
        "failed": INTEGER,
        "deactivated_ids": {"type": "array", "items": STRING},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["customer_id", "error"],
                "properties": {
                    "customer_id": STRING,
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": STRING, "message": STRING},
                    },
                },
            },
        },
    },
}
SEED_BAD_REQUEST = error(["BAD_REQUEST"])

# downloadCustomerTemplateCsv (F11): text/csv with a UTF-8 BOM, `;`-separated, Spanish header names.
TEMPLATE_CSV_HEADER = (
    "nombre_fiscal;nif;email;telefono;direccion_calle;direccion_numero;"
    "direccion_codigo_postal;direccion_poblacion;direccion_provincia"
)
TEMPLATE_CSV_FILENAME = "template_clientes_beel.csv"

# --- the canonical routes (/v1/companies/{company_id}/...) ---
# 403 for a company that does not exist, another account's, or one the key is not allowed: one answer for all.
ACTIVE_COMPANY_NOT_ACCESSIBLE = error(["ACTIVE_COMPANY_NOT_ACCESSIBLE"])
# 405 on a route without that method (no PUT under a company), with an `Allow` header.
METHOD_NOT_ALLOWED = error(["METHOD_NOT_ALLOWED"])
