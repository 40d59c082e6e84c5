"""What the customer endpoints' OpenAPI descriptions share: the path parameter, the identity rules, the
spec pages' example customer (../shared/spec/beel-*.txt) and the metadata filter."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
)

from customers.serializers import (
    METADATA_PAIRS_SCHEMA,
)

CUSTOMER_ID = OpenApiParameter(
    "customer_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Customer ID (UUID)"
)

ALTERNATIVE_ID_RULES = (
    "A customer is identified by a Spanish `nif` or, without one, an `alternative_id` (AEAT's types 02 to 07), "
    "never both; an AEAT rule broken by the alternative id is 422 ALTERNATIVE_ID_INVALID (with country_code ES "
    "only 03 and 07; 07 only with ES; a 02 number must pass its country's VAT checksum). "
)

SPEC_CUSTOMER = {
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


METADATA_PARAMETER = OpenApiParameter(
    "metadata",
    METADATA_PAIRS_SCHEMA,
    OpenApiParameter.QUERY,
    required=False,
    style="deepObject",
    explode=True,
    description="`metadata[key]=value`: only customers whose metadata have this value under this key.",
)
