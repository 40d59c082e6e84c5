from beel.errors import NotFound


class WebhookEndpointNotFound(NotFound):
    default_message = "Webhook endpoint not found"


class WebhookDeliveryNotFound(NotFound):
    default_message = "Webhook delivery not found"
