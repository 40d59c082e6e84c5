from rest_framework.routers import SimpleRouter

from invoices.views import InvoiceViewSet

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("invoices", InvoiceViewSet, basename="invoice")

urlpatterns = router.urls
