"""The fake registries, started per test on port 0 and configured through the settings the service reads
(AEAT_VNIF_URL, AEAT_CLIENT_CERT/KEY, AEAT_CA_BUNDLE, VIES_URL), with short deadlines and backoff."""

import pytest

from beel.clock import clock
from beel.registries import state
from tests.registries.fakes import FakeAeat, FakeVies


@pytest.fixture(autouse=True)
def quick_registries(settings):
    settings.TAX_ID_CONNECT_TIMEOUT_SECONDS = 2
    settings.TAX_ID_DEADLINE_SECONDS = 2
    settings.TAX_ID_RETRIES = 2
    settings.TAX_ID_RETRY_BACKOFF_SECONDS = 0.05
    settings.TAX_ID_BREAKER_FAILURES = 3
    settings.TAX_ID_BREAKER_RESET_SECONDS = 60
    settings.VIES_REQUESTER_VAT = ""
    state.local.clear()
    yield
    state.local.clear()
    clock.unfreeze()


@pytest.fixture
def aeat(settings, tmp_path):
    fake = FakeAeat()
    certificates = fake.start_tls(tmp_path)
    settings.AEAT_VNIF_URL = fake.url
    settings.AEAT_CLIENT_CERT = certificates.client_cert
    settings.AEAT_CLIENT_KEY = certificates.client_key
    settings.AEAT_CA_BUNDLE = certificates.ca
    fake.certificates = certificates
    yield fake
    fake.stop()


@pytest.fixture
def vies(settings):
    fake = FakeVies()
    fake.start_plain()
    settings.VIES_URL = fake.base_url + "/"
    yield fake
    fake.stop()
