import time

import pytest

from beel.clock import clock
from tests.factories import APIKeyFactory
from tests.webhooks.receiver import start_receiver, stop_receiver


@pytest.fixture
def receiver_with():
    """Starts real local receivers (see receiver.py) and stops them after the test."""
    started = []

    def start(script=None, tls=None):
        receiver, server = start_receiver(script, tls)
        started.append((receiver, server))
        return receiver

    yield start
    for receiver, server in started:
        stop_receiver(receiver, server)


@pytest.fixture
def local_receivers_allowed(settings):
    """Test-mode endpoints may point at 127.0.0.1, as a developer's would; requests time out after 1 s."""
    settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1


@pytest.fixture
def test_key(account):
    return APIKeyFactory(account=account, mode="test")


@pytest.fixture
def test_api(client_for, test_key):
    return client_for(test_key)


@pytest.fixture
def frozen_clock():
    """The service's clock (beel.clock) stopped at the real time, moved by the test with `advance`."""
    clock.freeze(time.time())
    yield clock
    clock.unfreeze()
