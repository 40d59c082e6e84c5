"""In headless Chromium and in Spanish: staff cancel an issued invoice from its page, through the
confirmation, and read one true message and the new status."""

from decimal import Decimal

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from invoices.models import Invoice, InvoiceStatus
from tests.browser.test_locked_in_browser import PASSWORD, in_spanish, log_in
from tests.factories import InvoiceFactory


def test_cancelling_an_issued_invoice_is_confirmed_then_said_once_in_spanish(
    browser, wait, live_server, django_user_model, db
):
    invoice = InvoiceFactory(
        status=InvoiceStatus.ISSUED,
        series="A",
        number=7,
        subtotal=Decimal("100.00"),
        tax_total=Decimal("21.00"),
        total=Decimal("121.00"),
    )
    django_user_model.objects.create_superuser("staff", "staff@example.es", PASSWORD)
    in_spanish(browser, live_server)
    log_in(browser, wait, live_server, "staff", PASSWORD)
    wait.until(ec.presence_of_element_located((By.ID, "content-main")))

    browser.get(f"{live_server.url}/admin/invoices/invoice/{invoice.pk}/change/")
    wait.until(ec.element_to_be_clickable((By.ID, "cancel-invoice"))).click()
    preview = wait.until(ec.visibility_of_element_located((By.ID, "will-cancel-issued")))

    assert preview.text.startswith("Se anulará 1 factura emitida. Conserva su número y sigue en el registro")
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.ISSUED  # the confirmation wrote nothing

    browser.find_element(By.ID, "confirm-cancellation").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li")))

    shown = [(li.get_attribute("class"), li.text) for li in browser.find_elements(By.CSS_SELECTOR, "ul.messagelist li")]
    assert shown == [("success", "Factura A-000007 anulada: conserva su número y sigue en el registro.")]
    assert browser.find_element(By.CSS_SELECTOR, ".field-status .readonly").text == "Anulada"
    assert browser.find_elements(By.ID, "cancel-invoice") == []
    assert Invoice.objects.values_list("status", "number").get(pk=invoice.pk) == ("cancelled", 7)
