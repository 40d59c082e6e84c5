from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed webhooks: endpoints per account and mode, and the delivery of the events that the services
    record in the outbox (beel.events) to them, by Celery tasks (webhooks.tasks)."""

    name = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from beel.events.models import events_committed
        from webhooks import checks  # noqa: F401  (registers the settings checks)
        from webhooks.tasks import dispatch_committed_events

        events_committed.connect(dispatch_committed_events, dispatch_uid="webhooks.dispatch")
