import django_filters
from django.db.models import F

from beel.api.filters import ChangeFilterSet
from invoices.models import InvoiceStatus


class InvoiceFilterSet(ChangeFilterSet):
    customer_id = django_filters.UUIDFilter(
        field_name="customer_id",
        help_text="Only this customer's invoices",
        error_messages={"invalid": "customer_id must be a UUID."},
    )
    status = django_filters.ChoiceFilter(
        choices=InvoiceStatus.choices,
        help_text="Invoice status",
        error_messages={"invalid_choice": f"status must be one of: {', '.join(InvoiceStatus.values)}."},
    )
    issue_date_from = django_filters.DateFilter(
        field_name="issue_date",
        lookup_expr="gte",
        input_formats=["%Y-%m-%d"],
        help_text="Issued on or after this date (YYYY-MM-DD)",
        error_messages={"invalid": "issue_date_from must be a date (YYYY-MM-DD)."},
    )
    issue_date_to = django_filters.DateFilter(
        field_name="issue_date",
        lookup_expr="lte",
        input_formats=["%Y-%m-%d"],
        help_text="Issued on or before this date (YYYY-MM-DD)",
        error_messages={"invalid": "issue_date_to must be a date (YYYY-MM-DD)."},
    )

    def filter_queryset(self, queryset):
        # The id tiebreak makes the order total, so pages never repeat or skip an invoice. Drafts have no number
        # yet: they come first within their date and series, on every database (PostgreSQL puts NULLs first in
        # a descending order, SQLite last), as a descending index reads them on PostgreSQL.
        return (
            super()
            .filter_queryset(queryset)
            .order_by("-issue_date", "series", F("number").desc(nulls_first=True), "id")
        )
