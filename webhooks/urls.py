from rest_framework.routers import SimpleRouter

from webhooks.event_views import EventViewSet
from webhooks.views import WebhookEndpointViewSet

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("events", EventViewSet, basename="event")

urlpatterns = router.urls
