from rest_framework.routers import SimpleRouter

from invoices.views import CompanyInvoiceViewSet, InvoiceViewSet

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("invoices", InvoiceViewSet, basename="invoice")
# BeeL 1.9.0's canonical routes: the company in the path.
router.register(r"companies/(?P<company_id>[^/]+)/invoices", CompanyInvoiceViewSet, basename="company-invoice")

urlpatterns = router.urls
