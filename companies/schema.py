"""OpenAPI descriptions of discovery: getMyIdentity and listCompanies (BeeL 1.9.0's operation ids)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from beel.api.schema import error_responses, page_example
from beel.api.serializers import page_serializer
from companies.serializers import CompanyDataSerializer, MyIdentitySerializer

TAGS = ["companies"]
ACCOUNT_ID = OpenApiParameter(
    "account_id",
    {"type": "string", "pattern": "^[0-9]+$"},
    OpenApiParameter.PATH,
    description="The key's own account (`account_id` of `GET /v1/me/identity`). Another account, and one that "
    "does not exist, answer 403 `ACCOUNT_NOT_ACCESSIBLE`; a value that is not an account id, 400.",
)
EXAMPLE_COMPANY = {
    "id": "550e8400-e29b-41d4-a716-446655440000",
    "nif": "B12345674",
    "legal_name": "Ejemplo Servicios SL",
    "trade_name": "Ejemplo",
    "entity_type": "LEGAL_ENTITY",
    "is_primary": True,
    "address": {
        "street": "Calle Mayor",
        "number": "1",
        "postal_code": "28013",
        "city": "Madrid",
        "province": "Madrid",
        "country_code": "ES",
    },
    "created_at": "2025-01-15T10:30:00Z",
}

get_my_identity = extend_schema(
    tags=TAGS,
    operation_id="getMyIdentity",
    summary="Get my identity",
    description="The account the key belongs to, its name, email and language, and the key itself (mode and "
    "scopes). Any valid key may ask: no scope is needed, so a 200 confirms a key works and a 401 that it does "
    "not. `account_id` is the key's account whichever company `BeeL-Active-Company` names. Never cached "
    "(`Cache-Control: no-store`).",
    responses={200: OpenApiResponse(MyIdentitySerializer, description="The key's identity (`no-store`)")},
)

list_companies = extend_schema(
    tags=TAGS,
    operation_id="listCompanies",
    summary="List the account's companies",
    description="The companies of the account in the path that the key may act on (a key restricted to some "
    "companies sees only those), the primary company first, then by legal name. Always paged: without `page` "
    "and `limit`, the first 20. `search` filters case-insensitively on NIF, legal name and trade name; "
    "`include=readiness` adds each company's issuing readiness. An empty list is not an error (`total_pages` "
    "1). Undeclared query parameters are a 400 naming them.",
    parameters=[ACCOUNT_ID],
    responses={200: page_serializer("CompanyPage", "companies", CompanyDataSerializer), **error_responses(400)},
    examples=[
        OpenApiExample(
            "One company",
            response_only=True,
            status_codes=["200"],
            value=page_example("companies", EXAMPLE_COMPANY),
        )
    ],
)
