from django.core.management.base import BaseCommand

from customers.services import exports


class Command(BaseCommand):
    help = (
        "Delete the customer exports (jobs and files) kept longer than EXPORT_RETENTION_HOURS; the export sweep "
        "does it too, this is for a purge on demand."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {exports.purge_expired_exports()} expired customer exports.")
