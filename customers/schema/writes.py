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


create_customer = extend_schema(
    operation_id="createCustomer",
    summary="Create a customer",
    description="`nif` is checked with its control character when `address.country_code` is ES (DNI, NIE, CIF) "
    "and stored upper case without separators; `phone` is stored in E.164. "
    + ALTERNATIVE_ID_RULES
    + "The NIF or alternative id is unique among the account's active customers (409 CLIENT_DUPLICATE). "
    "Unknown fields are rejected.",
    request=CustomerWriteSerializer,
    responses={
        201: CustomerDetailSerializer,
        **error_responses(400, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)

update_customer = extend_schema(
    operation_id="updateCustomer",
    summary="Update a customer (partial)",
    description="Only the fields sent change, with the rules of `createCustomer`; `alternative_id`, "
    "`preferred_payment_method` and `metadata` are replaced as a whole (null clears the first two). To switch "
    "from a NIF to an alternative id send `nif: null` with it.",
    parameters=[CUSTOMER_ID],
    request=CustomerWriteSerializer(partial=True),
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)

replace_customer = extend_schema(
    operation_id="replaceCustomer",
    summary="Replace a customer (full update)",
    description="The whole record, with the rules of `createCustomer`: a field left out is reset to its default "
    "(empty text, `address.country` España / `country_code` ES, `general_discount` 0.00, no alternative id, "
    "payment method, billing emails or metadata); `legal_name` and a `nif` or `alternative_id` are required. "
    "`active`, when sent, deactivates (409 CLIENT_HAS_INVOICES while it has invoices) or reactivates "
    "(409 CLIENT_DUPLICATE when another active customer holds its identity) with the rules of those "
    "endpoints; the change is all or nothing. Idempotent.",
    parameters=[CUSTOMER_ID],
    request=CustomerReplaceSerializer,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)


bulk_create_customers = extend_schema(
    operation_id="createCustomersBulk",
    summary="Create multiple customers",
    description="Up to 500 customers, each validated on its own with the rules of `createCustomer` and checked "
    "against the account's active customers and the earlier items (same NIF or alternative id). The answer is "
    "BeeL's unified result: `metadata` (`source_type` `BULK_JSON`), `customers_validation` (one entry per item "
    "by its 0-based `index`, with its `status`, `errors`, `warnings` and the `customer` it echoes) and "
    "`statistics`.\n\n"
    "**Atomic:** with `dry_run=false` (the default) every item is created in one transaction, each with its "
    "audit entry and `customer.created` event, and the answer is **201** with every row's `customer_id`. If "
    "any item is `ERROR`, `NIF_INVALID` or `DUPLICATE`, nothing is written and the answer is **422 "
    "`BULK_VALIDATION_ERROR`** whose `error.errors` lists every problem as `{index, field, message}`. With "
    "`dry_run=true` nothing is written and the same report is answered with **200**, whatever the items hold.",
    parameters=[
        OpenApiParameter(
            "dry_run",
            OpenApiTypes.BOOL,
            OpenApiParameter.QUERY,
            required=False,
            default=False,
            description="true: validate and report only (200). false (the default): validate and create (201).",
        )
    ],
    request=inline_serializer(
        "BulkCreateCustomers",
        {
            "customers": serializers.ListField(
                child=BulkCreationItemField(), min_length=1, max_length=MAX_BULK_CREATE, allow_empty=False
            )
        },
    ),
    responses={
        200: CustomerValidationUnifiedResultSerializer,
        201: CustomerValidationUnifiedResultSerializer,
        **error_responses(400, 409, 413, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
    examples=[
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
    ],
)
