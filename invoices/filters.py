"""Query parameters of GET /invoices, validated; what they select and in which order is invoices.selectors."""

import django_filters

from beel.api.filters import ChangeFilterSet
from beel.lists import ordered
from invoices.models import InvoiceStatus
from invoices.selectors import LIST_ORDER, InvoiceFilters, invoices_matching


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

    def asked(self) -> InvoiceFilters:
        """The validated parameters, for invoices.selectors."""
        return InvoiceFilters(**self.form.cleaned_data)

    def filter_queryset(self, queryset):
        return ordered(invoices_matching(queryset, self.asked()), LIST_ORDER)
