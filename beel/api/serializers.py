from datetime import UTC

from django.db import models
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from beel.api.envelope import error_payload
from beel.payloads import displayable
from beel.timestamps import UTC_FORMAT, format_utc  # noqa: F401  (format_utc: used by the apps' serializers)


class UTCDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        kwargs.setdefault("format", UTC_FORMAT)
        super().__init__(**kwargs)


class StrictUUIDField(serializers.UUIDField):
    """A UUID given as a JSON string only: DRF's UUIDField would read 0, 12345 or true as UUIDs."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


# Fields whose value must arrive as a JSON string: DRF would read 0 as "0" (switching the Spanish NIF check
# off through `country`), 12.5 as an amount, true as a UUID, which the schema documents as strings.
_STRING_FIELDS = (serializers.CharField, serializers.DecimalField, serializers.DateField, serializers.UUIDField)


def _wrong_json_types(data: dict, fields: dict) -> dict[str, str]:
    """Values the schema refuses and DRF would coerce: a non-string for a string field, and a string longer
    than its maximum before DRF trims its whitespace (the schema counts every character)."""
    errors = {}
    for name, field in fields.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if isinstance(field, _STRING_FIELDS) and not isinstance(value, str):
            errors[name] = "Must be a string."
        elif isinstance(field, serializers.CharField) and field.max_length and len(value) > field.max_length:
            errors[name] = f"Ensure this field has no more than {field.max_length} characters."
    return errors


class StrictFieldsMixin:
    """Rejects fields the serializer does not know (a typo like `legal_nme` must not be silently dropped),
    and values of the wrong JSON type, including inside nested serializers. (beel.payloads.Obj does the
    same for the bodies checked outside DRF, the customer record's.)"""

    def to_internal_value(self, data):
        unknown: dict[str, str] = {}
        if isinstance(data, dict):
            writable = {name: field for name, field in self.fields.items() if not field.read_only}
            unknown = {displayable(key): "Unknown field." for key in data if key not in writable}
            unknown.update(_wrong_json_types(data, writable))
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class APIModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }


class APISerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class PaginationSerializer(serializers.Serializer):
    """Describes (for the schema) the `pagination` object of every paginated list. A `cursor` request
    answers only `items_per_page`, `has_next` and `next_cursor`: it counts nothing."""

    current_page = serializers.IntegerField(min_value=1, required=False)
    items_per_page = serializers.IntegerField(min_value=1)
    total_items = serializers.IntegerField(min_value=0, required=False)
    total_pages = serializers.IntegerField(min_value=0, required=False)
    has_next = serializers.BooleanField()
    has_previous = serializers.BooleanField(required=False)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Send as `cursor` for the rows after this page; null on the last page."
    )


def page_serializer(name: str, results_key: str, item_serializer: type[serializers.Serializer]):
    """Schema of a paginated list's `data`: `{<results_key>: [...], "pagination": {...}}`. Marked many=False
    so drf-spectacular uses it as is instead of wrapping it in its own pagination shape."""
    serializer_class = type(
        name,
        (serializers.Serializer,),
        {results_key: item_serializer(many=True), "pagination": PaginationSerializer()},
    )
    return extend_schema_serializer(many=False)(serializer_class)


class ErrorSerializer(serializers.Serializer):
    """A DomainError as the envelope writes it: `{code, message, details?}`. Used for the per-item errors
    of the bulk reports; its schema component is named `Error`, the one the envelope's errors use too
    (beel.api.schema gives that component the list of codes)."""

    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField(child=serializers.CharField(), required=False)

    def to_representation(self, error) -> dict:
        return error_payload(error.code, error.message, error.details)
