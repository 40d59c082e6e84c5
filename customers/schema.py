"""OpenAPI descriptions of the customer endpoints, with the examples of the spec pages
(../shared/spec/beel-*.txt). Kept apart from the views so they stay thin."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from beel.api.schema import envelope_example, error_example, error_responses
from beel.api.serializers import page_serializer
from beel.errors import ErrorCode
from customers.serializers import (
    MAX_BULK_CREATE,
    BulkCreationResultSerializer,
    BulkDeactivationResultSerializer,
    CustomerDetailSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
    MergeSerializer,
)

CUSTOMER_ID = OpenApiParameter(
    "customer_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Customer ID (UUID)"
)

_SPEC_CUSTOMER = {
    "id": "123e4567-e89b-12d3-a456-426614174000",
    "legal_name": "Tech Solutions SL",
    "nif": "B12345674",
    "email": "admin@techsolutions.com",
    "phone": "+34912345678",
    "address": {
        "street": "Calle Mayor",
        "number": "15",
        "postal_code": "28013",
        "city": "Madrid",
        "province": "Madrid",
        "country": "España",
    },
    "active": True,
    "created_at": "2024-06-15T10:30:00Z",
    "updated_at": "2025-01-10T14:00:00Z",
}


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


list_customers = extend_schema(
    operation_id="listCustomers",
    summary="List customers",
    description="Returns a paginated list of customers with optional filters. Partial filters and `search` "
    "are case- and accent-insensitive; `nif` ignores spaces and dashes; `phone` ignores spaces and a leading "
    "+34/0034; `city`/`province` match the whole value, case- and accent-insensitively. Ties in the sort "
    "order are broken by id, so pages never repeat or skip a customer.",
    responses={200: page_serializer("CustomerPage", "customers", CustomerSerializer), **error_responses(400)},
    examples=[
        OpenApiExample(
            "Customer list with pagination",
            response_only=True,
            status_codes=["200"],
            value=envelope_example(
                {
                    "customers": [_SPEC_CUSTOMER],
                    "pagination": {
                        "current_page": 1,
                        "items_per_page": 20,
                        "total_items": 1,
                        "total_pages": 1,
                        "has_next": False,
                        "has_previous": False,
                        "next_cursor": None,
                    },
                }
            ),
        ),
        OpenApiExample(
            "Invalid parameters",
            response_only=True,
            status_codes=["400"],
            value=error_example(
                "VALIDATION_ERROR",
                "The provided data is not valid",
                {"limit": "limit must be less than or equal to 100."},
            ),
        ),
    ],
)

retrieve_customer = extend_schema(
    operation_id="getCustomer",
    summary="Get a customer",
    description="One customer of the key's account, with `deactivated_at` (null while active). Another "
    "account's customer is a 404, as if it did not exist.",
    parameters=[CUSTOMER_ID],
    responses={200: CustomerDetailSerializer, **error_responses(400, 404)},
)

create_customer = extend_schema(
    operation_id="createCustomer",
    summary="Create a customer",
    description="`nif` is checked with its control character when the country is Spain (DNI, NIE, CIF) and "
    "stored upper case without separators; `phone` is stored in E.164. Unknown fields are rejected.",
    request=CustomerWriteSerializer,
    responses={
        201: CustomerDetailSerializer,
        **error_responses(400, 409, 415, conflict=ErrorCode.CUSTOMER_ALREADY_EXISTS),
    },
)

update_customer = extend_schema(
    operation_id="updateCustomer",
    summary="Update a customer (partial)",
    parameters=[CUSTOMER_ID],
    request=CustomerWriteSerializer(partial=True),
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, 415, conflict=ErrorCode.CUSTOMER_ALREADY_EXISTS),
    },
)

deactivate_customer = extend_schema(
    operation_id="deactivateCustomer",
    summary="Deactivate customer",
    description="Deactivates (marks as deleted) a customer. **Soft delete:** the customer is not physically "
    "deleted, only marked as inactive. **Restriction:** cannot deactivate a customer with associated invoices. "
    "Deactivating an inactive customer succeeds again (idempotent).",
    parameters=[CUSTOMER_ID],
    responses={
        200: inline_serializer("DeactivationResult", {"message": serializers.CharField()}),
        **error_responses(400, 404, 409, conflict=ErrorCode.CLIENT_HAS_INVOICES),
    },
    examples=[
        OpenApiExample(
            "Deactivated",
            response_only=True,
            status_codes=["200"],
            value=envelope_example({"message": "Customer deactivated successfully"}),
        ),
        OpenApiExample(
            "Has invoices",
            response_only=True,
            status_codes=["409"],
            value=error_example("CLIENT_HAS_INVOICES", "Cannot deactivate customer because it has associated invoices"),
        ),
        OpenApiExample(
            "Not found",
            response_only=True,
            status_codes=["404"],
            value=error_example("NOT_FOUND", "Customer not found"),
        ),
    ],
)

bulk_deactivate_customers = extend_schema(
    operation_id="deleteCustomersBulk",
    summary="Delete multiple customers",
    description="Deactivates (marks as deleted) multiple customers in a single operation. **Soft delete.** "
    "**Partial behavior:** valid customers are deactivated, failures are reported in the errors array "
    "(`VALIDATION_ERROR` for a malformed id, `NOT_FOUND`, `CLIENT_HAS_INVOICES`); the answer is 200 even when "
    "every id failed. At most 100 distinct ids; duplicates count once.",
    parameters=[
        OpenApiParameter(
            "ids",
            # At least one id: something other than commas and blanks.
            {"type": "string", "minLength": 1, "pattern": r"[^,\s]"},
            OpenApiParameter.QUERY,
            required=True,
            description="Comma-separated customer IDs (at most 100 distinct ones)",
        )
    ],
    responses={
        200: BulkDeactivationResultSerializer,
        **error_responses(400),
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
                    "deactivated_ids": ["550e8400-e29b-41d4-a716-446655440001"],
                    "errors": [
                        {
                            "customer_id": "550e8400-e29b-41d4-a716-446655440000",
                            "error": {
                                "code": "CLIENT_HAS_INVOICES",
                                "message": "Cannot deactivate customer because it has associated invoices",
                            },
                        }
                    ],
                }
            ),
        ),
        OpenApiExample(
            "Missing ids",
            response_only=True,
            status_codes=["400"],
            value=error_example(
                "BAD_REQUEST", "Query parameter 'ids' is required: a comma-separated list of customer IDs"
            ),
        ),
    ],
)

reactivate_customer = extend_schema(
    operation_id="reactivateCustomer",
    summary="Reactivate a customer",
    description="Undoes a deactivation. Refused with CUSTOMER_ALREADY_EXISTS when another active customer now "
    "has the same NIF.",
    parameters=[CUSTOMER_ID],
    request=None,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, conflict=ErrorCode.CUSTOMER_ALREADY_EXISTS),
    },
)

bulk_create_customers = extend_schema(
    operation_id="createCustomersBulk",
    summary="Create multiple customers",
    description="Up to 100 customers, each validated on its own with the rules of `createCustomer`. "
    "**Partial behavior:** every valid item is created (all of them in one transaction); the others are "
    "reported in `errors` by their index in the request, with `VALIDATION_ERROR` (and `details`) or "
    "`CUSTOMER_ALREADY_EXISTS` (an active customer, or an earlier item, has the NIF). With `dry_run=true` "
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
        **error_responses(400, 409, 413, 415, conflict=ErrorCode.CUSTOMER_ALREADY_EXISTS),
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

anonymize_customer = extend_schema(
    operation_id="anonymizeCustomer",
    summary="Erase a customer's personal data (right to be forgotten)",
    description="GDPR art. 17, within Spanish retention law. A customer without issued invoices still under "
    "retention is anonymised now: name (replaced by a placeholder), NIF (freed), email, phone and address "
    "are scrubbed, the customer stays inactive and its id still answers; the history records the erasure "
    "without the erased values. A customer with issued invoices (issued, paid, or cancelled after being "
    "issued) must keep the identity on them for six years from the end of the year of the last one "
    "(Código de Comercio art. 30; "
    "Ley General Tributaria art. 66 asks four): the request is recorded, the customer is deactivated and can "
    "take no invoice, the answer is 409 RETENTION_ACTIVE with `details.retain_until`, and the customer is "
    "anonymised automatically after that day. Asking again answers the same.",
    parameters=[CUSTOMER_ID],
    request=None,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, conflict=ErrorCode.RETENTION_ACTIVE),
    },
    examples=[
        OpenApiExample(
            "Retention active",
            response_only=True,
            status_codes=["409"],
            value=error_example(
                "RETENTION_ACTIVE",
                "Invoices issued to this customer must be kept until the retention period ends; the erasure is "
                "recorded and the customer will be anonymised then",
                {"retain_until": "2031-12-31"},
            ),
        )
    ],
)

merge_customer = extend_schema(
    operation_id="mergeCustomer",
    summary="Merge a duplicate customer into another",
    description="Both customers belong to the key's account and mode; the one named by `into` survives and "
    "must be active. The duplicate's draft invoices move to the survivor; its issued invoices stay with it "
    "(they are legal documents). The duplicate becomes inactive with `merged_into` and still answers GET with "
    "its record; it can no longer be edited or reactivated (CUSTOMER_MERGED). Merging again into the same "
    "survivor answers the same.",
    parameters=[CUSTOMER_ID],
    request=MergeSerializer,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, 415, conflict=ErrorCode.CUSTOMER_MERGED),
    },
)
