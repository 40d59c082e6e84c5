"""A customer's statement of account in the admin ("Extracto de cuenta"): a page with the period (from/to) and
the statement per currency, and its CSV download, through the API's computation (invoices.statements) and
CSV (invoices.statement_csv). Mixed into InvoiceAdmin, so it is on the invoices' side: the customer's page
links to it by the URL's name (customers cannot import this app), and staff need to view invoices."""

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from beel.errors import ValidationFailed
from beel.tenancy import DataScope
from customers.models import Customer
from invoices import statement_csv
from invoices.aging import AGING_BUCKETS
from invoices.statements import customer_statement, statement_period

STATEMENT_URL_NAME = "invoices_invoice_customer_statement"


class CustomerStatementAdmin:
    """Mixed into InvoiceAdmin: the page `invoices/invoice/customers/<customer_id>/statement/`."""

    def get_urls(self):
        own = [
            path(
                "customers/<uuid:customer_id>/statement/",
                self.admin_site.admin_view(self.customer_statement_view),
                name=STATEMENT_URL_NAME,
            )
        ]
        return own + super().get_urls()

    def customer_statement_view(self, request, customer_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        customer = get_object_or_404(Customer.objects.select_related("company"), pk=customer_id)
        # The customer's own company and mode: the statement a key of that company would read.
        scope = DataScope.of_company(customer.company, customer.mode)
        asked = {name: request.GET.get(name, "").strip() for name in ("from", "to")}
        statement, errors = None, {}
        try:
            start, end = statement_period(start=asked["from"] or None, end=asked["to"] or None)
            statement = customer_statement(scope=scope, customer_id=customer.pk, start=start, end=end)
        except ValidationFailed as refused:
            errors = refused.details or {}
        if statement is not None and request.GET.get("download") == "csv":
            return StreamingHttpResponse(
                statement_csv.statement_lines(statement),
                content_type=statement_csv.MEDIA_TYPE,
                headers={"Content-Disposition": f'attachment; filename="{statement_csv.filename_of(statement)}"'},
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Statement of account: %(customer)s") % {"customer": customer.legal_name},
            "customer": customer,
            "customer_url": reverse("admin:customers_customer_change", args=[customer.pk]),
            "statement": statement,
            "errors": errors,
            "asked_from": statement.start.isoformat() if statement else asked["from"],
            "asked_to": statement.end.isoformat() if statement else asked["to"],
            "aging_buckets": AGING_BUCKETS,
            "sections": [
                (section, [(bucket.label, section.aging[bucket.key]) for bucket in AGING_BUCKETS])
                for section in (statement.sections if statement else [])
            ],
        }
        return TemplateResponse(request, "admin/invoices/invoice/customer_statement.html", context)
