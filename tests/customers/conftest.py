import pytest

from tests.factories import APIKeyFactory


@pytest.fixture
def read_only_api(client_for, account):
    """A client whose key may only read customers."""
    return client_for(APIKeyFactory(account=account, scopes=["customers:read"]))


@pytest.fixture
def write_only_api(client_for, account):
    """A client whose key may only write customers."""
    return client_for(APIKeyFactory(account=account, scopes=["customers:write"]))
