from tests.webhooks.conftest import (  # noqa: F401
    frozen_clock,
    local_receivers_allowed,
    receiver_with,
    test_api,
    test_key,
)
