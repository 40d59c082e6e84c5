"""In headless Chromium and in Spanish: a customer's page loaded before the customer was anonymised, then
saved, says one thing, the truth: not saved, and why; never also "changed successfully"."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from beel.actors import Actor
from beel.tenancy import DataScope
from customers import services
from customers.models import Customer
from tests.browser.test_locked_in_browser import PASSWORD, in_spanish, log_in
from tests.factories import CustomerFactory


def test_saving_a_customer_anonymised_since_its_page_was_loaded_says_only_why(
    browser, wait, live_server, django_user_model, db
):
    customer = CustomerFactory(legal_name="Olvidada SL", notes="")
    django_user_model.objects.create_superuser("staff", "staff@example.es", PASSWORD)
    in_spanish(browser, live_server)
    log_in(browser, wait, live_server, "staff", PASSWORD)
    wait.until(ec.presence_of_element_located((By.ID, "content-main")))
    browser.get(f"{live_server.url}/admin/customers/customer/{customer.pk}/change/")
    notes = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "textarea[name=notes]")))

    services.request_erasure(scope=DataScope.everything(), customer_id=str(customer.pk), actor=Actor.command("rgpd"))
    notes.send_keys("Llamar el lunes")
    browser.find_element(By.CSS_SELECTOR, "input[name=_continue]").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li")))

    shown = [(li.get_attribute("class"), li.text) for li in browser.find_elements(By.CSS_SELECTOR, "ul.messagelist li")]
    assert shown == [("error", "No guardado: el cliente fue anonimizado; su ficha ya no puede cambiar.")]
    assert browser.find_element(By.ID, "customer-lifecycle").text.startswith("Anonimizado el")
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.notes == "" and stored.anonymized_at is not None
