"""System checks of the webhook settings, run by `manage.py check`, `migrate` and `runserver` (so by every
deploy, which migrates first)."""

from django.conf import settings
from django.core.checks import Error, register

TAG = "webhooks"


@register(TAG)
def lease_outlasts_the_deadline(app_configs, **kwargs):
    """A lease that ends while its attempt may still run hands the delivery to a second worker: the same
    event sent twice at once, and two workers held by one slow receiver."""
    lease, deadline = settings.WEBHOOK_LEASE_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS
    errors = []
    if lease <= deadline:
        errors.append(
            Error(
                f"WEBHOOK_LEASE_SECONDS ({lease}) must exceed WEBHOOK_TIMEOUT_SECONDS ({deadline}), the deadline "
                "of an attempt, or a delivery still being attempted is handed out again.",
                hint="Leave WEBHOOK_LEASE_SECONDS unset (the deadline plus 5 s) or raise it.",
                id="webhooks.E001",
            )
        )
    if settings.WEBHOOK_ENDPOINT_CONCURRENCY < 1:
        errors.append(
            Error(
                "WEBHOOK_ENDPOINT_CONCURRENCY must be at least 1, or no delivery is ever attempted.",
                id="webhooks.E002",
            )
        )
    return errors
