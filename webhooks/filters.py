"""Query parameters of GET /events, validated; what they select and in which order is beel.events.selectors."""

import django_filters
from django import forms

from beel.api.filters import AwareDateTimeFilter, MemoisedFilterSet
from beel.events.models import STREAM_TYPES
from beel.events.selectors import EventFilters

_INSTANT = "must be an ISO 8601 date and time with a UTC offset."


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class EventFilterSet(MemoisedFilterSet):
    type = django_filters.MultipleChoiceFilter(
        choices=[(name, name) for name in STREAM_TYPES],
        help_text="Only events of these types (repeat the parameter for several)",
        error_messages={"invalid_choice": f"type must be one of: {', '.join(STREAM_TYPES)}."},
    )
    after_sequence = IntegerFilter(
        field_name="sequence",
        lookup_expr="gt",
        min_value=0,
        max_value=2**63 - 1,
        help_text="Only events whose `sequence` is greater than this (the last one applied): resume from there",
        error_messages={
            "invalid": "after_sequence must be a whole number.",
            "min_value": "after_sequence must be greater than or equal to 0.",
            "max_value": "after_sequence is too large.",
        },
    )
    created_since = AwareDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Created at or after this instant (ISO 8601 with offset)",
        error_messages={"invalid": f"created_since {_INSTANT}"},
    )
    created_until = AwareDateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        help_text="Created before this instant (ISO 8601 with offset)",
        error_messages={"invalid": f"created_until {_INSTANT}"},
    )
    company_id = django_filters.UUIDFilter(
        help_text="Only the events of this company of the account",
        error_messages={"invalid": "company_id must be a UUID."},
    )

    def asked(self) -> EventFilters:
        cleaned = self.form.cleaned_data
        return EventFilters(
            type=tuple(cleaned.get("type") or ()),
            after_sequence=cleaned.get("after_sequence"),
            created_since=cleaned.get("created_since"),
            created_until=cleaned.get("created_until"),
            company_id=cleaned.get("company_id"),
        )

    def filter_queryset(self, queryset):
        return queryset  # not called: the view hands every parameter to the selector at once
