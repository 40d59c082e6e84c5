"""The CSV export of selected customers, led by their account."""

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers import spreadsheet
from customers.admin.common import csv_download
from customers.models import Customer

# The export is the API's (customers.spreadsheet), which the import reads back, led by the account.
ACCOUNT_COLUMN = spreadsheet.Column("Cuenta", "account__username", read=None)


class ExportWorkflow:
    """The export action: streamed while it provably finishes within a worker's timeout (the API's direct
    export limit, EXPORT_DIRECT_MAX_ROWS); a larger selection is refused with a message, since a cut
    download would look complete. It spans accounts and companies, where an export job is one company's:
    the message points to the job of the API (docs/admin.md)."""

    @admin.action(description=_("Export selected customers (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset: QuerySet[Customer]):
        customers = queryset.order_by("legal_name_folded", "id")
        limit = settings.EXPORT_DIRECT_MAX_ROWS
        total, lines = spreadsheet.counted_export_lines(customers, at_most=limit, leading=[ACCOUNT_COLUMN])
        if total > limit:
            lines.close()
            message = gettext(
                "More than %(limit)s customers selected: the admin exports at most %(limit)s at once. Narrow the "
                "selection (e.g. by company), or export a company's customers with an export job of the API "
                "(POST /api/v1/companies/{company_id}/customers/exports)."
            )
            self.message_user(request, message % {"limit": f"{limit:,}"}, messages.ERROR)
            return None
        response = csv_download("customers", lines)
        response["X-Total-Rows"] = str(total)
        return response
