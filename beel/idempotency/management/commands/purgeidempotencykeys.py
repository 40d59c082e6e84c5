from django.core.management.base import BaseCommand

from beel.idempotency.models import purge_expired


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key responses older than IDEMPOTENCY_TTL_HOURS (run it daily, e.g. cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_expired()} expired idempotency records.")
