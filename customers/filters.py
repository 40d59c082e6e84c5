"""Query parameters of GET /customers (beel-list-customers.txt). Invalid values are a 400 with details per
parameter (django-filter's form errors, turned into the envelope by the exception handler)."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from beel.api.filters import ChangeFilterSet
from beel.errors import ValidationFailed
from customers.models import CustomerQuerySet
from customers.validators import METADATA_MAX_KEYS, METADATA_VALUE_MAX_LENGTH, validate_metadata_key

# sort_by value -> model field. Text keys sort on their folded copy so 'Ávila' sorts with the A's.
SORT_FIELDS = {
    "legal_name": "legal_name_folded",
    "nif": "nif",
    "email": "email",
    "city": "city_folded",
    "province": "province_folded",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
DEFAULT_SORT = "created_at"
TEXT_FILTERS = ("search", "legal_name", "nif", "email", "phone", "city", "province")
MAX_FILTER_LENGTH = 200
# `metadata[plan]=pro`: the bracketed key of a metadata filter (Stripe's notation).
METADATA_PARAMETER = re.compile(r"^metadata\[(.*)\]$", re.DOTALL)


def metadata_filter(query_params) -> dict[str, str]:
    """The `metadata[key]=value` pairs asked for; a bad key or value is a 400 naming its parameter."""
    pairs, errors = {}, {}
    for name in query_params:
        match = METADATA_PARAMETER.match(name)
        if match is None:
            continue
        key, value = match.group(1), query_params.getlist(name)[-1]
        try:
            validate_metadata_key(key)
        except ValidationError as error:
            errors[name] = error.messages[0]
            continue
        if len(value) > METADATA_VALUE_MAX_LENGTH or "\x00" in value:
            errors[name] = f"At most {METADATA_VALUE_MAX_LENGTH} characters."
            continue
        pairs[key] = value
    if len(pairs) > METADATA_MAX_KEYS:
        errors["metadata"] = f"At most {METADATA_MAX_KEYS} metadata filters."
    if errors:
        raise ValidationFailed(details=errors)
    return pairs


class StrictBooleanField(forms.TypedChoiceField):
    """`true`/`false` (or 1/0); anything else is an error rather than being ignored as django's
    NullBooleanField would."""

    def __init__(self, *args, **kwargs):
        kwargs["choices"] = [(value, value) for value in ("true", "false", "1", "0")]
        kwargs["coerce"] = lambda value: value in ("true", "1")
        kwargs["empty_value"] = None
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return super().to_python(value.strip().lower() if isinstance(value, str) else value)


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


def _text(method_name: str, help_text: str):
    return django_filters.CharFilter(
        method=method_name,
        max_length=MAX_FILTER_LENGTH,
        help_text=help_text,
        error_messages={"max_length": f"At most {MAX_FILTER_LENGTH} characters."},
    )


class CustomerFilterSet(ChangeFilterSet):
    active = StrictBooleanFilter(
        field_name="active",
        help_text="Filter by active/inactive status",
        error_messages={"invalid_choice": "active must be true or false."},
    )
    search = _text("filter_search", "Global search by name, NIF or email")
    legal_name = _text("filter_legal_name", "Filter by legal name (partial search case-insensitive)")
    nif = _text("filter_nif", "Filter by NIF (partial search)")
    email = _text("filter_email", "Filter by email (partial search)")
    phone = _text("filter_phone", "Filter by phone (partial search)")
    city = _text("filter_city", "Filter by city")
    province = _text("filter_province", "Filter by province")
    sort_by = django_filters.ChoiceFilter(
        choices=[(key, key) for key in SORT_FIELDS],
        method="filter_noop",
        help_text="Field to sort by (eg. legal_name, nif, created_at)",
        error_messages={"invalid_choice": f"sort_by must be one of: {', '.join(SORT_FIELDS)}."},
    )
    sort_order = django_filters.ChoiceFilter(
        choices=[("asc", "asc"), ("desc", "desc")],
        method="filter_noop",
        help_text="Sort order direction",
        error_messages={"invalid_choice": "sort_order must be asc or desc."},
    )

    def filter_search(self, queryset: CustomerQuerySet, name, value):
        return queryset.search(value)

    def filter_legal_name(self, queryset: CustomerQuerySet, name, value):
        return queryset.legal_name_contains(value)

    def filter_nif(self, queryset: CustomerQuerySet, name, value):
        return queryset.nif_contains(value)

    def filter_email(self, queryset: CustomerQuerySet, name, value):
        return queryset.email_contains(value)

    def filter_phone(self, queryset: CustomerQuerySet, name, value):
        return queryset.phone_contains(value)

    def filter_city(self, queryset: CustomerQuerySet, name, value):
        return queryset.in_city(value)

    def filter_province(self, queryset: CustomerQuerySet, name, value):
        return queryset.in_province(value)

    def filter_noop(self, queryset, name, value):
        return queryset  # applied in filter_queryset, once every filter has run

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset).with_metadata(metadata_filter(self.data))
        sort_field = SORT_FIELDS[self.form.cleaned_data.get("sort_by") or DEFAULT_SORT]
        descending = self.form.cleaned_data.get("sort_order") == "desc"
        prefix = "-" if descending else ""
        # The id tiebreak makes the order total, so consecutive pages never repeat or skip a row.
        return queryset.order_by(f"{prefix}{sort_field}", f"{prefix}id")
