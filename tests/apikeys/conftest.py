import socket

import pytest


@pytest.fixture
def redis_cache(settings):
    """Keys copied in this process (apikeys.keycache needs Redis for their generations), with Redis database 9
    (the test modules that use it run on one worker: tests/parallel.py)."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/9"}
    }
    settings.APIKEY_CACHE_SECONDS = 10
