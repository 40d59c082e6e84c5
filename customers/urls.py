from rest_framework.routers import SimpleRouter

from customers.views import CustomerViewSet, NifViewSet

router = SimpleRouter()
# The spec's paths have no trailing slash; accept one too rather than answer 404 to `/customers/`.
router.trailing_slash = "/?"
router.register("customers", CustomerViewSet, basename="customer")
router.register("nif", NifViewSet, basename="nif")

urlpatterns = router.urls
