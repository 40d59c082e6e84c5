from django.core.management.base import BaseCommand

from beel.actors import Actor
from customers.services import anonymize_due_customers


class Command(BaseCommand):
    help = (
        "Anonymise every customer whose erasure was requested while invoices issued to it were under legal "
        "retention, once that retention has ended (its retain_until is past). Run it daily, e.g. from cron."
    )

    def handle(self, *args, **options):
        anonymized = anonymize_due_customers(actor=Actor.command("anonymizeduecustomers"))
        for customer in anonymized:
            self.stdout.write(f"anonymised  {customer.pk}  (retained until {customer.retain_until})")
        self.stdout.write(f"Anonymised {len(anonymized)} customer{'s' if len(anonymized) != 1 else ''}.")
