"""OpenAPI descriptions of a customer's lifecycle: deactivation (one or in bulk), reactivation, erasure and
merge."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from beel.api.schema import envelope_example, error_example, error_responses
from beel.errors import ErrorCode
from customers.schema.common import CUSTOMER_ID
from customers.serializers import (
    BulkDeactivationResultSerializer,
    CustomerDetailSerializer,
    MergeSerializer,
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
    description="Undoes a deactivation. Refused with CLIENT_DUPLICATE when another active customer now "
    "has the same NIF.",
    parameters=[CUSTOMER_ID],
    request=None,
    responses={
        200: CustomerDetailSerializer,
        **error_responses(400, 404, 409, conflict=ErrorCode.CLIENT_DUPLICATE),
    },
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
    "anonymised automatically after that day. Asking again answers the same. Every copy of the data is "
    "scrubbed with it: the events about the customer (webhooks still pending or retried send the scrubbed "
    "version) and stored Idempotency-Key responses; only the recipient on invoices issued to it stays. A "
    "customer merged into another is erased by the same rule and keeps `merged_into`; erasing a survivor "
    "erases the customers merged into it.",
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


# Downloads choose JSON or CSV by the Accept header alone (beel.api.renderers.AcceptHeaderNegotiation).
