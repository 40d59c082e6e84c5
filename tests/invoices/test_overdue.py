"""Overdue is derived from the due date on each read (the service's clock), and `invoice.overdue` is sent
once per invoice by the daily sweep (`notifyoverdueinvoices`, the Celery task beat runs)."""

from io import StringIO

import pytest
from django.core.management import call_command

from beel.events.models import Event
from invoices.models import Invoice
from tests.envelope import assert_success
from tests.invoices.helpers import cancel, url_of
from tests.invoices.payments import issued_for, mark_paid, move_days, undo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]


def overdue(client, invoice_id) -> bool:
    return assert_success(client.get(url_of(invoice_id)))["overdue"]


def notify() -> str:
    out = StringIO()
    call_command("notifyoverdueinvoices", stdout=out)
    return out.getvalue()


def overdue_events(invoice_id: str) -> int:
    return Event.objects.filter(type="invoice.overdue", data__id=invoice_id).count()


def test_an_invoice_is_overdue_from_the_day_after_its_due_date(api, customer):
    invoice = issued_for(api, customer, due_date="2026-06-20")
    move_days(4)  # the 19th
    assert overdue(api, invoice["id"]) is False
    move_days(1)  # the 20th: its last day to pay
    assert overdue(api, invoice["id"]) is False
    move_days(1)  # the 21st
    assert overdue(api, invoice["id"]) is True
    assert Invoice.objects.get(pk=invoice["id"]).status == "issued"  # never stored: BeeL's OVERDUE is never set


def test_a_partly_paid_invoice_stays_overdue_and_a_paid_one_is_not(api, customer):
    invoice = issued_for(api, customer, total="10.00", due_date="2026-06-15")
    move_days(1)
    assert_success(mark_paid(api, invoice["id"], amount="5.00", payment_date="2026-06-16"))
    assert overdue(api, invoice["id"]) is True
    paid = assert_success(mark_paid(api, invoice["id"]))
    assert paid["overdue"] is False
    undone = assert_success(undo(api, invoice["id"], paid["payments"][1]["id"]))
    assert undone["overdue"] is True  # never stale: derived again on the undo's answer


def test_a_cancelled_invoice_is_never_overdue(api, customer):
    invoice = issued_for(api, customer, due_date="2026-06-15")
    assert_success(cancel(api, invoice["id"]))
    move_days(10)
    assert overdue(api, invoice["id"]) is False


def test_the_sweep_sends_invoice_overdue_once_per_invoice_from_the_day_after_it_fell_due(api, customer):
    due_today = issued_for(api, customer, due_date="2026-06-15")
    due_tomorrow = issued_for(api, customer, due_date="2026-06-16")
    paid = issued_for(api, customer, due_date="2026-06-15")
    assert_success(mark_paid(api, paid["id"]))
    assert "Notified 0 " in notify()
    move_days(1)
    assert "Notified 1 " in notify()
    assert (overdue_events(due_today["id"]), overdue_events(due_tomorrow["id"]), overdue_events(paid["id"])) == (
        1,
        0,
        0,
    )
    event = Event.objects.get(type="invoice.overdue")
    assert (event.data["overdue"], event.data["amount_due"], event.data["due_date"]) == (True, "121.00", "2026-06-15")
    assert "Notified 0 " in notify()  # once per invoice
    move_days(1)
    assert "Notified 1 " in notify()
    assert (overdue_events(due_today["id"]), overdue_events(due_tomorrow["id"])) == (1, 1)
    assert Invoice.objects.filter(overdue_notified_at__isnull=False).count() == 2


def test_the_beat_task_runs_the_same_sweep(api, customer):
    from invoices.tasks import notify_overdue_invoices

    invoice = issued_for(api, customer, due_date="2026-06-15")
    move_days(1)
    notify_overdue_invoices.delay()  # eager without a broker, as in development
    assert overdue_events(invoice["id"]) == 1
