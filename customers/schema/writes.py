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
    BulkCreationResultSerializer,
    CustomerDetailSerializer,
    CustomerReplaceSerializer,
    CustomerWriteSerializer,
)


@extend_schema_field(
    {
        "description": "A customer as `createCustomer` takes it (CustomerWriteRequest). Each item is validated on "
        "its own: one that is not valid, whatever it holds, fails alone and is reported in `errors` by its "
        "index, while the valid ones are created.",
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
    description="Up to 100 customers, each validated on its own with the rules of `createCustomer`. "
    "**Partial behavior:** every valid item is created (all of them in one transaction); the others are "
    "reported in `errors` by their index in the request, with `VALIDATION_ERROR` (and `details`) or "
    "`CLIENT_DUPLICATE` (an active customer, or an earlier item, has the NIF). With `dry_run=true` "
    "nothing is written and the same report is returned (with no `created_ids`). The answer is 200 even when "
    "every item failed.",
    parameters=[
        OpenApiParameter(
            "dry_run",
            OpenApiTypes.BOOL,
            OpenApiParameter.QUERY,
            required=False,
            description="Validate and report only; write nothing",
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
        200: BulkCreationResultSerializer,
        **error_responses(400, 409, 413, 415, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
    examples=[
        OpenApiExample(
            "Partial success",
            response_only=True,
            status_codes=["200"],
            value=envelope_example(
                {
                    "total": 2,
                    "successful": 1,
                    "failed": 1,
                    "dry_run": False,
                    "created_ids": ["550e8400-e29b-41d4-a716-446655440000"],
                    "errors": [
                        {
                            "index": 1,
                            "error": {
                                "code": "VALIDATION_ERROR",
                                "message": "The provided data is not valid",
                                "details": {
                                    "nif": "Not a valid Spanish NIF, NIE or CIF (check the control character)."
                                },
                            },
                        }
                    ],
                }
            ),
        )
    ],
)
