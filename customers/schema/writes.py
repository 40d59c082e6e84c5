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
    CustomerChangeSerializer,
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
    description="BeeL 1.9.0's createCustomer. `nif` is checked with its control character when "
    "`address.country_code` is ES (DNI, NIE, CIF; 422 NIF_INVALID_FORMAT / NIF_INVALID_CONTROL_DIGIT) and stored "
    "upper case without separators; `phone` is stored in E.164; `trade_name` left out is the legal name. "
    + ALTERNATIVE_ID_RULES
    + "The NIF or alternative id is unique among the account's active customers (409 CLIENT_DUPLICATE, empty "
    "`details`). Unknown fields are ignored, as BeeL ignores them. beel's extensions: `metadata`, an address "
    "left out (or without street, postal code and city), and the lifecycle fields of the answer.",
    request=CustomerWriteSerializer,
    responses={
        201: CustomerDetailSerializer,
        **error_responses(400, 409, 415, 422, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
)

update_customer = extend_schema(
    operation_id="patchCustomer",
    summary="Update a customer (partial)",
    description="BeeL 1.9.0's patchCustomer: only the fields sent change, with the rules of `createCustomer`. "
    "`null` clears trade_name, phone, email, website, billing_emails (or `[]`), contact_person, notes and "
    "general_discount; `nif`, `legal_name` and `address` cannot be cleared (a null `nif` keeps it). `address`, "
    "`alternative_id`, `preferred_payment_method` and `metadata` sent replace the stored ones whole. A `nif` "
    "sent replaces an alternative id and an `alternative_id` a NIF. `active`: false deactivates (409 "
    "CLIENT_HAS_INVOICES while it has invoices), true reactivates (409 CLIENT_DUPLICATE when another active "
    "customer holds its identity). 404 CLIENT_NOT_FOUND for a customer the key cannot see.",
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
