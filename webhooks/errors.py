from django.utils.translation import gettext_lazy as _

from beel.errors import NotFound


class WebhookEndpointNotFound(NotFound):
    default_message = _("Webhook endpoint not found")


class WebhookDeliveryNotFound(NotFound):
    default_message = _("Webhook delivery not found")
