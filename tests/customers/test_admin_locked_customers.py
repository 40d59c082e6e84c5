"""Merged, anonymised and erasure-pending customers in the admin, through the test client: their page says
what happened (and into whom, until when), is read-only with neither save buttons nor Reactivate, and a
save posted anyway writes nothing and says so once, in the staff user's language."""

from datetime import date

import pytest
from django.contrib import messages
from django.urls import reverse
from django.utils import timezone, translation

from beel.actors import Actor
from beel.tenancy import DataScope
from customers import services
from customers.models import AuditEntry, Customer
from tests.admin_pages import change_form_data, customer_change_url, page_text, row_values, shown_date, texts
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}
SAVE_BUTTONS = ('name="_save"', 'name="_continue"', 'name="_addanother"')


def erase(customer) -> Customer:
    services.request_erasure(scope=DataScope.everything(), customer_id=str(customer.pk), actor=Actor.command("rgpd"))
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def pending():
    """Asked to be forgotten, kept while its 2024 invoice must be (until the end of 2030)."""
    customer = CustomerFactory(legal_name="Retenida SL", notes="antes")
    InvoiceFactory(customer=customer, series="F", number=1, status="issued", issue_date=date(2024, 3, 1))
    return erase(customer)


@pytest.fixture
def anonymised():
    return erase(CustomerFactory(legal_name="Olvidada SL", notes="antes"))


@pytest.fixture
def merged():
    account = AccountFactory()
    kept = CustomerFactory(account=account, legal_name="Conservada SL")
    duplicate = CustomerFactory(account=account, legal_name="Duplicada SL", notes="antes")
    services.merge_customers(
        scope=DataScope.everything(), customer_id=str(duplicate.pk), into_id=str(kept.pk), actor=Actor.command("fusion")
    )
    return Customer.objects.get(pk=duplicate.pk)


def shown_in_spanish(customer, action) -> str:
    with translation.override("es"):
        return shown_date(customer.audit_entries.get(action=action).at)


def edited_notes(client, customer) -> dict:
    """The change form as a browser had it before the customer was locked, with Notas edited."""
    data = change_form_data(client, customer_change_url(customer))
    return {**data, "notes": "después", "_continue": "Grabar y continuar editando"}


def test_a_save_refused_by_an_erasure_requested_meanwhile_says_so_once_in_spanish(staff, monkeypatch):
    customer = CustomerFactory(legal_name="Cambiante SL", notes="antes")
    InvoiceFactory(customer=customer, series="F", number=1, status="issued", issue_date=date(2024, 3, 1))
    data = edited_notes(staff, customer)
    real_update = services.update_customer

    def erasure_requested_first(**kwargs):  # another request asks for the erasure as this save starts
        erase(customer)
        return real_update(**kwargs)

    monkeypatch.setattr(services, "update_customer", erasure_requested_first)

    response = staff.post(customer_change_url(customer), data, follow=True, **SPANISH)

    assert texts(response) == ["No guardado: el cliente pidió ser olvidado y sigue inactivo hasta que se anonimice."]
    assert response.redirect_chain[-1][0] == customer_change_url(customer)
    assert Customer.objects.get(pk=customer.pk).notes == "antes"
    assert not AuditEntry.objects.filter(customer=customer, action=AuditEntry.Action.UPDATED).exists()


@pytest.mark.parametrize("state", ["pending", "anonymised", "merged"])
def test_a_save_posted_to_a_locked_customer_writes_nothing_and_says_why_once(staff, state, request):
    customer = request.getfixturevalue(state)
    data = {**change_form_data(staff, customer_change_url(customer)), "notes": "después", "_continue": "1"}
    before = row_values(customer)
    entries = AuditEntry.objects.filter(customer=customer).count()

    response = staff.post(customer_change_url(customer), data, follow=True, **SPANISH)

    [message] = texts(response)
    assert message.startswith("No guardado: el cliente")
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]
    assert row_values(Customer.objects.get(pk=customer.pk)) == before
    assert AuditEntry.objects.filter(customer=customer).count() == entries


@pytest.mark.parametrize("state", ["pending", "anonymised", "merged"])
def test_a_locked_customer_page_is_read_only_without_save_buttons_nor_reactivate(staff, state, request):
    customer = request.getfixturevalue(state)

    response = staff.get(customer_change_url(customer), **SPANISH)

    assert response.status_code == 200
    content = response.content.decode()
    assert not any(button in content for button in SAVE_BUTTONS)
    assert 'id="reactivate-customer"' not in content and 'id="deactivate-customer"' not in content
    assert 'name="notes"' not in content  # shown, not editable
    assert "desconocido" not in content
    assert response.context["has_change_permission"] is False


def test_the_erasure_pending_page_says_since_when_by_whom_and_until_when(staff, pending):
    text = page_text(staff.get(customer_change_url(pending), **SPANISH))

    when = shown_in_spanish(pending, AuditEntry.Action.ERASURE_REQUESTED)
    assert f"Supresión solicitada el {when} por rgpd." in text
    assert "Sus facturas se conservan hasta el 31/12/2030; se anonimizará automáticamente después de ese día." in text
    assert "Su ficha ya no puede cambiar." in text


def test_the_anonymised_page_says_when_and_by_whom(staff, anonymised):
    response = staff.get(customer_change_url(anonymised), **SPANISH)
    text = page_text(response)

    assert f"Anonimizado el {shown_in_spanish(anonymised, AuditEntry.Action.ANONYMIZED)} por rgpd." in text
    assert "deactivation-banner" not in response.content.decode()  # the state says it, not a deactivation


def test_the_merged_page_links_to_the_survivor(staff, merged):
    response = staff.get(customer_change_url(merged), **SPANISH)

    when = shown_in_spanish(merged, AuditEntry.Action.MERGED)
    assert f"Fusionado en {merged.merged_into} el {when} por fusion." in page_text(response)
    survivor_link = f'<a href="{customer_change_url(merged.merged_into)}" id="merged-into">'
    assert survivor_link in response.content.decode()


def test_a_deactivation_without_its_history_names_nobody(staff):
    customer = CustomerFactory(legal_name="Sin Historia SL", active=False, deactivated_at=timezone.now())

    text = page_text(staff.get(customer_change_url(customer), **SPANISH))

    with translation.override("es"):
        assert f"Desactivado el {shown_date(customer.deactivated_at)}" in text
    assert "desconocido" not in text
    assert 'id="reactivate-customer"' in staff.get(customer_change_url(customer)).content.decode()


def test_reactivate_from_a_page_loaded_before_the_erasure_changes_nothing_and_says_why_once(staff, pending):
    url = reverse("admin:customers_customer_reactivate", args=[pending.pk])

    response = staff.post(url, follow=True, **SPANISH)

    assert texts(response) == ["Sin cambios: el cliente pidió ser olvidado y sigue inactivo hasta que se anonimice."]
    assert response.redirect_chain[-1][0] == customer_change_url(pending)
    assert Customer.objects.get(pk=pending.pk).active is False


def test_deactivate_of_a_merged_customer_offers_no_confirmation(staff, merged):
    response = staff.get(reverse("admin:customers_customer_deactivate", args=[merged.pk]), **SPANISH)

    assert response.status_code == 302 and response["Location"] == customer_change_url(merged)
