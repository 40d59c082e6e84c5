"""A customer's statement (docs/api.md, Receivables): on the flat and the canonical routes. Included in
beel/urls.py before customers.urls, whose detail routes would take `statement` for a customer's id."""

from django.urls import re_path

from invoices.statement_views import CompanyCustomerStatementViewSet, CustomerStatementViewSet

urlpatterns = [
    re_path(
        r"^customers/(?P<customer_id>[^/.]+)/statement/?$",
        CustomerStatementViewSet.as_view({"get": "statement"}),
        name="customer-statement",
    ),
    re_path(
        r"^companies/(?P<company_id>[^/]+)/customers/(?P<customer_id>[^/.]+)/statement/?$",
        CompanyCustomerStatementViewSet.as_view({"get": "statement"}),
        name="company-customer-statement",
    ),
]
