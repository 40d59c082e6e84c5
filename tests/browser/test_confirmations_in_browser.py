"""In headless Chromium and in Spanish, what cannot be undone asks first or is not offered: an API key is
revoked through its confirmation page, bulk Reactivar says how many are already active before it acts, and
staff without "Puede anonimizar clientes" find no Anonimizar action."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from apikeys.models import APIKey
from customers.models import Customer
from tests.browser.test_locked_in_browser import PASSWORD, in_spanish, log_in
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory


@pytest.fixture
def spanish_staff(browser, wait, live_server, django_user_model, db):
    django_user_model.objects.create_superuser("staff", "staff@example.es", PASSWORD)
    in_spanish(browser, live_server)
    log_in(browser, wait, live_server, "staff", PASSWORD)
    return browser


def run_action(browser, action: str, names: list[str]) -> None:
    for name in names:
        row = browser.find_element(By.XPATH, f"//table[@id='result_list']//tr[.//a[normalize-space()='{name}']]")
        row.find_element(By.CSS_SELECTOR, "input.action-select").click()
    Select(browser.find_element(By.NAME, "action")).select_by_value(action)
    browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()


def test_a_key_is_revoked_through_its_spanish_confirmation_page(spanish_staff, wait, live_server):
    browser = spanish_staff
    key = APIKeyFactory(account=AccountFactory(username="acme"), name="ERP", scopes=["customers:read"])
    APIKeyFactory(account=key.account, name="Tienda")

    browser.get(f"{live_server.url}/admin/apikeys/apikey/")
    wait.until(ec.presence_of_element_located((By.ID, "result_list")))
    run_action(browser, "revoke_selected", ["ERP"])
    wait.until(ec.presence_of_element_located((By.ID, "revocation-preview")))

    assert "Revocar no se puede deshacer." in browser.find_element(By.ID, "revoke-warning").text
    assert browser.find_element(By.ID, "will-revoke").text == "Se revocará 1 clave de API:"
    listed = browser.find_element(By.ID, "keys-to-revoke").text
    assert key.display_prefix in listed and "acme" in listed and "customers:read" in listed
    assert "nunca usada" in listed and "Tienda" not in listed
    assert APIKey.objects.get(pk=key.pk).revoked_at is None

    # Keyboard only: the confirm button takes the focus and Enter submits it.
    browser.find_element(By.ID, "confirm-revocation").send_keys(Keys.ENTER)
    success = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))

    assert success.text == f"Se revocó 1 clave de API: {key.display_prefix} (ERP)."
    assert APIKey.objects.get(pk=key.pk).revoked_at is not None
    assert APIKey.objects.get(name="Tienda").revoked_at is None


def test_bulk_reactivar_shows_the_already_active_count_and_reactivates_only_the_inactive(
    spanish_staff, wait, live_server
):
    browser = spanish_staff
    acme = AccountFactory(username="acme")
    then = timezone.now() - timedelta(days=3)
    for name in ("Vuelve Uno SL", "Vuelve Dos SL"):
        CustomerFactory(account=acme, legal_name=name, active=False, deactivated_at=then)
    CustomerFactory(account=acme, legal_name="Siempre Activa SL")

    browser.get(f"{live_server.url}/admin/customers/customer/")
    wait.until(ec.presence_of_element_located((By.ID, "result_list")))
    run_action(browser, "reactivate_selected", ["Vuelve Uno SL", "Vuelve Dos SL", "Siempre Activa SL"])
    wait.until(ec.presence_of_element_located((By.ID, "reactivation-preview")))

    assert browser.find_element(By.ID, "will-reactivate").text == "Se reactivarán 2 clientes. (cuenta acme: 2)"
    assert browser.find_element(By.ID, "already-active").text == "1 ya está activo y se queda como está."
    assert Customer.objects.filter(active=False).count() == 2  # the preview wrote nothing

    browser.find_element(By.ID, "confirm-reactivation").click()
    success = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))

    assert success.text == "Reactivados 2 clientes (cuenta acme: 2); 1 ya estaba activo."
    assert not Customer.objects.filter(active=False).exists()


def test_staff_without_the_anonymise_permission_find_no_anonymise_action(
    browser, wait, live_server, django_user_model, db
):
    editor = django_user_model.objects.create_user("editor", "editor@example.es", PASSWORD, is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "change_customer", "merge_customer"])
    )
    CustomerFactory(legal_name="Cualquiera SL")
    in_spanish(browser, live_server)
    log_in(browser, wait, live_server, "editor", PASSWORD)

    browser.get(f"{live_server.url}/admin/customers/customer/")
    wait.until(ec.presence_of_element_located((By.ID, "result_list")))
    offered = {
        option.get_attribute("value"): option.text for option in Select(browser.find_element(By.NAME, "action")).options
    }

    assert "anonymize_selected" not in offered
    assert not any("Anonimizar" in label for label in offered.values())
    assert offered["merge_selected"] == "Fusionar los dos clientes seleccionados"
    assert offered["reactivate_selected"] == "Reactivar los clientes seleccionados"
