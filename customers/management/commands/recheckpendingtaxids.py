from django.core.management.base import BaseCommand

from customers.services import tax_id


class Command(BaseCommand):
    help = (
        "Ask the registries again about every customer whose tax id check is PENDING and due (the sweep Celery "
        "beat runs every TAX_ID_RECHECK_SWEEP_SECONDS), in this process. For an install without a broker: run "
        "it from cron, e.g. every 5 minutes."
    )

    def handle(self, *args, **options):
        checked = 0
        for customer_id in tax_id.claim_due_rechecks():
            customer = tax_id.recheck_tax_id(customer_id=customer_id)
            checked += 1
            status = customer.tax_id_status if customer is not None else "gone"
            self.stdout.write(f"{customer_id}  {status}")
        self.stdout.write(f"Checked {checked} customer{'s' if checked != 1 else ''} again.")
