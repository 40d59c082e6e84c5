"""OpenAPI description of POST /nif/validate (BeeL 1.9.0's validateNif, tag NIF)."""

from drf_spectacular.utils import OpenApiExample, extend_schema

from beel.api.schema import envelope_example, error_example, error_responses
from customers.serializers.nif import ValidateNifRequestSerializer, ValidateNifResponseSerializer

validate_nif = extend_schema(
    operation_id="validateNif",
    summary="Validate a NIF against AEAT's census",
    tags=["NIF"],
    description="BeeL 1.9.0's validateNif: checks a NIF, NIE or CIF against AEAT's census and says what the census "
    "holds; creates and stores nothing. Bad syntax is an answer (200, `status: INVALID`), not an error; an absent "
    "or empty `nif` is 422 FIELD_BLANK with `details.field`. An individual's NIF (starting with a digit, or a "
    "NIE) needs `legal_name` (422 VALIDATION_ERROR naming it): AEAT matches NIF and name together. For a legal "
    "entity the census identifies the CIF alone, so `valid: true` says nothing about the name sent "
    "(`legal_name_verified` is false). `PENDING` when the census is not configured, unavailable or timed out "
    "(ask again later); `ERROR` when AEAT refused the question. `census_status` tells an identified NIF that is "
    "deregistered or revoked. Needs the `nif:validate` scope; limited to 100 requests per hour per key.",
    request=ValidateNifRequestSerializer,
    responses={200: ValidateNifResponseSerializer, **error_responses(400, 415, 422)},
    examples=[
        OpenApiExample(
            "Entity",
            request_only=True,
            value={"nif": "B87654323", "legal_name": "Ejemplo Soluciones SL"},
        ),
        OpenApiExample(
            "Identified",
            response_only=True,
            status_codes=["200"],
            value=envelope_example(
                {
                    "valid": True,
                    "status": "VALID",
                    "legal_name": "EJEMPLO SOLUCIONES SL",
                    "legal_name_verified": False,
                    "census_status": "IDENTIFIED",
                    "message": "AEAT's census identifies this NIF.",
                    "validated_at": "2026-12-01T10:15:30Z",
                }
            ),
        ),
        OpenApiExample(
            "Census unavailable",
            response_only=True,
            status_codes=["200"],
            value=envelope_example(
                {
                    "valid": False,
                    "status": "PENDING",
                    "legal_name": None,
                    "legal_name_verified": False,
                    "census_status": "NOT_CHECKED",
                    "message": "AEAT's census could not be reached.",
                    "validated_at": None,
                }
            ),
        ),
        OpenApiExample(
            "Blank",
            response_only=True,
            status_codes=["422"],
            value=error_example("FIELD_BLANK", "The field 'nif' is required", {"field": "nif"}),
        ),
    ],
)
