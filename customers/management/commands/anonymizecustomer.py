from django.core.management.base import BaseCommand, CommandError

from beel.actors import Actor
from beel.errors import DomainError
from beel.tenancy import DataScope
from customers.services import request_erasure


class Command(BaseCommand):
    help = (
        "Carry out a written request to be forgotten for one customer, with the API's rules: anonymised now, "
        "or (while invoices issued to it are under legal retention) deactivated and anonymised automatically "
        "by anonymizeduecustomers after the retention ends."
    )

    def add_arguments(self, parser):
        parser.add_argument("customer_id", metavar="CUSTOMER_ID")

    def handle(self, *args, **options):
        try:
            outcome = request_erasure(
                scope=DataScope.everything(),
                customer_id=options["customer_id"],
                actor=Actor.command("anonymizecustomer"),
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        if outcome.anonymized:
            self.stdout.write(f"Customer {outcome.customer.pk} is anonymised.")
        else:
            self.stdout.write(
                f"Customer {outcome.customer.pk} has invoices to keep until {outcome.retain_until}: erasure recorded, "
                "customer deactivated; anonymizeduecustomers anonymises it after that day."
            )
