"""Headless Chromium (Debian's `chromium` and `chromedriver`; nothing is downloaded) driving the admin on
pytest-django's live server. Where the browser is missing the suite is skipped, unless
BEEL_BROWSER_TESTS=required (as .ci/run sets), where that is a failure."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BEEL_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BEEL_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
    "--lang=en-US",
]
# Long enough for a slow, busy CI machine; every wait ends as soon as its condition holds.
WAIT_SECONDS = 20


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(path)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="session")
def download_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def browser(django_db_setup, download_dir, live_server):
    # Set up after the test database and the live server so it is torn down before them: the browser's
    # keep-alive connections hold server threads, and their database connections, open until it quits.
    missing = _browser_missing()
    if missing:
        if os.environ.get("BEEL_BROWSER_TESTS") == "required":
            pytest.fail(missing)
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
            "intl.accept_languages": "en-US,en",
        },
    )
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture
def wait(browser):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT_SECONDS)
