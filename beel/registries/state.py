"""What the registry checks keep between calls, in the Django cache so that every process shares it: the
circuit breaker of each registry, and the registries' verdicts. When the cache fails (Redis down), the
breaker falls back to this process's memory and the verdicts are simply not kept: a cache outage never
fails a check."""

import hashlib
import logging
import threading
import unicodedata

from django.conf import settings
from django.core.cache import cache

from beel.clock import clock
from beel.registries.answer import RegistryAnswer

logger = logging.getLogger("beel.registries")


class _LocalStore:
    """The subset of Django's cache API the breaker uses, in this process's memory (no expiry: the breaker
    resets what it sets)."""

    def __init__(self) -> None:
        self._values: dict[str, object] = {}
        self._lock = threading.Lock()

    def get(self, key, default=None):
        return self._values.get(key, default)

    def set(self, key, value, timeout=None):
        self._values[key] = value

    def add(self, key, value, timeout=None) -> bool:
        with self._lock:
            return self._values.setdefault(key, value) is value

    def incr(self, key, delta=1):
        with self._lock:
            self._values[key] = self._values.get(key, 0) + delta
            return self._values[key]

    def delete_many(self, keys):
        for key in keys:
            self._values.pop(key, None)

    def clear(self):
        self._values.clear()


local = _LocalStore()


def _shared(operation: str, *args, **kwargs):
    """The cache's operation, or this process's memory's when the cache fails."""
    try:
        return getattr(cache, operation)(*args, **kwargs)
    except Exception as error:  # any backend's failure: the breaker must keep working without it
        logger.warning("Registry breaker state kept in this process: the cache failed (%s)", error)
        return getattr(local, operation)(*args, **kwargs)


class Breaker:
    """A circuit breaker per registry: after TAX_ID_BREAKER_FAILURES failures in a row it opens and every
    check answers PENDING at once for TAX_ID_BREAKER_RESET_SECONDS (on the service's clock); then it lets one
    check through (half-open, one across all processes), which closes it on an answer or opens it again."""

    def __init__(self, name: str) -> None:
        self.key = f"registries:breaker:{name}"

    @property
    def reset_seconds(self) -> float:
        return float(settings.TAX_ID_BREAKER_RESET_SECONDS)

    def allows(self) -> bool:
        opened = _shared("get", f"{self.key}:opened")
        if opened is None:
            return True
        if clock.now() < opened + self.reset_seconds:
            return False
        return bool(_shared("add", f"{self.key}:trial", 1, timeout=max(1, int(self.reset_seconds))))

    def succeeded(self) -> None:
        _shared("delete_many", [f"{self.key}:failures", f"{self.key}:opened", f"{self.key}:trial"])

    def failed(self) -> None:
        if _shared("get", f"{self.key}:opened") is not None:  # the half-open trial failed
            self._open()
            return
        _shared("add", f"{self.key}:failures", 0, timeout=None)
        if _shared("incr", f"{self.key}:failures") >= int(settings.TAX_ID_BREAKER_FAILURES):
            self._open()

    def _open(self) -> None:
        logger.warning("Registry circuit %s opened", self.key)
        _shared("set", f"{self.key}:opened", clock.now(), timeout=None)
        _shared("delete_many", [f"{self.key}:trial"])

    @property
    def is_open(self) -> bool:
        opened = _shared("get", f"{self.key}:opened")
        return opened is not None and clock.now() < opened + self.reset_seconds


def fold_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def answer_key(registry: str, identifier: str, name: str = "") -> str:
    """The cache key of a verdict: the registry, and a hash of the id and the normalised name (no tax id or
    name in clear in the cache)."""
    digest = hashlib.sha256(f"{identifier.upper()}\x00{fold_name(name)}".encode()).hexdigest()
    return f"registries:answer:{registry}:{digest}"


def cached_answer(key: str) -> RegistryAnswer | None:
    try:
        data = cache.get(key)
    except Exception as error:
        logger.warning("Registry answers not read from the cache: %s", error)
        return None
    return RegistryAnswer.from_dict(data) if data else None


def keep_answer(key: str, answer: RegistryAnswer) -> None:
    """Keep a verdict for TAX_ID_CACHE_SECONDS; PENDING and ERROR are never kept."""
    seconds = int(settings.TAX_ID_CACHE_SECONDS)
    if not answer.is_verdict or seconds <= 0:
        return
    try:
        cache.set(key, answer.to_dict(), timeout=seconds)
    except Exception as error:
        logger.warning("Registry answer not kept in the cache: %s", error)


def forget_answer(key: str) -> None:
    """Drop a kept verdict, so the next check asks the registry (staff asking again on purpose)."""
    try:
        cache.delete(key)
    except Exception as error:
        logger.warning("Registry answer not dropped from the cache: %s", error)
