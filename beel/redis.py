"""The service's one way to Redis: clients with short timeouts (one per address and timeout, shared by
the rate limits and the API keys' generations; the readiness probe has its own), Lua scripts run in the
same round trip as other reads, and a log of an outage that does not repeat itself on every request.

What an outage means is each caller's to decide: the rate limits fail open, the key cache reads the
database, the readiness probe answers 503."""

import logging
import math
import threading
from functools import cache

import redis
from django.conf import settings

from beel.clock import clock

BACKEND = "django.core.cache.backends.redis.RedisCache"
# A Redis that does not answer must cost a request milliseconds, not seconds.
TIMEOUT_SECONDS = 0.25
OUTAGE_LOG_INTERVAL = 60.0

# What a caller catches when Redis cannot be reached or refuses a command.
RedisError = redis.RedisError


def shared_url() -> str | None:
    """Where the cache shared by every process lives (CACHES' default, when it is Redis); None when each
    process keeps its own."""
    default = settings.CACHES["default"]
    return default["LOCATION"] if default["BACKEND"] == BACKEND else None


def client(url: str, timeout: float = TIMEOUT_SECONDS) -> redis.Redis:
    """The client of this process for Redis at `url`, with its connections, made once per address and
    timeout (however the arguments are spelled)."""
    return _client(url, timeout)


@cache
def _client(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


class Script:
    """A Lua script, run by its SHA and loaded again when Redis forgot it (a restart, a flush)."""

    def __init__(self, url: str, source: str) -> None:
        self._client = client(url)
        self._source = source
        self._registered = self._client.register_script(source)

    def __call__(self, keys: list[str], args: list) -> list:
        return self._registered(keys=keys, args=args)

    def run_and_read(self, keys: list[str], args: list, read: list[str]) -> tuple[list, list]:
        """The script and a GET of other keys in one round trip: a pipeline of EVALSHA and MGET (redis-py's
        pipelined scripts would first ask SCRIPT EXISTS, in a round trip of its own)."""

        def run() -> tuple[list, list]:
            pipeline = self._client.pipeline(transaction=False)
            pipeline.evalsha(self._registered.sha, len(keys), *keys, *args)
            pipeline.mget(read)
            result, values = pipeline.execute()
            return result, values

        try:
            return run()
        except redis.exceptions.NoScriptError:
            self._client.script_load(self._source)
            return run()


class OutageLog:
    """Logs that Redis is unreachable at most once per OUTAGE_LOG_INTERVAL, not once a request."""

    def __init__(self, logger: logging.Logger, message: str) -> None:
        self._logger = logger
        self._message = message
        self._last_logged = -math.inf
        self._lock = threading.Lock()

    def report(self, error: Exception) -> None:
        now = clock.now()
        with self._lock:
            if now - self._last_logged < OUTAGE_LOG_INTERVAL:
                return
            self._last_logged = now
        self._logger.warning(self._message, error)

    def reset(self) -> None:
        self._last_logged = -math.inf
