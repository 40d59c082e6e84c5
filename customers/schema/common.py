"""What the customer endpoints' OpenAPI descriptions share: the path parameter, the identity rules, the
spec pages' example customer (docs/api.md, "Contract") and the metadata filter."""

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
    "A customer is identified by a Spanish `nif` or, without one, an `alternative_id` (`type` by BeeL's name, "
    "NIF_IVA, PASSPORT, COUNTRY_ID, RESIDENCE_CERTIFICATE, OTHER_DOCUMENT, NOT_REGISTERED, or AEAT's codes 02 to "
    "07), never both (422 ALTERNATIVE_ID_INVALID). Each AEAT rule has BeeL's 422 code: "
    "ALTERNATIVE_ID_COUNTRY_REQUIRED, ALTERNATIVE_ID_SPAIN_INVALID_TYPE (with ES only PASSPORT and "
    "NOT_REGISTERED), ALTERNATIVE_ID_REQUIRES_SPAIN (NOT_REGISTERED only with ES), "
    "RECIPIENT_UNREGISTERED_ID_MUST_BE_DNI_OR_NIE, ALTERNATIVE_ID_VAT_REQUIRES_EU_COUNTRY, "
    "ALTERNATIVE_ID_VAT_INVALID_FORMAT (a NIF_IVA number must pass its country's VAT checksum) and "
    "ALTERNATIVE_ID_INVALID (a blank number). The address' country: 422 COUNTRY_CODE_REQUIRED (unknown) or "
    "COUNTRY_CODE_MISMATCH. "
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
