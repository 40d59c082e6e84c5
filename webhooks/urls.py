from rest_framework.routers import SimpleRouter

from webhooks.views import WebhookEndpointViewSet

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")

urlpatterns = router.urls
