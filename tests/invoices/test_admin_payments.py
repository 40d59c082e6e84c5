"""The invoice page's payments in the admin: "Registrar pago" (amount and date) and undoing a payment, through
the same services as the API's mark-paid and DELETE .../payments/{id}."""

from decimal import Decimal

import pytest
from django.urls import reverse

from beel.events.models import Event
from invoices.models import Invoice, InvoicePayment
from tests.invoices.payments import issued_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]


def record_url(invoice_id) -> str:
    return reverse("admin:invoices_invoice_record_payment", args=[invoice_id])


def test_the_issued_invoices_page_offers_registrar_pago_in_spanish(api, staff, customer):
    invoice = issued_for(api, customer)
    page = staff.get(reverse("admin:invoices_invoice_change", args=[invoice["id"]]), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    assert "Registrar pago" in page.content.decode() and record_url(invoice["id"]) in page.content.decode()
    form = staff.get(record_url(invoice["id"]), HTTP_ACCEPT_LANGUAGE="es")
    text = form.content.decode()
    assert form.status_code == 200 and "Registrar pago" in text and 'name="payment_date"' in text, text[-3000:]


def test_staff_record_a_partial_then_the_rest_and_the_invoice_is_paid(api, staff, customer):
    invoice = issued_for(api, customer, total="121.00")
    response = staff.post(record_url(invoice["id"]), {"amount": "21.00", "payment_date": "2026-06-10"})
    assert response.status_code == 302
    stored = Invoice.objects.get(pk=invoice["id"])
    assert (stored.status, stored.amount_paid) == ("issued", Decimal("21.00"))
    assert InvoicePayment.objects.get().recorded_by == "admin:admin"
    staff.post(record_url(invoice["id"]), {"amount": "", "payment_date": "2026-06-12", "method": "CASH"})
    stored.refresh_from_db()
    assert (stored.status, stored.amount_paid, str(stored.payment_date)) == ("paid", Decimal("121.00"), "2026-06-12")
    assert Event.objects.filter(type="invoice.paid").count() == 1


def test_an_amount_over_what_is_due_is_shown_and_nothing_is_recorded(api, staff, customer):
    invoice = issued_for(api, customer, total="10.00")
    response = staff.post(record_url(invoice["id"]), {"amount": "10.01", "payment_date": "2026-06-10"})
    assert response.status_code == 200 and "10.00" in response.content.decode()
    assert not InvoicePayment.objects.exists()


def test_staff_undo_a_payment_after_confirming(api, staff, customer):
    invoice = issued_for(api, customer, total="10.00")
    staff.post(record_url(invoice["id"]), {"payment_date": "2026-06-10"})
    payment = InvoicePayment.objects.get()
    undo_url = reverse("admin:invoices_invoice_undo_payment", args=[invoice["id"], payment.pk])
    confirmation = staff.get(undo_url, HTTP_ACCEPT_LANGUAGE="es")
    assert "Deshacer pago" in confirmation.content.decode()
    assert InvoicePayment.objects.exists()  # asking is not undoing
    assert staff.post(undo_url).status_code == 302
    stored = Invoice.objects.get(pk=invoice["id"])
    assert (stored.status, stored.amount_paid, stored.payment_date) == ("issued", Decimal("0.00"), None)
    assert not InvoicePayment.objects.exists()
