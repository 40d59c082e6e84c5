"""OpenAPI descriptions of the customer writes: create (one or in bulk), update and replace."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from beel.api.schema import envelope_example, error_responses
from beel.errors import ErrorCode
from customers.schema.common import ALTERNATIVE_ID_RULES, CUSTOMER_ID
from customers.serializers import (
    MAX_BULK_CREATE,
    CustomerChangeSerializer,
    CustomerDetailSerializer,
    CustomerReplaceSerializer,
    CustomerValidationUnifiedResultSerializer,
    CustomerWriteSerializer,
)


@extend_schema_field(
    {
        "description": "A customer as `createCustomer` takes it (CustomerWriteRequest). Each item is validated on "
        "its own: one that is not valid, whatever it holds, is reported by its index (and keeps the batch from "
        "being created).",
        "anyOf": [{"$ref": "#/components/schemas/CustomerWriteRequest"}, {}],
    }
)
class BulkCreationItemField(serializers.JSONField):
    pass


CREATE_DESCRIPTION = (
    "`nif` is checked with its control character when "
    "`address.country_code` is ES (DNI, NIE, CIF; 422 NIF_INVALID_FORMAT / NIF_INVALID_CONTROL_DIGIT) and stored "
    "upper case without separators; `phone` is stored in E.164; `trade_name` left out is the legal name. "
    + ALTERNATIVE_ID_RULES
    + "The NIF or alternative id is unique among the company's active customers (409 CLIENT_DUPLICATE, empty "
    "`details`). Unknown fields are ignored, as BeeL ignores them. beel's extensions: `metadata`, an address "
    "left out (or without street, postal code and city), and the lifecycle fields of the answer."
)

create_customer = extend_schema(
    operation_id="createCustomer",
    summary="Create a customer",
    description="BeeL 1.9.0's createCustomer. " + CREATE_DESCRIPTION,
    request=CustomerWriteSerializer,
    responses={
        201: CustomerDetailSerializer,
        **error_responses(400, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)

PATCH_DESCRIPTION = (
    "only the fields sent change, with the rules of `createCustomer`. "
    "`null` clears trade_name, phone, email, website, billing_emails (or `[]`), contact_person, notes and "
    "general_discount; `nif`, `legal_name` and `address` cannot be cleared (a null `nif` keeps it). `address`, "
    "`alternative_id`, `preferred_payment_method` and `metadata` sent replace the stored ones whole. A `nif` "
    "sent replaces an alternative id and an `alternative_id` a NIF. `active`: false deactivates (409 "
    "CLIENT_HAS_INVOICES while it has invoices), true reactivates (409 CLIENT_DUPLICATE when another active "
    "customer holds its identity). 404 CLIENT_NOT_FOUND for a customer the key cannot see."
)

update_customer = extend_schema(
    operation_id="patchCustomer",
    summary="Update a customer (partial)",
    description="BeeL 1.9.0's patchCustomer: " + PATCH_DESCRIPTION,
    parameters=[CUSTOMER_ID],
    request=CustomerChangeSerializer,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)

replace_customer = extend_schema(
    operation_id="updateCustomer",
    summary="Update a customer (full replacement)",
    description="BeeL 1.9.0's updateCustomer, with the rules of `createCustomer`; no field is required. "
    "`trade_name`, `email`, `website`, `billing_emails`, `contact_person`, `notes` and `general_discount` left "
    "out are cleared (the trade name is not refilled from the legal name); everything else left out is kept: "
    "`legal_name`, the identifier (`nif` and `alternative_id` are exclusive, the one sent replaces the other), "
    "`address`, `phone`, `preferred_payment_method`, `active` and beel's `metadata`. A customer read with GET "
    "can be sent back as is and nothing changes. `active`, when sent, deactivates (409 CLIENT_HAS_INVOICES "
    "while it has invoices) or reactivates (409 CLIENT_DUPLICATE when another active customer holds its "
    "identity) with the rules of those endpoints; the change is all or nothing. Idempotent. 404 "
    "CLIENT_NOT_FOUND for a customer the key cannot see.",
    parameters=[CUSTOMER_ID],
    request=CustomerReplaceSerializer,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)


BULK_CREATE_DESCRIPTION = (
    "Up to 500 customers, each validated on its own with the rules of `createCustomer` and checked "
    "against the company's active customers and the earlier items (same NIF or alternative id). The answer is "
    "BeeL's unified result: `metadata` (`source_type` `BULK_JSON`), `customers_validation` (one entry per item "
    "by its 0-based `index`, with its `status`, `errors`, `warnings` and the `customer` it echoes) and "
    "`statistics`.\n\n"
    "**Atomic:** with `dry_run=false` (the default) every item is created in one transaction, each with its "
    "audit entry and `customer.created` event, and the answer is **201** with every row's `customer_id`. If "
    "any item is `ERROR`, `NIF_INVALID` or `DUPLICATE`, nothing is written and the answer is **422 "
    "`BULK_VALIDATION_ERROR`** whose `error.errors` lists every problem as `{index, field, message}`. With "
    "`dry_run=true` nothing is written and the same report is answered with **200**, whatever the items hold."
)

DRY_RUN_PARAMETER = OpenApiParameter(
    "dry_run",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    required=False,
    default=False,
    description="true: validate and report only (200). false (the default): validate and create (201).",
)

BULK_CREATE_REQUEST = inline_serializer(
    "BulkCreateCustomers",
    {
        "customers": serializers.ListField(
            child=BulkCreationItemField(), min_length=1, max_length=MAX_BULK_CREATE, allow_empty=False
        )
    },
)

BULK_CREATE_RESPONSES = {
    200: CustomerValidationUnifiedResultSerializer,
    201: CustomerValidationUnifiedResultSerializer,
    **error_responses(400, 409, 413, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
}

BULK_CREATE_EXAMPLES = [
    OpenApiExample(
        "Created",
        response_only=True,
        status_codes=["201"],
        value=envelope_example(
            {
                "metadata": {
                    "total_customers": 1,
                    "is_dry_run": False,
                    "processing_time_ms": 12,
                    "source_type": "BULK_JSON",
                },
                "customers_validation": [
                    {
                        "index": 0,
                        "status": "VALID",
                        "errors": [],
                        "warnings": [],
                        "customer": {"legal_name": "Tech Solutions SL", "nif": "B12345674"},
                        "customer_id": "550e8400-e29b-41d4-a716-446655440000",
                    }
                ],
                "statistics": {
                    "total_processed": 1,
                    "valid": 1,
                    "with_warnings": 0,
                    "with_errors": 0,
                    "duplicates": 0,
                    "invalid_nifs": 0,
                    "imported": 1,
                    "success_rate": 1.0,
                    "importable": 1,
                    "not_importable": 0,
                },
            }
        ),
    ),
    OpenApiExample(
        "Rejected",
        response_only=True,
        status_codes=["422"],
        value={
            "success": False,
            "error": {
                "code": "BULK_VALIDATION_ERROR",
                "message": "The batch was rejected: some customers are not valid; nothing was created",
                "errors": [
                    {
                        "index": 1,
                        "field": "nif",
                        "message": "Not a valid Spanish NIF, NIE or CIF (check the control character).",
                    }
                ],
            },
            "meta": {"timestamp": "2025-01-15T10:30:00Z", "request_id": "4bf92f3577b34da6a3ce929d0e0e4736"},
        },
    ),
]

bulk_create_customers = extend_schema(
    operation_id="createCustomersBulk",
    summary="Create multiple customers",
    description=BULK_CREATE_DESCRIPTION,
    parameters=[DRY_RUN_PARAMETER],
    request=BULK_CREATE_REQUEST,
    responses=BULK_CREATE_RESPONSES,
    examples=BULK_CREATE_EXAMPLES,
)
