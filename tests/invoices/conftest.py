import pytest

from beel.clock import clock
from tests.customers.helpers import inactive_customer as make_inactive_customer
from tests.invoices.payments import freeze_today


@pytest.fixture
def inactive_customer(account):
    """An inactive customer of the account."""
    return make_inactive_customer(account=account)


@pytest.fixture
def receivables_today():
    """Today is 2026-06-15 on the service's clock (tests.invoices.payments.TODAY), moved with `move_days`."""
    freeze_today()
    yield clock
    clock.unfreeze()
