"""Staff drive the customer admin in headless Chromium: log in, select customers, read the confirmation,
confirm, read what happened, undo it, cancel, and export the selection as CSV."""

import csv
import io
import time

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from customers.models import AuditEntry, Customer
from tests.browser.conftest import WAIT_SECONDS
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def demo_data(db):
    acme, beta = AccountFactory(username="acme"), AccountFactory(username="beta")
    free = [CustomerFactory(account=acme, legal_name=f"Libre {n} SL") for n in range(3)]
    inactive = CustomerFactory(account=acme, legal_name="Ya Inactiva SL", active=False, deactivated_at=timezone.now())
    busy = CustomerFactory(account=beta, legal_name="Tech Solutions SL", nif="B12345674")
    InvoiceFactory.create_batch(3, customer=busy)
    return {"free": free, "inactive": inactive, "busy": busy}


@pytest.fixture
def logged_in(browser, wait, live_server, django_user_model, demo_data):
    django_user_model.objects.create_superuser("staff", "staff@example.es", PASSWORD)
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/admin/login/?next=/admin/customers/customer/")
    browser.find_element(By.NAME, "username").send_keys("staff")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "result_list")))
    return browser


def select_all_and_run(browser, wait, action: str) -> None:
    browser.find_element(By.ID, "action-toggle").click()
    Select(browser.find_element(By.NAME, "action")).select_by_value(action)
    browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()


def messages_shown(browser, level: str) -> list[str]:
    return [element.text for element in browser.find_elements(By.CSS_SELECTOR, f"ul.messagelist li.{level}")]


def active_states() -> dict[str, bool]:
    return dict(Customer.objects.values_list("legal_name", "active"))


def test_bulk_deactivation_is_confirmed_reports_partial_failures_and_can_be_undone(logged_in, wait, demo_data):
    browser = logged_in
    before = active_states()

    select_all_and_run(browser, wait, "deactivate_selected")
    wait.until(ec.presence_of_element_located((By.ID, "deactivation-preview")))

    assert browser.find_element(By.ID, "will-deactivate").text == ("3 customers will be deactivated. (account acme: 3)")
    assert browser.find_element(By.ID, "already-inactive").text == "1 is already inactive and stays as it is."
    assert "Tech Solutions SL (B12345674): has 3 invoices" in browser.find_element(By.ID, "failures").text
    assert active_states() == before  # the preview wrote nothing

    browser.find_element(By.ID, "confirm-deactivation").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))

    assert messages_shown(browser, "success") == [
        "Deactivated 3 customers (account acme: 3); 1 was already inactive. Undo"
    ]
    [warning] = messages_shown(browser, "warning")
    assert "Could not deactivate 1 customer:" in warning and "Tech Solutions SL (B12345674): has 3 invoices" in warning
    assert active_states() == {**before, **{c.legal_name: False for c in demo_data["free"]}}

    browser.find_element(By.CSS_SELECTOR, "a.undo-link").click()
    wait.until(ec.presence_of_element_located((By.ID, "to-reactivate")))
    browser.find_element(By.CSS_SELECTOR, "#to-reactivate summary").click()  # the list is folded
    listed = browser.find_element(By.ID, "to-reactivate").text
    assert all(c.legal_name in listed for c in demo_data["free"]) and "Ya Inactiva SL" not in listed
    browser.find_element(By.ID, "confirm-undo").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))

    assert messages_shown(browser, "success") == ["Reactivated 3 customers (account acme: 3)."]
    assert active_states() == before
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REACTIVATED).count() == 3


def test_cancelling_the_confirmation_changes_nothing(logged_in, wait, demo_data):
    browser = logged_in
    before = active_states()

    select_all_and_run(browser, wait, "deactivate_selected")
    wait.until(ec.element_to_be_clickable((By.ID, "cancel-deactivation"))).click()
    wait.until(ec.presence_of_element_located((By.ID, "result_list")))

    assert browser.find_elements(By.CSS_SELECTOR, "ul.messagelist li") == []
    assert active_states() == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DEACTIVATED).exists()


def wait_for_download(directory, pattern: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = [path for path in directory.glob(pattern) if not path.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {pattern} downloaded in {WAIT_SECONDS}s")


def test_exporting_the_selection_downloads_a_csv_spanish_excel_reads(logged_in, wait, demo_data, download_dir):
    for old in download_dir.glob("*"):
        old.unlink()

    select_all_and_run(logged_in, wait, "export_csv")
    path = wait_for_download(download_dir, "customers-*.csv")

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Cuenta", "Razón social", "NIF"]  # the import's own columns, so it re-imports
    assert sorted(row[1] for row in rows[1:]) == sorted(Customer.objects.values_list("legal_name", flat=True))
    assert rows[[r[1] for r in rows].index("Tech Solutions SL")][:3] == ["beta", "Tech Solutions SL", "B12345674"]
