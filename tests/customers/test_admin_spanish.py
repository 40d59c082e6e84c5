"""The admin speaks Spanish to a Spanish browser and English otherwise; the API always speaks English."""

from decimal import Decimal

import pytest
from django.contrib import messages
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst

from invoices.models import InvoiceStatus
from tests.admin_pages import CUSTOMERS, page_text, texts
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def action_labels(response) -> dict[str, str]:
    return {value: str(label) for value, label in response.context["action_form"].fields["action"].choices}


def test_a_spanish_browser_gets_our_actions_and_filters_in_spanish(staff):
    CustomerFactory()

    response = staff.get(CUSTOMERS, **SPANISH)

    assert response["Content-Language"] == "es"
    labels = action_labels(response)
    assert labels["deactivate_selected"] == "Desactivar los clientes seleccionados (baja lógica)"
    assert labels["reactivate_selected"] == "Reactivar los clientes seleccionados"
    assert labels["export_csv"] == "Exportar los clientes seleccionados (CSV)"
    assert "Con facturas" in page_text(response)


def test_any_other_browser_gets_english(staff):
    CustomerFactory()

    response = staff.get(CUSTOMERS, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert action_labels(response)["deactivate_selected"] == "Deactivate selected customers (soft delete)"


def test_the_confirmation_and_the_messages_are_spanish(staff):
    account = AccountFactory(username="acme")
    customers = CustomerFactory.create_batch(2, account=account)
    inactive = CustomerFactory(account=account, active=False, deactivated_at=timezone.now())
    selected = {"action": "deactivate_selected", "_selected_action": [str(c.pk) for c in [*customers, inactive]]}

    preview = staff.post(CUSTOMERS, selected, **SPANISH)
    done = staff.post(CUSTOMERS, {**selected, "post": "yes"}, follow=True, **SPANISH)

    assert "Se desactivarán 2 clientes." in page_text(preview)
    assert "1 ya está inactivo y se queda como está." in page_text(preview)
    assert texts(done, messages.SUCCESS) == ["Desactivados 2 clientes (cuenta acme: 2); 1 ya estaba inactivo. Deshacer"]


def test_dates_and_amounts_are_shown_the_spanish_way(staff):
    customer = CustomerFactory()
    InvoiceFactory(
        customer=customer,
        status=InvoiceStatus.DRAFT,
        subtotal=Decimal("1814.00"),
        tax_total=Decimal("170.94"),
        total=Decimal("1984.94"),
    )

    customers = page_text(staff.get(CUSTOMERS, **SPANISH))
    invoices = page_text(staff.get(reverse("admin:invoices_invoice_changelist"), **SPANISH))

    with translation.override("es"):
        created = formats.localize(timezone.localtime(customer.created_at))  # the list's tooltip
        created_on = formats.date_format(timezone.localtime(customer.created_at), "d/m/Y")
    assert created_on in customers
    assert f'title="{created}"' in staff.get(CUSTOMERS, **SPANISH).content.decode() and " de " in created
    assert "1984,94" in invoices


def test_the_api_stays_english_for_a_spanish_caller(api):
    missing = api.get("/api/v1/customers/00000000-0000-0000-0000-000000000000", **SPANISH)
    invalid = api.post("/api/v1/customers", {}, format="json", **SPANISH)

    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Customer not found"
    assert "Content-Language" not in missing
    assert invalid.status_code == 422
    assert invalid.json()["error"]["details"]["legal_name"] == "This field is required."


def test_the_history_and_invoice_statuses_are_spanish(staff):
    customer = CustomerFactory()
    InvoiceFactory(customer=CustomerFactory(), status=InvoiceStatus.PAID)
    staff.post(
        CUSTOMERS, {"action": "deactivate_selected", "_selected_action": [str(customer.pk)], "post": "yes"}, **SPANISH
    )

    page = staff.get(reverse("admin:customers_customer_change", args=[customer.pk]), **SPANISH).content.decode()
    invoices = page_text(staff.get(reverse("admin:invoices_invoice_changelist"), **SPANISH))

    assert "<td>Desactivado</td>" in page
    assert "Pagada" in invoices


def _column_headers(response) -> list[str]:
    # As the changelist template shows them (capfirst).
    return [capfirst(str(header["text"]).strip()) for header in response.context["result_headers"]]


def test_the_column_headers_and_field_labels_come_from_translated_model_fields(staff):
    customer = CustomerFactory()
    InvoiceFactory(customer=customer)

    customers = _column_headers(staff.get(CUSTOMERS, **SPANISH))
    assert {"Razón social", "NIF", "Activo", "Censo", "Facturas", "Creado"} <= set(customers)
    invoices = _column_headers(staff.get(reverse("admin:invoices_invoice_changelist"), **SPANISH))
    assert {"Estado", "Fecha de emisión", "Total", "Moneda"} <= set(invoices)
    keys = _column_headers(staff.get(reverse("admin:apikeys_apikey_changelist"), **SPANISH))
    assert "Nombre" in keys

    english = _column_headers(staff.get(CUSTOMERS))
    assert {"Legal name", "NIF", "Active", "Census", "Invoices", "Created"} <= set(english)
    form = staff.get(reverse("admin:customers_customer_change", args=[customer.pk]), **SPANISH)
    assert "Código postal" in page_text(form)
