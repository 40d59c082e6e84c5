"""Staff issue and cancel invoices from the admin through the API's services: cancelling asks first, every
outcome is one true message in the staff user's language (never "changed successfully"), refusals are the
service's, translated; the API keeps its English."""

from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.urls import reverse

from beel.events.models import Event, EventType
from invoices.models import Invoice, InvoiceStatus
from tests.admin_pages import page_text, texts
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

INVOICES = reverse("admin:invoices_invoice_changelist")


@pytest.fixture
def spanish_staff(staff):
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = "es-ES,es;q=0.9"
    return staff


def change_url(invoice) -> str:
    return reverse("admin:invoices_invoice_change", args=[invoice.pk])


def cancel_url(invoice) -> str:
    return reverse("admin:invoices_invoice_cancel", args=[invoice.pk])


def amounts(subtotal="100.00", tax_total="21.00", total="121.00") -> dict:
    return {"subtotal": Decimal(subtotal), "tax_total": Decimal(tax_total), "total": Decimal(total)}


def draft_form(**overrides) -> dict:
    data = {"issue_date": "2026-03-01", "currency": "EUR", "subtotal": "100.00", "tax_total": "21.00"}
    return {**data, "total": "121.00", **overrides}


def status_of(invoice) -> tuple[str, int | None]:
    return tuple(Invoice.objects.values_list("status", "number").get(pk=invoice.pk))


def test_cancelling_an_issued_invoice_asks_first_then_says_so_once_in_spanish(spanish_staff):
    invoice = InvoiceFactory(status=InvoiceStatus.ISSUED, series="A", number=7, **amounts())

    page = spanish_staff.get(change_url(invoice))
    confirmation = spanish_staff.get(cancel_url(invoice))
    assert status_of(invoice) == ("issued", 7)  # the confirmation wrote nothing
    done = spanish_staff.post(cancel_url(invoice), {"post": "yes"}, follow=True)

    assert 'id="cancel-invoice"' in page.content.decode() and "Anular esta factura" in page_text(page)
    assert "Se anulará 1 factura emitida. Conserva su número y sigue en el registro" in page_text(confirmation)
    assert "A-000007" in page_text(confirmation) and "Sí, anular 1 factura" in confirmation.content.decode()
    assert texts(done) == ["Factura A-000007 anulada: conserva su número y sigue en el registro."]
    assert status_of(invoice) == ("cancelled", 7)
    assert Event.objects.filter(type=EventType.INVOICE_CANCELLED, data__id=str(invoice.pk)).count() == 1
    assert "Anulada" in page_text(done) and 'id="cancel-invoice"' not in done.content.decode()


def test_a_cancelled_draft_says_it_never_took_a_number(spanish_staff):
    draft = InvoiceFactory(status=InvoiceStatus.DRAFT, number=None, **amounts())

    done = spanish_staff.post(cancel_url(draft), {"post": "yes"}, follow=True)

    assert texts(done) == [f"Borrador {str(draft.pk)[:8]} anulado sin emitir: nunca tomó número."]
    assert status_of(draft) == ("cancelled", None)
    assert "(ninguno: se anuló sin emitir)" in page_text(spanish_staff.get(change_url(draft)))
    assert "(ninguno: se anuló sin emitir)" in page_text(spanish_staff.get(INVOICES))
    assert "se cambió correctamente" not in page_text(done)


def test_a_paid_invoice_offers_no_cancel_and_a_posted_one_is_refused_with_the_services_reason(spanish_staff):
    paid = InvoiceFactory(status=InvoiceStatus.PAID, series="F", number=9, **amounts())

    page = spanish_staff.get(change_url(paid))
    confirmation = spanish_staff.get(cancel_url(paid))
    done = spanish_staff.post(cancel_url(paid), {"post": "yes"}, follow=True)

    assert 'id="cancel-invoice"' not in page.content.decode()
    assert "F-000009: una factura pagada no se puede anular." in page_text(confirmation)
    assert 'id="confirm-cancellation"' not in confirmation.content.decode()
    assert texts(done, messages.ERROR) == [
        "No se pudo anular 1 factura: F-000009: una factura pagada no se puede anular."
    ]
    assert status_of(paid) == ("paid", 9)


