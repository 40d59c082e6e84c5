"""The admin's "Antigüedad de saldos": the aging report across customers, in Spanish, with its CSV."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import AccountFactory, CompanyFactory, CustomerFactory
from tests.invoices.aging import owing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
URL = "/admin/invoices/invoice/aging/"


def test_the_report_is_linked_from_the_invoice_list_and_speaks_spanish(staff, account):
    customer = CustomerFactory(account=account, legal_name="Talleres Núñez SL")
    owing(customer, "1234.50", days_past_due=40)
    changelist = staff.get(reverse("admin:invoices_invoice_changelist"), **SPANISH).content.decode()
    assert "Antigüedad de saldos" in changelist and reverse("admin:invoices_invoice_aging") == URL
    page = staff.get(URL, **SPANISH)
    text = page.content.decode()
    assert page.status_code == 200
    # The buckets' labels take an en dash (U+2013).
    expected = ["Antigüedad de saldos", "A fecha de", "Al corriente", "31\u201360 días", "Más de 90 días"]
    expected.append("Descargar CSV")
    for words in expected:
        assert words in text, words
    assert "Talleres Núñez SL" in text and '<td class="amount">1234,50</td>' in text
    assert "Total (1 cliente)" in text


def test_the_admin_index_links_the_report_for_staff_who_may_view_invoices(staff, client, db):
    index = staff.get("/admin/", **SPANISH).content.decode()
    assert "Informes" in index and f'href="{URL}"' in index and "Antigüedad de saldos" in index
    client.force_login(AccountFactory(is_staff=True))
    assert f'href="{URL}"' not in client.get("/admin/", **SPANISH).content.decode()


def test_the_company_picker_mode_and_as_of_narrow_the_rows(staff, account, customer):
    second = CompanyFactory(account=account)
    other = CustomerFactory(account=account, company=second, legal_name="Segunda Cliente SL")
    owing(customer, "10.00")
    owing(other, "20.00")
    text = staff.get(URL, {"company": second.pk, "mode": "live"}, **SPANISH).content.decode()
    assert "Segunda Cliente SL" in text and customer.legal_name not in text
    assert "Segunda Cliente SL" not in staff.get(URL, {"mode": "test"}, **SPANISH).content.decode()
    past = staff.get(URL, {"as_of": "2026-01-01"}, **SPANISH).content.decode()
    assert "Ningún cliente debe nada en esta fecha." in past  # issued after that day


def test_sorting_and_pages(staff, account):
    for n in range(55):
        owing(CustomerFactory(account=account, legal_name=f"Cliente {n:02d}"), f"{n + 1}.00")
    first = staff.get(URL, **SPANISH).content.decode()
    assert "Cliente 54" in first and "Cliente 00" not in first and "Página 1 de 2" in first
    second = staff.get(URL, {"page": "2"}, **SPANISH).content.decode()
    assert "Cliente 00" in second and "Cliente 54" not in second
    by_name = staff.get(URL, {"sort_by": "legal_name", "sort_order": "asc"}, **SPANISH).content.decode()
    assert by_name.index("Cliente 00") < by_name.index("Cliente 01") and "Cliente 54" not in by_name


def test_a_day_after_today_is_refused_in_spanish(staff):
    text = staff.get(URL, {"as_of": "2026-06-16"}, **SPANISH).content.decode()
    assert "No puede ser posterior a hoy" in text


def test_the_csv_download_is_the_apis(staff, account):
    customer = CustomerFactory(account=account, legal_name="Talleres Núñez SL")
    owing(customer, "10.00", days_past_due=1)
    response = staff.get(reverse("admin:invoices_invoice_aging_csv"), {"as_of": "2026-06-15"}, **SPANISH)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="antiguedad-saldos-20260615.csv"'
    content = b"".join(response.streaming_content).decode()
    assert content.startswith("\ufeffID cliente;Razón social;NIF;Moneda;")
    assert f"{customer.pk};{customer.legal_name};{customer.nif};EUR;0,00;10,00;0,00;0,00;0,00;10,00\r\n" in content


def test_staff_without_the_invoice_view_permission_are_refused(client, db):
    user = AccountFactory(is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("admin:invoices_invoice_aging_csv")).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    assert client.get(URL).status_code == 200
