"""What the services say is told to staff in Spanish in the admin, and stays English in the API whatever the
caller's language; the admin's own names (the site, the permissions, the history's fields) are Spanish too."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beel.actors import Actor
from beel.tenancy import DataScope
from customers import services
from invoices.models import InvoiceStatus
from tests.admin_pages import INVOICES, customer_change_url, page_text, texts
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}
IMPORT = reverse("admin:customers_customer_import_csv")
LINES = [
    "Razón social;NIF;Teléfono;Ciudad;Provincia",
    "Ferretería Norte SL;A58818501;;Cádiz;Cádiz",
    "Mercería Lola SL;a-58818501;;Cádiz;Cádiz",
    "Teléfono Raro SL;B76543214;12;Madrid;Madrid",
]


def csv_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("clientes.csv", "\r\n".join(LINES).encode(), content_type="text/csv")


def test_a_refused_issue_is_spanish_in_the_admin_and_english_in_the_api(staff, api, account):
    invoice = InvoiceFactory(customer=CustomerFactory(account=account), status=InvoiceStatus.PAID)

    selected = {"action": "issue_selected", "_selected_action": [str(invoice.pk)]}
    admin = staff.post(INVOICES, selected, follow=True, **SPANISH)
    answer = api.post(f"/api/v1/invoices/{invoice.pk}/issue", headers={"Accept-Language": "es"})

    assert f"No se pudo emitir 1 factura: {invoice}: solo se puede emitir un borrador." in texts(admin)
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == "Only a draft invoice can be issued"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_import_row_messages_are_spanish_in_the_admin_and_english_in_the_api(staff, api, account):
    AccountFactory(username="ferreteria")

    preview = staff.post(IMPORT, {"account": "ferreteria", "mode": "live", "file": csv_file()}, **SPANISH)
    answer = api.post(
        "/api/v1/customers/import-csv-preview", {"file": csv_file()}, format="multipart", HTTP_ACCEPT_LANGUAGE="es"
    )

    shown = page_text(preview)
    assert "NIF: la línea 2 del archivo tiene el mismo valor" in shown
    assert "No es un número de teléfono válido." in shown
    assert "has the same NIF" not in shown and "Not a valid phone number" not in shown
    messages = [
        message["message"] for row in answer.json()["data"]["customers_validation"] for message in row["errors"]
    ]
    assert "Line 2 of the file has the same NIF" in messages
    assert "Not a valid phone number." in messages


def test_the_history_names_the_changed_fields_in_spanish(staff):
    customer = CustomerFactory()
    services.update_customer(
        scope=DataScope.everything(),
        customer_id=str(customer.pk),
        data={"city": "Toledo", "notes": "Pedido semanal"},
        actor=Actor.command("pruebas"),
    )

    page = page_text(staff.get(customer_change_url(customer), **SPANISH))
    history = page_text(staff.get(reverse("admin:customers_customer_history", args=[customer.pk]), **SPANISH))

    assert "ciudad, notas" in page
    assert "ciudad, notas" in history
    assert "city" not in history


def test_the_site_and_the_permissions_are_named_in_spanish(staff):
    index = page_text(staff.get(reverse("admin:index"), **SPANISH))
    group_form = staff.get(reverse("admin:auth_group_add"), **SPANISH).content.decode()

    assert "beel · administración" in index and "Django" not in index
    assert "Clientes | cliente | Puede modificar cliente" in group_form
    assert "Can change customer" not in group_form
    assert Permission.objects.get(codename="change_customer").name == "Can change customer"  # as Django stores it
