from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """The outbox of what happened to an account's data (`customer.created`, `invoice.created`, ...):
    written by the services in the same transaction as the change, read by whatever delivers it (the
    webhooks app). It lives in `beel` so the apps that record events need not know who consumes them."""

    name = "beel.events"
    verbose_name = _("Events")
    label = "events"
    default_auto_field = "django.db.models.BigAutoField"