def test_the_cancel_action_previews_each_invoice_then_cancels_what_it_may(spanish_staff):
    customer = CustomerFactory()
    issued = InvoiceFactory(customer=customer, status=InvoiceStatus.ISSUED, series="A", number=1)
    draft = InvoiceFactory(customer=customer, status=InvoiceStatus.DRAFT, number=None)
    paid = InvoiceFactory(customer=customer, status=InvoiceStatus.PAID, series="A", number=2)
    cancelled = InvoiceFactory(customer=customer, status=InvoiceStatus.CANCELLED, series="A", number=3)
    selected = {"action": "cancel_selected", "_selected_action": [str(i.pk) for i in (issued, draft, paid, cancelled)]}

    preview = spanish_staff.post(INVOICES, selected)
    unchanged = [status_of(i) for i in (issued, draft, paid, cancelled)]
    done = spanish_staff.post(INVOICES, {**selected, "post": "yes"}, follow=True)

    text = page_text(preview)
    assert "Se anulará 1 factura emitida." in text and "Se anulará 1 borrador sin emitirlo" in text
    assert "1 ya está anulada y se queda como está." in text
    assert "1 no se puede anular: A-000002: una factura pagada no se puede anular." in text
    assert unchanged == [("issued", 1), ("draft", None), ("paid", 2), ("cancelled", 3)]
    assert texts(done, messages.SUCCESS) == [f"Anuladas 2 facturas: A-000001, borrador {str(draft.pk)[:8]}."]
    assert texts(done, messages.INFO) == ["1 ya estaba anulada y se queda como está."]
    assert texts(done, messages.ERROR) == [
        "No se pudo anular 1 factura: A-000002: una factura pagada no se puede anular."
    ]
    assert [status_of(i) for i in (issued, draft, paid, cancelled)] == [
        ("cancelled", 1),
        ("cancelled", None),
        ("paid", 2),
        ("cancelled", 3),
    ]


def test_save_and_issue_saves_the_drafts_edits_then_issues_it_with_one_message(spanish_staff):
    draft = InvoiceFactory(status=InvoiceStatus.DRAFT, series="A", number=None)

    page = spanish_staff.get(change_url(draft))
    done = spanish_staff.post(
        change_url(draft), {**draft_form(subtotal="200.00", total="221.00"), "_issue": "1"}, follow=True
    )

    issued = Invoice.objects.get(pk=draft.pk)
    assert "Guardar y emitir" in page_text(page) and "Anular este borrador" in page_text(page)
    assert (issued.status, issued.full_number, issued.total) == ("issued", "A-000001", Decimal("221.00"))
    assert texts(done) == [f"Factura A-000001 emitida, con fecha {issued.issue_date:%d/%m/%Y}."]


def test_a_refused_issue_keeps_the_saved_draft_and_says_why_in_spanish(spanish_staff):
    draft = InvoiceFactory(customer=CustomerFactory(active=False), status=InvoiceStatus.DRAFT, number=None)

    done = spanish_staff.post(change_url(draft), {**draft_form(), "_issue": "1"}, follow=True)

    assert texts(done) == ["Guardada como borrador, sin emitir: el cliente está desactivado; reactívelo primero."]
    assert status_of(draft) == ("draft", None)
    assert Invoice.objects.get(pk=draft.pk).total == Decimal("121.00")


def test_a_wrong_total_is_explained_in_spanish_with_the_fields_names(spanish_staff):
    draft = InvoiceFactory(status=InvoiceStatus.DRAFT)

    response = spanish_staff.post(change_url(draft), draft_form(total="1.00"))

    assert response.context["adminform"].form.errors["total"] == [
        "El total debe ser base imponible + impuestos = 121,00."
    ]
    assert Invoice.objects.get(pk=draft.pk).total == Decimal("0")


def test_the_api_keeps_its_english_amount_messages_for_a_spanish_caller(api, account):
    customer = CustomerFactory(account=account)

    response = api.post(
        "/api/v1/invoices",
        {"customer_id": str(customer.pk), "currency": "XYZ"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9",
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"currency": "An ISO 4217 code such as EUR."}
    assert not Invoice.objects.exists()


def test_staff_who_may_only_view_invoices_get_no_transition(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(viewer)
    issued = InvoiceFactory(status=InvoiceStatus.ISSUED, series="A", number=1)

    page = client.get(change_url(issued))
    refused = client.post(cancel_url(issued), {"post": "yes"})

    assert page.status_code == 200 and 'id="cancel-invoice"' not in page.content.decode()
    assert refused.status_code == 403
    assert status_of(issued) == ("issued", 1)
