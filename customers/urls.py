from django.urls import path
from rest_framework.routers import SimpleRouter

from customers.company_views import CompanyCustomerViewSet, CustomerImportTemplateViewSet
from customers.views import CustomerViewSet

router = SimpleRouter()
# The spec's paths have no trailing slash; accept one too rather than answer 404 to `/customers/`.
router.trailing_slash = "/?"
router.register("customers", CustomerViewSet, basename="customer")
# BeeL 1.9.0's canonical routes (customers.company_views). A viewset serving other paths under
# `companies/{company_id}/customers/` (the imports) is registered before this one: the detail route would
# otherwise take `imports` for a customer id.
router.register(r"companies/(?P<company_id>[^/]+)/customers", CompanyCustomerViewSet, basename="company-customer")

urlpatterns = [
    *router.urls,
    path(
        "templates/customer-import",
        CustomerImportTemplateViewSet.as_view({"get": "download"}),
        name="customer-import-template",
    ),
]
