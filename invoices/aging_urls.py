"""The aging report across customers (docs/api.md, Receivables): on the flat and the canonical routes.
Included in beel/urls.py before customers.urls, whose detail routes would take `aging` for a customer's id."""

from django.urls import re_path

from customers.views import CSV_DOWNLOAD
from invoices.aging_views import AgingReportViewSet, CompanyAgingReportViewSet

COMPANY = r"companies/(?P<company_id>[^/]+)"

urlpatterns: list = [
    re_path(r"^customers/aging/?$", AgingReportViewSet.as_view({"get": "list"}), name="customers-aging"),
    re_path(
        r"^customers/aging/export/?$",
        # A download as the customers' export is: CSV whatever JSON-or-CSV Accept asks, but for a refusal of CSV.
        AgingReportViewSet.as_view({"get": "export"}, **CSV_DOWNLOAD),
        name="customers-aging-export",
    ),
    re_path(
        rf"^{COMPANY}/customers/aging/?$",
        CompanyAgingReportViewSet.as_view({"get": "list"}),
        name="company-customers-aging",
    ),
    re_path(
        rf"^{COMPANY}/customers/aging/export/?$",
        CompanyAgingReportViewSet.as_view({"get": "export"}, **CSV_DOWNLOAD),
        name="company-customers-aging-export",
    ),
]
