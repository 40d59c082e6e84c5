from django.core.management.base import BaseCommand

from webhooks import delivery


class Command(BaseCommand):
    help = (
        "Dispatch the events still in the outbox and attempt the webhook deliveries that are due, once. "
        "Celery beat runs the same sweep every WEBHOOK_SWEEP_SECONDS; this is for setups without a broker "
        "(e.g. from cron) and for operators."
    )

    def handle(self, *args, **options):
        attempted = succeeded = 0
        for delivery_id in delivery.sweep():
            attempt = delivery.attempt_delivery(delivery_id)
            if attempt is not None:
                attempted += 1
                succeeded += attempt.succeeded
        self.stdout.write(f"{attempted} deliveries attempted, {succeeded} succeeded")
