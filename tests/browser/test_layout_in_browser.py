"""On a 1366x768 laptop screen, in Spanish, the customer, invoice and API key lists fit without sideways
scrolling, and the customers' status, invoice count and creation date are in view."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.test_locked_in_browser import PASSWORD, in_spanish, log_in
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory, InvoiceFactory

LAPTOP = {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False}
# What makes a list wide: long names, long usernames and company names, every tax id status.
LONG_NAMES = [
    "Construcciones y Reformas Integrales del Mediterráneo Occidental SL",
    "Asociación Cultural y Deportiva de Vecinos del Barrio de San Bernardo",
    "María de los Ángeles Fernández-Villaverde y Gutiérrez de la Concha",
]

FITS = """
const page = document.documentElement, results = document.querySelector(".results");
const visible = (selector) => {
    const cell = document.querySelector(selector);
    if (cell === null) return false;
    const box = cell.getBoundingClientRect();
    return box.width > 0 && box.left >= 0 && box.right <= page.clientWidth;
};
return {
    page: [page.scrollWidth, page.clientWidth],
    results: [results.scrollWidth, results.clientWidth],
    table_right: document.getElementById("result_list").getBoundingClientRect().right,
    visible: Object.fromEntries(arguments[0].map((name) => [name, visible(`th.column-${name}`)])),
};
"""


@pytest.fixture
def laptop(browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", LAPTOP)
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.fixture
def wide_data(db):
    account = AccountFactory(username="asesoria-fiscal-hermanos-martinez-lopez")
    statuses = ["INVALID", "VALID", "PENDING", "ERROR"]
    for n in range(9):
        customer = CustomerFactory(
            account=account,
            legal_name=f"{LONG_NAMES[n % 3]} {n}",
            email=f"administracion.contabilidad.{n}@example.es",
            tax_id_status=statuses[n % 4],
        )
        InvoiceFactory.create_batch(2, customer=customer)
    for name in ("Integración con el ERP de contabilidad", "Sincronización nocturna"):
        APIKeyFactory(account=account, name=name)


def assert_fits(browser, columns: list[str]) -> None:
    shown = browser.execute_script(FITS, columns)
    assert shown["page"][0] <= shown["page"][1], shown
    assert shown["results"][0] <= shown["results"][1], shown
    assert shown["table_right"] <= shown["page"][1], shown
    assert shown["visible"] == dict.fromkeys(columns, True), shown


def test_the_customer_invoice_and_key_lists_fit_a_laptop_screen(
    laptop, wait, live_server, django_user_model, wide_data
):
    browser = laptop
    django_user_model.objects.create_superuser("staff", "staff@example.es", PASSWORD)
    in_spanish(browser, live_server)
    browser.execute_script("localStorage.clear()")  # a first visit: no sidebar preference yet
    log_in(browser, wait, live_server, "staff", PASSWORD)
    wait.until(ec.presence_of_element_located((By.ID, "content-main")))
    assert browser.execute_script("return window.innerWidth") == 1366

    browser.get(f"{live_server.url}/admin/customers/customer/")
    wait.until(ec.presence_of_element_located((By.ID, "result_list")))
    customer_columns = ["legal_name_shown", "nif", "account", "active", "tax_id_shown", "invoice_count", "created_on"]
    assert_fits(browser, customer_columns)
    assert browser.find_element(By.CSS_SELECTOR, "th.column-created_on").text.lower() == "creado"

    browser.get(f"{live_server.url}/admin/invoices/invoice/")
    wait.until(ec.presence_of_element_located((By.ID, "result_list")))
    assert_fits(browser, ["full_number", "customer_link", "status", "issue_date", "total"])

    browser.get(f"{live_server.url}/admin/apikeys/apikey/")
    wait.until(ec.presence_of_element_located((By.ID, "result_list")))
    assert_fits(browser, ["name", "account", "scope_list", "created_at", "last_used_at", "status"])
