from datetime import UTC, datetime

import pytest

from beel.clock import clock
from tests.factories import APIKeyFactory


@pytest.fixture
def read_only_api(client_for, account):
    """A client whose key may only read customers."""
    return client_for(APIKeyFactory(account=account, scopes=["customers:read"]))


@pytest.fixture
def write_only_api(client_for, account):
    """A client whose key may only write customers."""
    return client_for(APIKeyFactory(account=account, scopes=["customers:write"]))


@pytest.fixture
def mid_june_2026():
    """Today is 2026-06-15 for the retention rules (beel.clock), whatever the real date."""
    clock.freeze(datetime(2026, 6, 15, 10, 0, tzinfo=UTC).timestamp())
    yield
    clock.unfreeze()
