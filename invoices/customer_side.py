"""The invoices' side of a customer's merge and erasure (customers.services.dependents), registered by
invoices.apps: customers cannot import this app, so what a merge or an erasure does to invoices lives here.

A draft follows a merged duplicate to the survivor; every other invoice (issued, paid or cancelled) stays with
the customer it was issued to. An invoice that was issued (it holds a number) is a document the law obliges
the business to keep, and holds its customer's erasure back; a draft cancelled before being issued has no
number and is no legal document.

An erasure scrubs the copies of an invoice that name its customer (its events and stored responses): their
`recipient` becomes the anonymised customer's. The invoice itself is not a copy: an issued one keeps the
recipient it was issued to (customers.services.erasure waits for its retention to end before anonymising)."""

from datetime import date, datetime

from django.db.models import Max

from beel.copies import ObjectScrub
from customers.models import Customer
from customers.representations import fiscal_identity
from customers.services.dependents import MergeShare
from invoices.models import Invoice, InvoiceStatus


class InvoicesOfCustomer:
    def merge_share(self, duplicate: Customer) -> MergeShare:
        invoices = Invoice.objects.filter(customer=duplicate)
        drafts = invoices.filter(status=InvoiceStatus.DRAFT).count()
        return MergeShare(moving=drafts, staying=invoices.count() - drafts)

    def move_to_survivor(self, duplicate: Customer, survivor: Customer, *, at: datetime) -> None:
        Invoice.objects.filter(customer=duplicate, status=InvoiceStatus.DRAFT).update(customer=survivor, updated_at=at)

    def last_kept_date(self, customer: Customer) -> date | None:
        issued = (
            Invoice.objects.filter(customer=customer).exclude(status=InvoiceStatus.DRAFT).exclude(number__isnull=True)
        )
        return issued.aggregate(last=Max("issue_date"))["last"]

    def copy_scrubs(self, customer: Customer) -> list[ObjectScrub]:
        recipient = fiscal_identity(customer)

        def anonymised_recipient(invoice: dict) -> dict:
            return {**invoice, "recipient": recipient} if "recipient" in invoice else invoice

        return [ObjectScrub("customer_id", anonymised_recipient)]
