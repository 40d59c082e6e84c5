import pytest

from tests.customers.helpers import inactive_customer as make_inactive_customer


@pytest.fixture
def inactive_customer(account):
    """An inactive customer of the account."""
    return make_inactive_customer(account=account)
