"""The customer's statement in the admin ("Extracto de cuenta"): linked from the customer's page, in Spanish,
with its period form and CSV download, through the same computation as the API's; staff need to view
invoices."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import CustomerFactory
from tests.invoices.statements import stored_invoice, url_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]


def statement_url(customer) -> str:
    return reverse("admin:invoices_invoice_customer_statement", args=[customer.pk])


def test_the_customers_page_links_to_its_statement(staff, customer):
    page = staff.get(reverse("admin:customers_customer_change", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="es")
    text = page.content.decode()
    assert page.status_code == 200 and "Extracto de cuenta" in text and statement_url(customer) in text


def test_the_statement_page_shows_balances_lines_and_aging_in_spanish(staff, customer):
    invoice = stored_invoice(
        customer, issued="2026-01-10", due="2026-02-09", total="1234.50", payments=(("2026-03-05", "234.50"),)
    )
    stored_invoice(customer, issued="2026-04-01", due="2026-05-01", total="40.00", currency="USD")
    page = staff.get(statement_url(customer), {"from": "2026-02-01", "to": "2026-05-31"}, HTTP_ACCEPT_LANGUAGE="es")
    text = page.content.decode()
    assert page.status_code == 200, text[-2000:]
    for words in ("Extracto de cuenta", "Saldo inicial", "Saldo final", "Cobro", "Debe", "Haber", "Más de 90 días"):
        assert words in text, words
    assert invoice.full_number in text and "05/03/2026" in text
    # Spanish amounts: a decimal comma. 1234,50 opening, 1000,00 owed.
    assert "1234,50" in text and "1000,00" in text
    assert 'data-currency="EUR"' in text and 'data-currency="USD"' in text
    assert 'value="2026-02-01"' in text and 'value="2026-05-31"' in text
    assert "Descargar CSV" in text


def test_the_period_defaults_to_the_year_so_far_and_a_bad_one_is_explained(staff, customer):
    page = staff.get(statement_url(customer), HTTP_ACCEPT_LANGUAGE="es")
    assert 'value="2026-01-01"' in page.content.decode() and 'value="2026-06-15"' in page.content.decode()
    refused = staff.get(statement_url(customer), {"from": "2026-05-02", "to": "2026-05-01"}, HTTP_ACCEPT_LANGUAGE="es")
    text = refused.content.decode()
    assert refused.status_code == 200 and "La fecha inicial no puede ser posterior a la final." in text
    assert "Descargar CSV" not in text


def test_the_csv_download_is_the_apis_csv(staff, api, customer):
    stored_invoice(customer, issued="2026-02-01", due="2026-03-01", total="10.00")
    period = {"from": "2026-01-01", "to": "2026-06-15"}
    download = staff.get(statement_url(customer), {**period, "download": "csv"})
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith("attachment; filename=")
    body = b"".join(download.streaming_content)
    assert body == b"".join(api.get(url_of(customer), period, HTTP_ACCEPT="text/csv").streaming_content)
    assert body.startswith(b"\xef\xbb\xbfCliente;NIF;Moneda;") and b";10,00" in body


def test_staff_without_the_invoice_view_permission_are_refused(client, django_user_model):
    customer = CustomerFactory()
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(clerk)
    assert client.get(statement_url(customer)).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    clerk = django_user_model.objects.get(pk=clerk.pk)
    client.force_login(clerk)
    assert client.get(statement_url(customer)).status_code == 200
