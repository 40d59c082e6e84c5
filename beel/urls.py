from django.contrib import admin
from django.urls import include, path, re_path

import beel.admin_site  # (names the admin, and shows permissions in the staff's language)
import beel.api.schema  # noqa: F401  (registers the OpenAPI extensions before any schema is generated)
from beel.api.views import DocsView, SchemaView, UnknownRouteView

api_v1 = [
    path("", include("companies.urls")),
    # Before customers.urls: `customers/aging` and `customers/{id}/statement` are not a customer's detail.
    path("", include("invoices.aging_urls")),
    path("", include("invoices.statement_urls")),
    path("", include("customers.urls")),
    path("", include("invoices.urls")),
    path("", include("webhooks.urls")),
    path("schema", SchemaView.as_view(), name="schema"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/docs", DocsView.as_view(url_name="schema"), name="api-docs"),
    # Last: anything else under /api/ answers a 404 in the envelope rather than Django's HTML page.
    re_path(r"^api/", UnknownRouteView.as_view()),
]
