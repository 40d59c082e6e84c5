from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdempotencyConfig(AppConfig):
    """Idempotent POSTs: the stored responses (models), the view decorator that serves them
    (beel.idempotency.decorators) and the command that purges expired ones, together in one app."""

    name = "beel.idempotency"
    verbose_name = _("Idempotency")
    label = "idempotency"
    default_auto_field = "django.db.models.BigAutoField"
