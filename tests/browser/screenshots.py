"""Screenshots of the main staff pages for docs/admin.md, as a Spanish staff user sees them on a laptop
(1366x768), from demo data in a throwaway SQLite database:

    uv run python -m tests.browser.screenshots docs/img

Builds the data (seeddemo's customers and invoices, an anonymised customer, API keys), starts the
development server on a free port, drives the admin with the suite's headless Chromium and saves
admin-*.png into the given folder. Nothing outside a temporary folder and that one is written.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1366, 768
USERNAME, PASSWORD = "marta", "una-contraseña-de-demostración"
SERVER_WAIT_SECONDS = 180
MAX_BYTES = 200 * 1024
# What an import review shows: valid rows, a normalised phone, an invalid NIF, a duplicate within the file.
IMPORT_CSV = """Razón social;NIF;Email;Teléfono;Ciudad;Provincia
Ferretería Hermanos Ruiz SL;B12345674;pedidos@ferreteria-ruiz.es;912345678;Madrid;Madrid
Lucía Fernández Ortega;12345678Z;lucia.fernandez@example.es;+34 654 321 987;Sevilla;Sevilla
Talleres Norte SA;A1234567;taller@norte.es;944000000;Bilbao;Bizkaia
Lucía Fernández Ortega (copia);12345678Z;lucia@example.es;654321987;Sevilla;Sevilla
"""


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="beel-screenshots-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "beel.settings",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "DEBUG": "true",
        "CELERY_BROKER_URL": "",
        "CUSTOMER_EXPORTS_DIR": str(work / "exports"),
        "CUSTOMER_IMPORTS_DIR": str(work / "imports"),
    }
    os.environ.update(env)
    try:
        pages = _build_demo_data()
        with _server(env) as url, _chromium() as browser:
            _log_in(browser, url)
            for name, path in pages.items():
                _shoot(browser, url, name, path, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build_demo_data() -> dict[str, str | None]:
    """The database and what each page shows; the page paths, by name (None: reached by a form)."""
    import io

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.urls import reverse

    from apikeys.models import APIKey
    from beel.actors import Actor
    from beel.tenancy import DataScope
    from customers.models import Customer
    from customers.services import request_erasure
    from invoices.models import Invoice, InvoiceStatus

    call_command("migrate", verbosity=0)
    call_command("seeddemo", customers=120, user="acme", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seeddemo", customers=40, user="estudio-lopez", stdout=io.StringIO(), stderr=io.StringIO())
    staff = get_user_model().objects.create_superuser(USERNAME, "marta@beel.es", PASSWORD)
    acme = get_user_model().objects.get(username="acme")
    APIKey.issue(account=acme, name="ERP de contabilidad", scopes=["customers:read", "invoices:read"])
    revoked = APIKey.issue(account=acme, name="Integración antigua", scopes=["customers:read"])
    APIKey.objects.filter(pk=revoked.api_key.pk).update(revoked_at=revoked.api_key.created_at)

    customers = Customer.objects.filter(account=acme).order_by("created_at", "id")
    with_invoices = customers.filter(invoices__status=InvoiceStatus.ISSUED).distinct().first()
    without_invoices = customers.filter(invoices__isnull=True, active=True)
    forgotten = without_invoices.first()
    request_erasure(scope=DataScope.everything(), customer_id=str(forgotten.pk), actor=Actor.staff(staff))
    to_deactivate = without_invoices.exclude(pk=forgotten.pk).first()
    issued = Invoice.objects.filter(customer=with_invoices, status=InvoiceStatus.ISSUED).first()
    return {
        "index": reverse("admin:index"),
        "customer-list": reverse("admin:customers_customer_changelist"),
        "customer": reverse("admin:customers_customer_change", args=[with_invoices.pk]),
        "locked-customer": reverse("admin:customers_customer_change", args=[forgotten.pk]),
        "deactivation": reverse("admin:customers_customer_deactivate", args=[to_deactivate.pk]),
        "import-review": None,
        "invoice": reverse("admin:invoices_invoice_change", args=[issued.pk]),
        "api-keys": reverse("admin:apikeys_apikey_changelist"),
    }


def laptop_viewport(browser) -> None:
    """The page area of a 1366x768 laptop screen, exactly (a headless window's size includes no page area)."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )


class _server:
    def __init__(self, env: dict):
        self.env = env

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + SERVER_WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.process.kill()
        self.log.seek(0)
        raise RuntimeError(f"the development server did not start:\n{self.log.read().decode()[-3000:]}")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


class _chromium:
    def __enter__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        from tests.browser.conftest import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            if not flag.startswith(("--window-size", "--lang")):
                options.add_argument(flag)
        options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
        options.add_argument("--lang=es-ES")
        options.add_argument("--hide-scrollbars")
        options.add_experimental_option("prefs", {"intl.accept_languages": "es-ES,es"})
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        laptop_viewport(self.driver)
        return self.driver

    def __exit__(self, *exc):
        self.driver.quit()


def _log_in(browser, url: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys(USERNAME)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    _wait_for(browser, "#content")


def _wait_for(browser, selector: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))


def _open_import_review(browser, url: str) -> None:
    from selenium.webdriver.common.by import By

    csv_file = Path(tempfile.mkdtemp(prefix="beel-import-")) / "clientes.csv"
    csv_file.write_text(IMPORT_CSV, encoding="utf-8")
    browser.get(f"{url}/admin/customers/customer/import-csv/")
    browser.find_element(By.NAME, "account").send_keys("acme")
    browser.find_element(By.NAME, "file").send_keys(str(csv_file))
    browser.find_element(By.CSS_SELECTOR, "#import-form [type=submit]").click()
    _wait_for(browser, "#import-preview, .errorlist")


def _shoot(browser, url: str, name: str, path: str | None, out_dir: Path) -> None:
    if path is None:
        _open_import_review(browser, url)
    else:
        browser.get(url + path)
        _wait_for(browser, "#content")
    target = out_dir / f"admin-{name}.png"
    browser.save_screenshot(str(target))
    size = target.stat().st_size
    # The docs keep each picture under 200 KB; the admin's flat colours compress well, so none is near it.
    print(f"{target} ({size // 1024} KB){'  LARGER THAN 200 KB' if size > MAX_BYTES else ''}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.browser.screenshots OUT_DIR")
    main(Path(sys.argv[1]))
