"""The body of `POST /customers/exports`: the direct export's query parameters as a JSON object (a body, so an
`Idempotency-Key` is bound to the filters: beel.idempotency fingerprints the body, not the query string), and
the job as the API shows it."""

from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beel.api.filters import displayable_parameter, validate_list_parameters
from beel.api.params import refusal
from beel.api.schema import AWARE_INSTANT_PATTERN
from beel.payloads import unstorable
from customers.filters import MAX_FILTER_LENGTH, CustomerFilterSet
from customers.selectors import SORT_FIELDS, TAX_ID_STATUSES, CustomerFilters
from customers.serializers.fields import MetadataField

EXPORT_FORMATS = ("csv",)


def export_request(data, *, queryset) -> CustomerFilters:
    """The filters and sort a job was asked for, validated as the direct export validates its query string:
    `{"search": "garcia", "active": true, "sort_by": "legal_name", "metadata": {"plan": "pro"}}`. A name the
    export does not read (paging included) or a value of another JSON type is a 400 naming it."""
    if data is None or data == "":
        data = {}
    if not isinstance(data, dict):
        raise refusal({"body": "Must be a JSON object."}, {"body"})
    query, errors = QueryDict(mutable=True), {}
    for name, value in data.items():
        if name == "format":
            if value not in EXPORT_FORMATS:
                errors["format"] = f"format must be one of: {', '.join(EXPORT_FORMATS)}."
        elif name == "metadata" and isinstance(value, dict):
            for key, text in value.items():
                # The job's filters are jsonb, which refuses NUL and lone surrogates (a 500 if let through).
                if isinstance(text, str) and not unstorable(text) and not unstorable(key):
                    query[f"metadata[{key}]"] = text
                else:
                    errors[displayable_parameter(f"metadata[{key}]")] = "Must be text without NUL or lone surrogates."
        elif name == "metadata":
            errors[name] = "Must be an object of key-value pairs."
        elif name.startswith("metadata[") or name not in CustomerFilterSet.base_filters:
            errors[displayable_parameter(name)] = "Unknown field."
        elif name == "active":
            if isinstance(value, bool):
                query[name] = "true" if value else "false"
            else:
                errors[name] = "Must be a boolean."
        elif not isinstance(value, str):
            errors[displayable_parameter(name)] = "Must be a string."
        elif unstorable(value):
            errors[name] = "Must not contain NUL or lone surrogates."
        else:
            query[name] = value
    if errors:
        raise refusal(errors, set(errors))
    filterset = CustomerFilterSet(query, queryset=queryset)
    validate_list_parameters(filterset, query)
    return filterset.asked()


class CustomerExportSerializer(serializers.Serializer):
    """customers.representations.export_representation, described for the schema."""

    id = serializers.UUIDField()
    object = serializers.CharField(help_text="Always `customer_export`.")
    status = serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed"])
    format = serializers.CharField(help_text="Always `csv`: the direct export's file.")
    filters = serializers.DictField(help_text="The filters and sort the job was started with.")
    row_count = serializers.IntegerField(allow_null=True, help_text="Customers in the file, once it succeeded.")
    size_bytes = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField(allow_null=True, help_text="Of the file's bytes (also `Repr-Digest` on download).")
    attempts = serializers.IntegerField(help_text="Runs so far (a run killed with its worker is retried).")
    failure_reason = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the file (and this job) are deleted: EXPORT_RETENTION_HOURS after the end."
    )
    url = serializers.CharField(help_text="This status resource (canonical route).")
    download_url = serializers.CharField(allow_null=True, help_text="Set while the finished file can be downloaded.")
    company_id = serializers.UUIDField()
    livemode = serializers.BooleanField()


def _text() -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_FILTER_LENGTH, validators=[ProhibitNullCharactersValidator()]
    )


@extend_schema_field({"type": "string", "format": "date-time", "pattern": AWARE_INSTANT_PATTERN})
class InstantField(serializers.DateTimeField):
    """As the list's change filters: an ISO 8601 instant with its UTC offset (beel.api.filters)."""


class CustomerExportRequestSerializer(serializers.Serializer):
    """What `export_request` reads, described for the schema: every field optional, as the direct export's
    query parameters (see listCustomers for each)."""

    format = serializers.ChoiceField(choices=EXPORT_FORMATS, required=False, help_text="Only `csv`.")
    active = serializers.BooleanField(required=False)
    search = _text()
    legal_name = _text()
    nif = _text()
    email = _text()
    phone = _text()
    city = _text()
    province = _text()
    tax_id_status = serializers.ChoiceField(choices=TAX_ID_STATUSES, required=False)
    created_since = InstantField(required=False)
    created_until = InstantField(required=False)
    updated_since = InstantField(required=False)
    updated_until = InstantField(required=False)
    metadata = MetadataField(required=False, help_text="As the list's `metadata[key]=value`, one pair per key.")
    sort_by = serializers.ChoiceField(choices=list(SORT_FIELDS), required=False)
    sort_order = serializers.ChoiceField(choices=["asc", "desc"], required=False)
