"""Invoice use cases, shared by the API, the admin and the commands."""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from beel.actors import Actor
from beel.events.models import EventType, NewEvent, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from customers.services import get_customer
from invoices.errors import CustomerCannotBeInvoiced, InvoiceNotFound
from invoices.models import DEFAULT_SERIES, Invoice, InvoiceSeriesCounter
from invoices.representations import invoice_representation


def get_invoice(*, scope: DataScope, invoice_id: str) -> Invoice:
    invoice_uuid = parse_uuid(invoice_id, field="invoice_id")
    invoice = Invoice.objects.within(scope).filter(pk=invoice_uuid).first()
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


def _next_number(*, account, mode: str, series: str) -> int:
    """Reserve the next number of the series; the caller's transaction holds the counter row's lock.
    Test-mode invoices have their own counters, so they never consume live numbers."""
    counters = InvoiceSeriesCounter.objects.select_for_update()
    counter = counters.filter(account=account, mode=mode, series=series).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = InvoiceSeriesCounter.objects.create(account=account, mode=mode, series=series)
        except IntegrityError:
            # Another transaction created the counter first: wait for and take its lock instead.
            counter = counters.get(account=account, mode=mode, series=series)
        else:
            counter = counters.get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def create_invoice(
    *, scope: DataScope, customer_id: str, data: Mapping[str, Any] | None = None, actor: Actor
) -> Invoice:
    """Create a draft invoice for an active customer of the account.

    The customer row is locked first, the same lock `deactivate_customers` takes, so an invoice is never
    created under a customer that is being (or has just been) deactivated."""
    account, mode = scope.owner()
    data = dict(data or {})
    series = data.pop("series", None) or DEFAULT_SERIES
    with transaction.atomic():
        customer = get_customer(scope=scope, customer_id=customer_id, for_update=True)
        if not customer.active:
            raise CustomerCannotBeInvoiced()
        number = _next_number(account=account, mode=mode, series=series)
        invoice = Invoice.objects.create(
            account=account, mode=mode, customer=customer, series=series, number=number, **data
        )
        record_events(
            [
                NewEvent(
                    account_id=invoice.account_id,
                    mode=invoice.mode,
                    type=EventType.INVOICE_CREATED,
                    data=invoice_representation(invoice),
                )
            ]
        )
        return invoice
