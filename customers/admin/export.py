"""The CSV export of selected customers, led by their account."""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from customers import spreadsheet
from customers.admin.common import csv_download
from customers.models import Customer

# The export is the API's (customers.spreadsheet), which the import reads back, led by the account.
ACCOUNT_COLUMN = spreadsheet.Column("Cuenta", "account__username", read=None)


class ExportWorkflow:
    """The export action."""

    @admin.action(description=_("Export selected customers (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset: QuerySet[Customer]):
        customers = queryset.order_by("legal_name_folded", "id")
        lines = spreadsheet.export_lines(customers, leading=[ACCOUNT_COLUMN])
        return csv_download("customers", lines)
