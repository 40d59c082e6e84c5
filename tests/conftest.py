import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from apikeys import keycache
from apikeys.models import ALL_SCOPES
from beel.api import throttling
from tests.clients import bearer
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory
from tests.parallel import SharedRedisScheduling, give_each_fuzzed_operation_its_own_id


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    """Rate-limit counters start empty for each test, with limits no ordinary test reaches; the
    rate-limit tests set their own."""
    cache.clear()
    throttling.local_store.reset()
    throttling.outage_log.reset()
    keycache.clear()
    settings.RATE_LIMIT_PER_RESOURCE = "100000/min"
    settings.RATE_LIMIT_GLOBAL = "100000/min"
    settings.RATE_LIMIT_FAILED_AUTH = "100000/min"


@pytest.fixture
def account(db):
    return AccountFactory()


@pytest.fixture
def other_account(db):
    """A second account, for isolation tests."""
    return AccountFactory()


@pytest.fixture
def customer(account):
    """An active customer of the account."""
    return CustomerFactory(account=account)


@pytest.fixture
def api_key(account):
    return APIKeyFactory(account=account, scopes=list(ALL_SCOPES))


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An APIClient that presents the given key (APIKey with .raw_key, or a raw string)."""

    return bearer


@pytest.fixture
def api(client_for, api_key):
    """A client authenticated with a key that has every scope."""
    return client_for(api_key)


@pytest.fixture
def staff(client, admin_user):
    """The Django test client logged in as a superuser, for the admin pages."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def other_api(client_for, other_account):
    """A client authenticated with a key of the other account."""
    return client_for(APIKeyFactory(account=other_account))


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadgroup":
        return SharedRedisScheduling(config, log)
    return None


def pytest_collection_modifyitems(config, items):
    give_each_fuzzed_operation_its_own_id(items)
    if connection.vendor != "postgresql":
        default = "needs PostgreSQL: SQLite has no row locks and serialises all writers"
        for item in items:
            marker = item.get_closest_marker("postgres_only")
            if marker is not None:
                item.add_marker(pytest.mark.skip(reason=marker.kwargs.get("reason", default)))


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Django's default hasher takes about half a second per password by design; a test that makes a staff
    user (admin_user, create_user) would spend it in setup. What the tests check is the login and its
    lockout, not the hasher (the deploy check and the production settings keep the default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def static_files_without_collectstatic(settings):
    """Tests render the admin and the docs without running `collectstatic` first: Django's plain storage
    names files as they are, and nothing collected is served. tests/ops/test_static_files.py checks the
    production storage itself."""
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
