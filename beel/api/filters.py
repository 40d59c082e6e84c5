import copy
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import lru_cache

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend

from beel.api.params import CURSOR_PARAM, PageParams, parse_page_params, refusal
from beel.lists import CHANGE_WINDOW

# Parameters every list reads besides its filters. `format`: DRF's override of the Accept header.
PAGING_PARAMETERS = frozenset({"page", "limit", CURSOR_PARAM, "format"})


def undeclared_parameters(query_params, accepts) -> dict[str, str]:
    """Each query parameter that `accepts(name)` does not take, named with its message. `format` (DRF's
    override of the Accept header) is taken everywhere."""
    return {
        displayable_parameter(name): "Unknown query parameter."
        for name in query_params
        if name != "format" and not accepts(name)
    }


def accepted_by_list(filterset_class, name: str) -> bool:
    """Whether a list reads the query parameter `name`: its paging, or one of its filters. Not one of them is a
    400 naming it (BeeL's flat routes since 2026-09-03, as its canonical ones always): ignored, a misspelt filter
    (`per_page`) would answer another list."""
    return name in PAGING_PARAMETERS or (filterset_class is not None and filterset_class.declares(name))


def displayable_parameter(name: str) -> str:
    text = str(name)[:100]
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def validate_list_parameters(filterset, query_params) -> PageParams:
    """A list's filters and paging checked together: every bad query parameter named in one VALIDATION_ERROR,
    400 if one of them does not parse or is not declared, else (only values out of range) 422. The page
    asked for is returned, so it is read once per request. A list without filters (`filterset` None) that
    follows a cursor has its paging errors reported with the cursor's, by the paginator."""
    asked = parse_page_params(query_params)
    filterset_class = None if filterset is None else type(filterset)
    unknown = undeclared_parameters(query_params, lambda name: accepted_by_list(filterset_class, name))
    if filterset is None:
        if unknown or (asked.errors and asked.cursor is None):
            raise refusal({**unknown, **asked.errors}, {*unknown, *asked.unparsed})
        return asked
    errors: dict[str, str] = dict(unknown)
    errors.update(empty_values(query_params, filterset))
    if not filterset.is_valid():
        errors.update({name: field_errors[0] for name, field_errors in filterset.errors.items()})
    unparsed = set(errors)  # a filter's value that django-filter refuses does not parse, or is no choice
    errors.update(asked.errors)
    if errors:
        raise refusal(errors, unparsed | asked.unparsed)
    return asked


def empty_values(query_params, filterset) -> dict[str, str]:
    """`?active=` or `?issue_date_to=` is not a value of the parameter's type (the schema says so);
    django-filter would ignore it and answer as if it were absent. Free-text filters may be empty."""
    errors = {}
    for name, values in query_params.lists():
        declared = filterset.filters.get(name)
        if declared is None or isinstance(declared, django_filters.CharFilter):
            continue
        if any(not value.strip() for value in values):
            errors[name] = f"{name} must not be empty."
    return errors


class QueryParamsFilterBackend(DjangoFilterBackend):
    """Describes each list's filters in the OpenAPI schema (drf-spectacular reads them from the filter
    backend). It filters nothing: the lists and the CSV export validate their parameters with
    `validate_list_parameters` and read through their app's selector, so no request is filtered twice, nor
    by a view's attributes."""

    def filter_queryset(self, request, queryset, view):
        return queryset


# No time zone is further from UTC than this (Kiribati, +14:00).
_LARGEST_UTC_OFFSET = timedelta(hours=14)


