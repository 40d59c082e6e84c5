"""POST /nif/validate's body and answer (BeeL 1.9.0's ValidateNifRequest and ValidateNifResponse)."""

from rest_framework import serializers

from beel.api.serializers import APISerializer, UTCDateTimeField
from beel.errors import InvalidJsonFormat, ValidationFailed
from beel.payloads import displayable, shown
from beel.registries import Status
from customers.services.nif_validation import NOT_CHECKED


class ValidateNifRequestSerializer(APISerializer):
    """The body as the schema describes it; `parsed()` reads it (a value of the wrong JSON type is 400
    INVALID_JSON_FORMAT, an unknown field 422 VALIDATION_ERROR)."""

    nif = serializers.RegexField(
        r"\S", help_text="The NIF, NIE or CIF to check. Absent or empty: 422 FIELD_BLANK; bad syntax: 200 INVALID."
    )
    legal_name = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Required for individuals (a NIF starting with a digit, or a NIE): AEAT matches NIF and name "
        "together. Optional and never verified for legal entities.",
    )

    @staticmethod
    def parsed(data) -> tuple[str | None, str | None]:
        if not isinstance(data, dict):
            raise InvalidJsonFormat(
                "The request body must be a JSON object",
                details={"field": "body", "invalid_value": shown(data), "expected_format": "object"},
            )
        for field in ("nif", "legal_name"):
            value = data.get(field)
            if value is not None and not isinstance(value, str):
                raise InvalidJsonFormat(
                    f"The field '{field}' has an invalid value. Expected: string.",
                    details={"field": field, "invalid_value": shown(value), "expected_format": "string"},
                )
        # As every body of this service (beel.api.serializers.StrictFieldsMixin, and the schema's
        # additionalProperties: false): a field it does not know is refused, not silently dropped.
        refused = {displayable(key): "Unknown field." for key in data if key not in ("nif", "legal_name")}
        if "\x00" in (data.get("legal_name") or ""):
            refused["legal_name"] = "Null characters are not allowed."
        if refused:
            raise ValidationFailed(details=refused)
        return data.get("nif"), data.get("legal_name")


class ValidateNifResponseSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="True only when status is VALID.")
    status = serializers.ChoiceField(choices=[status.value for status in Status])
    legal_name = serializers.CharField(allow_null=True, help_text="The census' name, only when VALID.")
    legal_name_verified = serializers.BooleanField(
        help_text="True only for an identified individual (AEAT matched NIF and name); always false for entities."
    )
    census_status = serializers.CharField(
        help_text="IDENTIFIED, DEREGISTERED, REVOKED, NOT_IDENTIFIED, NOT_IDENTIFIED_SIMILAR, or "
        f"{NOT_CHECKED} when the census gave no verdict."
    )
    message = serializers.CharField()
    validated_at = UTCDateTimeField(allow_null=True, help_text="When AEAT answered; only when VALID.")
