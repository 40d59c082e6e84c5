"""In headless Chromium and in Spanish: an import's review tells normalised rows from rows with warnings
and rejected ones, filters to the warnings, is confirmed from the button above the table, and the rejected
rows download as a CSV with why; the undo of a deactivation of a few hundred customers over three accounts
shows a summary by account and its button first, the list folded, and once undone says so."""

import csv
import io

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from beel.actors import Actor
from beel.tenancy import DataScope
from customers import services
from customers.models import Customer
from tests.browser.test_admin_in_browser import wait_for_download
from tests.browser.test_locked_in_browser import PASSWORD, in_spanish, log_in
from tests.factories import AccountFactory, CustomerFactory, valid_dni

ROWS = [
    "Razón social;NIF;Teléfono;Código postal;Ciudad",
    "Ferretería Núñez SL;A58818501;;28013;Cádiz",
    "María García López;12345678z;654 321 987;41001;Sevilla",
    f"Sobra SL;{valid_dni(1)};;28001;Madrid;celda de más",
    "Mala SL;B12345678;;28001;Madrid",
    "Repetida SL;A58818501;;28002;Madrid",
]


@pytest.fixture
def staff_in_spanish(browser, wait, live_server, django_user_model, db):
    django_user_model.objects.create_superuser("staff", "staff@example.es", PASSWORD)
    in_spanish(browser, live_server)
    log_in(browser, wait, live_server, "staff", PASSWORD)
    wait.until(ec.presence_of_element_located((By.ID, "content-main")))
    return browser


def test_an_import_is_reviewed_by_status_confirmed_from_the_top_and_its_rejected_rows_downloaded(
    staff_in_spanish, wait, live_server, tmp_path, download_dir
):
    browser = staff_in_spanish
    account = AccountFactory(username="acme")
    for old in download_dir.glob("*"):
        old.unlink()
    upload = tmp_path / "clientes.csv"
    upload.write_text("\r\n".join(ROWS), encoding="utf-8")

    browser.get(f"{live_server.url}/admin/customers/customer/import-csv/")
    browser.find_element(By.NAME, "account").send_keys("acme")
    browser.find_element(By.NAME, "file").send_keys(str(upload))
    browser.find_element(By.CSS_SELECTOR, "#import-form input[type=submit]").click()
    counts = wait.until(ec.visibility_of_element_located((By.ID, "import-counts")))

    assert "Rechazada: 2" in counts.text and "Válida, con avisos: 1" in counts.text
    assert "Válida, normalizada: 1" in counts.text and "Todas las filas: 5" in counts.text
    statuses = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#import-preview .import-status")]
    assert statuses == [
        "Válida",
        "Válida, normalizada",
        "Válida, con avisos",
        "Rechazada: NIF no válido",
        "Rechazada: Duplicado",
    ]
    assert "Teléfono: se guardará como +34654321987" in browser.find_element(By.ID, "import-preview").text

    browser.find_element(By.ID, "filter-warning").click()
    wait.until(ec.url_contains("status=warning"))
    shown = browser.find_elements(By.CSS_SELECTOR, "#import-preview tbody tr")
    assert [row.text.split()[0] for row in shown] == ["4"]
    assert "Fila: se ignoró 1 celda más allá de la última columna de la cabecera" in shown[0].text
    top = browser.find_element(By.ID, "confirm-import-top")
    assert top.location["y"] < browser.find_element(By.ID, "import-preview").location["y"]
    assert top.get_attribute("value") == "Sí, importar las 3 filas válidas"
    assert Customer.objects.filter(account=account).count() == 0

    top.click()
    link = wait.until(ec.element_to_be_clickable((By.ID, "download-rejected")))
    assert "3 clientes" in browser.find_element(By.CSS_SELECTOR, "ul.messagelist li").text
    assert set(Customer.objects.filter(account=account).values_list("legal_name", flat=True)) == {
        "Ferretería Núñez SL",
        "María García López",
        "Sobra SL",
    }
    assert link.text == "Descargar las filas rechazadas (CSV)"
    link.click()
    path = wait_for_download(download_dir, "filas-rechazadas-*.csv")

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, bad, repeated = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
    assert header == ["Razón social", "NIF", "Teléfono", "Código postal", "Ciudad", "Motivo"]
    assert bad[:2] == ["Mala SL", "B12345678"] and bad[5].startswith("NIF: ")
    assert repeated[:2] == ["Repetida SL", "A58818501"]
    assert repeated[5] == "NIF: la línea 2 del archivo tiene el mismo valor"


@pytest.fixture
def big_batch(db):
    """A deactivation of 300 customers over three accounts, as a command would run it."""
    customers = [
        CustomerFactory(account=account, legal_name=f"{account.username} {n:03d} SL")
        for account, how_many in (
            (AccountFactory(username=name), n) for name, n in (("acme", 150), ("beta", 100), ("gamma", 50))
        )
        for n in range(how_many)
    ]
    report = services.deactivate_customers(
        scope=DataScope.everything(), ids=[str(c.pk) for c in customers], actor=Actor.command("prueba")
    )
    return report.batch


def test_the_undo_of_a_big_batch_shows_its_summary_and_button_first_and_once_done_says_so(
    staff_in_spanish, wait, live_server, big_batch
):
    browser = staff_in_spanish
    url = f"{live_server.url}/admin/customers/customer/undo-deactivation/{big_batch}/"

    browser.get(url)
    button = wait.until(ec.visibility_of_element_located((By.ID, "confirm-undo")))

    summary = browser.find_element(By.ID, "undo-by-account")
    rows = [row.text for row in summary.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert rows == ["acme 150 150", "beta 100 100", "gamma 50 50"]
    folded = browser.find_element(By.ID, "to-reactivate")
    assert folded.get_attribute("open") is None
    assert summary.location["y"] < button.location["y"] < folded.location["y"]
    assert button.location["y"] < 1000  # on the first screen
    assert folded.text == "Los 300 clientes de esta desactivación"
    assert button.get_attribute("value") == "Sí, reactivar 300 clientes"
    assert Customer.objects.filter(active=False).count() == 300

    button.click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))
    assert Customer.objects.filter(active=True).count() == 300

    browser.get(url)
    state = wait.until(ec.visibility_of_element_located((By.ID, "undo-state")))
    assert state.text == "Esta desactivación ya se deshizo: sus 300 clientes vuelven a estar activos."
    assert browser.find_elements(By.ID, "confirm-undo") == []
