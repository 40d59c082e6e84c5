from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    """Idempotent POSTs: the stored responses (models), the view decorator that serves them
    (beel.idempotency.decorators) and the command that purges expired ones, together in one app."""

    name = "beel.idempotency"
    label = "idempotency"
    default_auto_field = "django.db.models.BigAutoField"
