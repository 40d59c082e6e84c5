from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apikeys.models import ALL_SCOPES, APIKey
from beel.tenancy import Mode
from companies.models import Company, EntityType, primary_company_of
from customers.demo import demo_customers
from customers.models import Customer
from customers.representations import fiscal_identity
from invoices.balances import rebuild_balances
from invoices.demo import demo_invoices
from invoices.models import DEFAULT_SERIES, Invoice, InvoicePayment, InvoiceSeriesCounter, InvoiceStatus

BATCH_SIZE = 2000
# Below this many customers the command is over before a progress line would help.
PROGRESS_FROM = 5000


class Command(BaseCommand):
    help = (
        "Load realistic Spanish demo customers (some with invoices) into an account, then print a fresh API "
        "key for it on the last line. Idempotent: an account that already has N customers gets none more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=200, help="How many customers the account should have.")
        parser.add_argument("--user", default="demo", help="Username of the account (created if needed).")

    def handle(self, *args, **options):
        wanted = options["customers"]
        if wanted < 0:
            raise CommandError("--customers must be zero or more.")
        with transaction.atomic():
            account, _ = get_user_model().objects.get_or_create(username=options["user"])
            company = _demo_issuer(account)
            existing = Customer.objects.filter(company=company, mode=Mode.LIVE).count()
            created, invoiced = self._seed(company, existing, wanted)
            issued = APIKey.issue(account=account, name="seeddemo", scopes=list(ALL_SCOPES))
        self.stderr.write(
            f"Account {account.username!r}: {created} customers and {invoiced} invoices added "
            f"({max(existing, wanted)} customers in all). API key (shown once):"
        )
        self.stdout.write(issued.raw_key)

    def _seed(self, company, start: int, stop: int) -> tuple[int, int]:
        if start >= stop:
            return 0, 0
        counter, _ = InvoiceSeriesCounter.objects.select_for_update().get_or_create(
            company=company, mode=Mode.LIVE, series=DEFAULT_SERIES
        )
        today = timezone.localdate()
        created = invoiced = 0
        progress = _Progress(self.stderr, total=stop - start)
        customers: list[Customer] = []
        invoices: list[Invoice] = []
        # NIFs the account already uses actively (its own customers, made through the API): a demo customer
        # that would clash with one is seeded inactive, without invoices, as one NIF is active only once.
        taken = set(Customer.objects.filter(company=company, mode=Mode.LIVE).active().values_list("nif", flat=True))
        for index, demo in enumerate(demo_customers(start, stop), start=start):
            if demo.active and demo.nif and demo.nif in taken:
                demo = replace(demo, active=False, invoice_count=0)
            customer = _demo_customer(company, demo)
            customers.append(customer)
            invoices += _demo_invoices(company, customer, index, demo.invoice_count, counter, today)
            if len(customers) >= BATCH_SIZE:
                created, invoiced = self._flush(customers, invoices, created, invoiced, progress)
        created, invoiced = self._flush(customers, invoices, created, invoiced, progress)
        counter.save(update_fields=["last_number"])
        rebuild_balances(company_id=company.pk)  # bulk inserts bypass the use cases that keep them
        return created, invoiced

    @staticmethod
    def _flush(customers, invoices, created, invoiced, progress) -> tuple[int, int]:
        Customer.objects.bulk_create(customers, batch_size=BATCH_SIZE)
        Invoice.objects.bulk_create(invoices, batch_size=BATCH_SIZE)
        InvoicePayment.objects.bulk_create(_settling_payments(invoices), batch_size=BATCH_SIZE)
        progress.update(len(customers))
        result = created + len(customers), invoiced + len(invoices)
        customers.clear()
        invoices.clear()
        return result


DEMO_ISSUER_NIF = "B12345674"
# Issued demo invoices fall due at BeeL's default term; paid ones were paid this many days after issue.
DEMO_PAYMENT_TERM_DAYS = 30
DEMO_DAYS_TO_PAY = 20


def _demo_issuer(account) -> Company:
    """The account's primary company, given a demo fiscal identity if it has none yet, so it can issue."""
    company = primary_company_of(account)
    if not company.nif:
        company.nif, company.legal_name, company.entity_type = (
            DEMO_ISSUER_NIF,
            "Demo Facturación SL",
            EntityType.LEGAL_ENTITY,
        )
        company.street, company.number, company.postal_code = "Calle de Alcalá", "1", "28014"
        company.city, company.province = "Madrid", "Madrid"
        company.save()
    return company


def _demo_customer(company, demo) -> Customer:
    customer = Customer(
        account_id=company.account_id,
        company=company,
        legal_name=demo.legal_name,
        nif=demo.nif,
        email=demo.email,
        phone=demo.phone,
        street=demo.street,
        number=demo.number,
        floor=demo.floor,
        door=demo.door,
        postal_code=demo.postal_code,
        city=demo.city,
        province=demo.province,
        active=demo.active,
        deactivated_at=None if demo.active else timezone.now(),
        **demo.record,
    )
    customer.fold_search_fields()  # bulk_create bypasses save()
    return customer


def _demo_invoices(company, customer: Customer, index: int, count: int, counter, today) -> list[Invoice]:
    invoices = []
    for invoice in demo_invoices(index, count):
        # As issuing leaves them: drafts unnumbered, the others numbered with their recipient's copy.
        issued = invoice.status != InvoiceStatus.DRAFT
        paid = invoice.status == InvoiceStatus.PAID
        issue_date = today - timedelta(days=(index + invoice.nth * 30) % 365)
        paid_on = min(issue_date + timedelta(days=DEMO_DAYS_TO_PAY), today)
        if issued:
            counter.last_number += 1
        invoices.append(
            Invoice(
                account_id=company.account_id,
                company=company,
                customer=customer,
                series=DEFAULT_SERIES,
                number=counter.last_number if issued else None,
                recipient=fiscal_identity(customer) if issued else None,
                issuer=company.fiscal_identity() if issued else None,
                status=invoice.status,
                issue_date=issue_date,
                due_date=issue_date + timedelta(days=DEMO_PAYMENT_TERM_DAYS) if issued else None,
                subtotal=invoice.subtotal,
                tax_total=invoice.tax_total,
                total=invoice.total,
                # Paid as mark-paid leaves them: one payment covering the total (made in _flush).
                amount_paid=invoice.total if paid else Decimal("0.00"),
                payment_date=paid_on if paid else None,
                paid_at=timezone.now() if paid else None,
            )
        )
    return invoices


def _settling_payments(invoices: list[Invoice]) -> list[InvoicePayment]:
    return [
        InvoicePayment(invoice=invoice, amount=invoice.total, payment_date=invoice.payment_date, recorded_by="seeddemo")
        for invoice in invoices
        if invoice.status == InvoiceStatus.PAID
    ]


class _Progress:
    """One line per batch on stderr for long runs; a plain line rather than a progress bar library, so
    the command runs on a production install, which has no dev packages."""

    def __init__(self, stream, *, total: int):
        self.stream, self.total, self.done = stream, total, 0

    def update(self, count: int) -> None:
        self.done += count
        if self.total >= PROGRESS_FROM:
            self.stream.write(f"{self.done}/{self.total} customers")
