import pytest
from django.utils import timezone

from tests.factories import APIKeyFactory, CustomerFactory


@pytest.fixture
def inactive_customer(account):
    return CustomerFactory(account=account, active=False, deactivated_at=timezone.now())


@pytest.fixture
def other_api(client_for, other_account):
    return client_for(APIKeyFactory(account=other_account))
