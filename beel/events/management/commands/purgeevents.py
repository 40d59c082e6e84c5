from django.core.management.base import BaseCommand

from beel.events.models import RETENTION, purge_expired


class Command(BaseCommand):
    help = f"Delete the events older than {RETENTION.days} days, with their webhook deliveries (run daily)."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_expired()} events older than {RETENTION.days} days.")