class AwareDateTimeField(forms.DateTimeField):
    """An ISO 8601 date and time with its UTC offset (`Z` or `+01:00`): without one, the instant would
    depend on the server's time zone, so it is refused rather than guessed."""

    default_error_messages = {"invalid": "must be an ISO 8601 date and time with a UTC offset."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = value.strip()
        # An unencoded '+' in a query string arrives as a space: '...T10:00:00 01:00' meant '+01:00'.
        if len(text) > 6 and text[-6] == " " and text[-3] == ":":
            text = f"{text[:-6]}+{text[-5:]}"
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None or abs(parsed.utcoffset()) > _LARGEST_UTC_OFFSET:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            # In UTC: PostgreSQL refuses offsets past 15:59, and year 1 or 9999 may not survive the shift.
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class AwareDateTimeFilter(django_filters.Filter):
    field_class = AwareDateTimeField


def _change_filter(name: str, help_text: str) -> AwareDateTimeFilter:
    field_name, lookup_expr = CHANGE_WINDOW[name].split("__")
    return AwareDateTimeFilter(
        field_name=field_name,
        lookup_expr=lookup_expr,
        help_text=help_text,
        error_messages={"invalid": f"{name} must be an ISO 8601 date and time with a UTC offset."},
    )


class _SharedFields(dict):
    """A filter form's fields, which each form would deep-copy (widgets, choices, messages) in case a
    request changes them; the filters' forms only read them, so each form gets a plain copy of the dict."""

    def __deepcopy__(self, memo):
        return dict(self)


# Parameter sets longer than this are validated every time rather than kept (free-text filters are
# at most 200 characters each, so every valid set fits).
_MEMO_MAX_CHARS = 2000


@dataclass(frozen=True)
class ValidatedParameters:
    """What django-filter reads of a bound, cleaned form."""

    cleaned_data: dict
    errors: dict

    def is_valid(self) -> bool:
        return not self.errors


@lru_cache(maxsize=2048)
def _validated(form_class, asked: tuple) -> ValidatedParameters:
    data = QueryDict(mutable=True)
    for name, values in asked:
        data.setlist(name, list(values))
    form = form_class(data)
    form.is_valid()
    return ValidatedParameters(cleaned_data=form.cleaned_data, errors=form.errors)


class MemoisedFilterSet(django_filters.FilterSet):
    """django-filter's FilterSet with the per-process shortcuts that make validating a list's parameters
    cheap; the one place they live. Every list request builds a filterset, and django-filter's own
    bookkeeping (deep copies of filters and form fields, a new form class, a form cleaned per request) cost
    a visible share of a cheap page (measured in docs/performance.md, "Fast paths"). The shortcuts rely on
    one thing: nothing changes a declared filter, a form field or a cleaned value while requests are served.
    """

    @classmethod
    def declares(cls, name: str) -> bool:
        """Whether the query parameter `name` is one of this list's filters (a list with parameters of
        another form, such as `metadata[key]`, says so too)."""
        return name in cls.base_filters

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__ (26.x), but for its deep copy of every declared filter (their error
        # messages and choices), made only so that each copy can point at this filterset. A shallow copy
        # does that. `method` is set again so that it resolves on this filterset, not on the declared filter.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, declared in self.base_filters.items():
            filter_ = copy.copy(declared)
            if declared.method is not None:
                filter_.method = declared.method
            filter_.model = queryset.model
            filter_.parent = self
            self.filters[name] = filter_

    @property
    def form(self):
        # A list's parameters are validated once per set of values and process: a walk, a dashboard that
        # polls, or an integration repeating its sync asks the same ones again and again. What is kept is
        # read-only for its users (cleaned values are strings, booleans and aware datetimes; the errors are
        # only read into the 400's details).
        if not hasattr(self, "_form"):
            asked = tuple(
                (name, tuple(self.data.getlist(name))) for name in sorted(self.data) if name in self.base_filters
            )
            if not self.is_bound or sum(len(value) for _name, values in asked for value in values) > _MEMO_MAX_CHARS:
                self._form = super().form
            else:
                self._form = _validated(self.get_form_class(), asked)
        return self._form

    def get_form_class(self):
        # The form depends on the declared filters only, so one class per filterset serves every request;
        # django-filter builds a new class with new fields each time.
        filterset_class = type(self)
        form_class = filterset_class.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            filterset_class._form_class = form_class
        return form_class


class ChangeFilterSet(MemoisedFilterSet):
    """The change window's parameters (beel.lists.CHANGE_WINDOW), which every list accepts. The filtersets
    validate; each app's selector applies what they cleaned (`filter_queryset` calls it, for DRF's path)."""

    created_since = _change_filter("created_since", "Created at or after this instant (ISO 8601 with offset)")
    created_until = _change_filter("created_until", "Created before this instant (ISO 8601 with offset)")
    updated_since = _change_filter("updated_since", "Updated at or after this instant (ISO 8601 with offset)")
    updated_until = _change_filter("updated_until", "Updated before this instant (ISO 8601 with offset)")
