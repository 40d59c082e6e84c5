"""OpenAPI descriptions of the customer reads: the list and one customer."""

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_serializer,
)

from beel.api.schema import error_example, error_responses, page_example
from beel.api.serializers import page_serializer
from customers.schema.common import CUSTOMER_ID, METADATA_PARAMETER, SPEC_CUSTOMER
from customers.serializers import CustomerDetailSerializer, CustomerSerializer
from customers.serializers.stats import CustomerListSummarySerializer

CUSTOMER_PAGE = extend_schema_serializer(many=False)(
    type(
        "CustomerPage",
        (page_serializer("CustomerPageRows", "customers", CustomerSerializer),),
        {
            "summary": CustomerListSummarySerializer(
                required=False,
                help_text="beel's extension, only with `include=summary`: the filtered list's counts and what its "
                "customers were billed per currency.",
            )
        },
    )
)

LIST_DESCRIPTION = (
    "Partial filters and `search` are case- and accent-insensitive; `nif` ignores spaces and dashes; `phone` "
    "ignores spaces and a leading +34/0034; `city`/`province` match the whole value, case- and "
    "accent-insensitively; `metadata[key]=value` (repeatable) keeps the customers whose metadata hold every pair "
    "given. Ties in the sort order are broken by id, so pages never repeat or skip a customer. beel's "
    "extensions: `sort_by=outstanding` orders by what each customer owes in `currency` (EUR by default; 0 when "
    "nothing), `has_overdue` keeps the customers with (or without) an invoice unpaid past its due date today, "
    "`include=summary` adds `summary` next to the list and `include=stats` each row's `stats`."
)

list_customers = extend_schema(
    operation_id="listCustomers",
    summary="List customers",
    description="Returns a paginated list of customers with optional filters. " + LIST_DESCRIPTION,
    parameters=[METADATA_PARAMETER],
    responses={200: CUSTOMER_PAGE, **error_responses(400)},
    examples=[
        OpenApiExample(
            "Customer list with pagination",
            response_only=True,
            status_codes=["200"],
            value=page_example("customers", SPEC_CUSTOMER),
        ),
        OpenApiExample(
            "A parameter that does not parse",
            response_only=True,
            status_codes=["400"],
            value=error_example(
                "VALIDATION_ERROR", "Invalid request parameters", {"active": "active must be true or false."}
            ),
        ),
        OpenApiExample(
            "A parameter out of range",
            response_only=True,
            status_codes=["422"],
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
    description="BeeL 1.9.0's getCustomer: one customer of the key's account, an unset optional field null "
    '(never ""), with beel\'s extensions `metadata`, `deactivated_at` (null while active), `merged_into`, '
    "`retain_until` and `anonymized_at`, and `stats`: what it was billed and owes, per currency (docs/api.md, "
    "\"A customer's stats\"). Another account's customer is a 404 CLIENT_NOT_FOUND, as if it did not exist.",
    parameters=[CUSTOMER_ID],
    responses={200: CustomerDetailSerializer, **error_responses(400, 404)},
)
