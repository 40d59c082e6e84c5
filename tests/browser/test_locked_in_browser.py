"""In headless Chromium and in Spanish: a merged customer's page says so, links to the survivor and cannot
be saved nor reactivated; five wrong passwords end on the admin's lockout page, saying for how long."""

from datetime import date

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from beel.actors import Actor
from beel.tenancy import DataScope
from customers import services
from tests.browser.conftest import WAIT_SECONDS
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

PASSWORD = "a-long-browser-test-password"


def in_spanish(browser, live_server) -> None:
    # The admin follows the language cookie before the browser's Accept-Language (English in this suite).
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/admin/login/")
    browser.add_cookie({"name": "django_language", "value": "es"})


def log_in(browser, wait, live_server, username: str, password: str) -> None:
    browser.get(f"{live_server.url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    # The answer has loaded, so the attempt is counted. Not `staleness_of(submit)`: while the old page is
    # being torn down Chromium may answer "Node with given id does not belong to the document", an error
    # selenium does not read as stale, and the wait would fail instead of polling again.
    browser.execute_script("document.documentElement.dataset.beforeSubmit = 'yes'")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(a_new_page_has_loaded)


def a_new_page_has_loaded(driver) -> bool:
    return driver.execute_script(
        "return document.readyState === 'complete' && !document.documentElement.dataset.beforeSubmit"
    )


@pytest.fixture
def merged(db):
    account = AccountFactory()
    kept = CustomerFactory(account=account, legal_name="Conservada SL")
    duplicate = CustomerFactory(account=account, legal_name="Duplicada SL")
    InvoiceFactory(customer=duplicate, series="F", number=1, status="issued", issue_date=date(2025, 3, 1))
    services.merge_customers(
        scope=DataScope.everything(), customer_id=str(duplicate.pk), into_id=str(kept.pk), actor=Actor.command("fusion")
    )
    return duplicate, kept


def test_a_merged_customer_reads_as_merged_links_to_the_survivor_and_cannot_be_saved(
    browser, wait, live_server, django_user_model, merged
):
    duplicate, kept = merged
    django_user_model.objects.create_superuser("staff", "staff@example.es", PASSWORD)
    in_spanish(browser, live_server)
    log_in(browser, wait, live_server, "staff", PASSWORD)
    wait.until(ec.presence_of_element_located((By.ID, "content-main")))

    browser.get(f"{live_server.url}/admin/customers/customer/{duplicate.pk}/change/")
    banner = wait.until(ec.visibility_of_element_located((By.ID, "customer-lifecycle")))

    assert banner.text.startswith(f"Fusionado en {kept}")
    assert "por fusion." in banner.text and "Su ficha ya no puede cambiar." in banner.text
    assert browser.find_elements(By.CSS_SELECTOR, "input[name=_save], input[name=_continue]") == []
    assert browser.find_elements(By.ID, "reactivate-customer") == []
    assert browser.find_elements(By.CSS_SELECTOR, "textarea[name=notes]") == []
    browser.find_element(By.ID, "merged-into").click()
    wait.until(ec.url_contains(f"/admin/customers/customer/{kept.pk}/change/"))
    assert browser.find_elements(By.ID, "customer-lifecycle") == []
    assert browser.find_elements(By.CSS_SELECTOR, "input[name=_save]") != []


def test_five_wrong_passwords_end_on_the_spanish_lockout_page(browser, wait, live_server, django_user_model, db):
    django_user_model.objects.create_superuser("ana", "ana@example.es", PASSWORD)
    in_spanish(browser, live_server)

    for attempt in range(5):
        log_in(browser, wait, live_server, "ana", f"wrong-{attempt}")
    title = wait.until(ec.visibility_of_element_located((By.ID, "lockout-title")))

    assert title.text == "Acceso bloqueado"
    assert browser.title.startswith("Acceso bloqueado")
    assert "bloqueado durante 15 minutos" in browser.find_element(By.ID, "lockout-reason").text
    assert "el administrador de la cuenta" in browser.find_element(By.ID, "lockout-help").text
