"""Query parameters of GET /customers (beel-list-customers.txt). Invalid values are a 400 with details per
parameter (django-filter's form errors, turned into the envelope by the exception handler). What they select
and in which order is customers.selectors."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from beel.api.filters import ChangeFilterSet
from beel.currencies import ISO_4217_CODES
from beel.errors import InvalidParameter, ValidationFailed
from customers import selectors
from customers.selectors import INCLUDE_CHOICES, SORT_CHOICES, TAX_ID_STATUSES, CustomerFilters
from customers.validators import METADATA_MAX_KEYS, METADATA_VALUE_MAX_LENGTH, validate_metadata_key

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
    if errors:
        raise InvalidParameter(details=errors)
    if len(pairs) > METADATA_MAX_KEYS:  # each pair is good, there are more than a list takes: 422 (BeeL)
        raise ValidationFailed(details={"metadata": f"At most {METADATA_MAX_KEYS} metadata filters."})
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


class CurrencyField(forms.CharField):
    """An ISO 4217 code (beel.currencies, the invoices' list), upper case."""

    def to_python(self, value):
        code = super().to_python(value).strip().upper()
        if code and code not in ISO_4217_CODES:
            raise ValidationError("currency must be an ISO 4217 code such as EUR.", code="invalid")
        return code


@extend_schema_field({"type": "string", "enum": sorted(ISO_4217_CODES)})
class CurrencyFilter(django_filters.Filter):
    field_class = CurrencyField


@extend_schema_field(OpenApiTypes.BOOL)
class FlagFilter(StrictBooleanFilter):
    """A true/false filter on something that is not a column (the schema cannot read its type off the model)."""


class IncludeField(forms.CharField):
    """`include=summary,stats` (or repeated): each a value of INCLUDE_CHOICES, answered as a sorted tuple."""

    def to_python(self, value):
        if value in self.empty_values:
            return ()
        names = {name.strip() for name in super().to_python(value).split(",") if name.strip()}
        if not names or not names <= set(INCLUDE_CHOICES):
            raise ValidationError(f"include must be a comma-separated list of: {', '.join(INCLUDE_CHOICES)}.")
        return tuple(sorted(names))


@extend_schema_field({"type": "string", "pattern": "^(summary|stats)(,(summary|stats))*$"})
class IncludeFilter(django_filters.Filter):
    field_class = IncludeField


def _text(help_text: str):
    return django_filters.CharFilter(
        method="selected",
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
    search = _text("Global search by name, NIF or email")
    legal_name = _text("Filter by legal name (partial search case-insensitive)")
    nif = _text("Filter by NIF (partial search)")
    email = _text("Filter by email (partial search)")
    phone = _text("Filter by phone (partial search)")
    city = _text("Filter by city")
    province = _text("Filter by province")
    tax_id_status = django_filters.ChoiceFilter(
        choices=[(value, value) for value in TAX_ID_STATUSES],
        method="selected",
        help_text="beel's extension: by the tax id check's status (NOT_CHECKED: never checked)",
        error_messages={"invalid_choice": f"tax_id_status must be one of: {', '.join(TAX_ID_STATUSES)}."},
    )
    sort_by = django_filters.ChoiceFilter(
        choices=[(key, key) for key in SORT_CHOICES],
        method="selected",
        help_text="Field to sort by (eg. legal_name, nif, created_at); beel's `outstanding`: what the customer "
        "owes in `currency` (0 when nothing), ties by id",
        error_messages={"invalid_choice": f"sort_by must be one of: {', '.join(SORT_CHOICES)}."},
    )
    sort_order = django_filters.ChoiceFilter(
        choices=[("asc", "asc"), ("desc", "desc")],
        method="selected",
        help_text="Sort order direction",
        error_messages={"invalid_choice": "sort_order must be asc or desc."},
    )

    has_overdue = FlagFilter(
        method="selected",
        help_text="beel's extension: customers with (true) or without (false) an issued invoice unpaid past its "
        "due date today, in any currency",
        error_messages={"invalid_choice": "has_overdue must be true or false."},
    )
    currency = CurrencyFilter(
        method="selected",
        max_length=3,
        help_text="beel's extension: the ISO 4217 currency of `sort_by=outstanding` (default EUR)",
        error_messages={"max_length": "currency must be an ISO 4217 code such as EUR."},
    )
    include = IncludeFilter(
        method="selected",
        max_length=MAX_FILTER_LENGTH,
        help_text="beel's extension: `summary` adds `summary` next to the list (the filtered set's active, "
        "inactive and total counts and what they were billed per currency); `stats` adds each row's `stats`",
        error_messages={"max_length": f"At most {MAX_FILTER_LENGTH} characters."},
    )

    @classmethod
    def declares(cls, name: str) -> bool:
        return super().declares(name) or METADATA_PARAMETER.match(name) is not None

    def asked(self) -> CustomerFilters:
        """The validated parameters, for customers.selectors; a bad `metadata[...]` is a 400 here."""
        metadata = tuple(sorted(metadata_filter(self.data).items()))
        return CustomerFilters(**self.form.cleaned_data, metadata=metadata)

    def selected(self, queryset, name, value):
        return queryset  # not called: filter_queryset hands every parameter to the selector at once

    def filter_queryset(self, queryset):
        return selectors.sorted_customers(queryset, self.asked())
