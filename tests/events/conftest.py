from tests.webhooks.conftest import local_receivers_allowed, receiver_with, test_api, test_key  # noqa: F401
