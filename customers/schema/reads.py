"""OpenAPI descriptions of the customer reads: the list and one customer."""

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
)

from beel.api.schema import error_example, error_responses, page_example
from beel.api.serializers import page_serializer
from customers.schema.common import CUSTOMER_ID, METADATA_PARAMETER, SPEC_CUSTOMER
from customers.serializers import (
    CustomerDetailSerializer,
    CustomerSerializer,
)

CUSTOMER_PAGE = page_serializer("CustomerPage", "customers", CustomerSerializer)

LIST_DESCRIPTION = (
    "Partial filters and `search` are case- and accent-insensitive; `nif` ignores spaces and dashes; `phone` "
    "ignores spaces and a leading +34/0034; `city`/`province` match the whole value, case- and "
    "accent-insensitively; `metadata[key]=value` (repeatable) keeps the customers whose metadata hold every pair "
    "given. Ties in the sort order are broken by id, so pages never repeat or skip a customer."
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
    "`retain_until` and `anonymized_at`. Another account's customer is a 404 CLIENT_NOT_FOUND, as if it did not "
    "exist.",
    parameters=[CUSTOMER_ID],
    responses={200: CustomerDetailSerializer, **error_responses(400, 404)},
)
