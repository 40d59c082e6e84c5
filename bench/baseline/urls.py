"""The product's URLs plus the benchmark's comparison endpoints under /bench/ (see views.py)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from beel.urls import urlpatterns as product_urlpatterns
from bench.baseline.views import CustomerViewSet, bare_customers

router = SimpleRouter(trailing_slash=False)
router.register("customers", CustomerViewSet, basename="baseline-customer")

urlpatterns = [
    path("bench/baseline/", include(router.urls)),
    path("bench/bare/customers", bare_customers),
    *product_urlpatterns,
]
