from django.core.management.base import BaseCommand

from invoices import payments


class Command(BaseCommand):
    help = (
        "Send `invoice.overdue` for every invoice past its due date and still unpaid that was never notified "
        "(once per invoice); beat runs the same daily (OVERDUE_SWEEP_SECONDS), this is for a run on demand."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Notified {payments.notify_overdue_invoices()} overdue invoices.")
