from django.core.management.base import BaseCommand

from customers.services import exports


class Command(BaseCommand):
    help = (
        "Purge expired customer exports and run, in this process, the export jobs a killed worker or a lost "
        "message left behind (the sweep Celery beat runs every EXPORT_SWEEP_SECONDS). For an install without a "
        "broker: run it from cron, e.g. every 5 minutes."
    )

    def handle(self, *args, **options):
        export_ids = exports.sweep_exports()
        for export_id in export_ids:
            exports.run_export(export_id)
            self.stdout.write(export_id)
        self.stdout.write(f"Ran {len(export_ids)} export job{'s' if len(export_ids) != 1 else ''} again.")
