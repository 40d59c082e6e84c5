"""Rate limits per API key, in fixed windows counted in the shared cache (atomic `incr`, so several
processes share one count when the cache is Redis).

Two limits apply to every key: one per resource (customers, invoices...) and one across the whole API.
The most restrictive state is exposed on every response as RateLimit-Limit / -Remaining / -Reset
(IETF draft "RateLimit header fields"); going over either is a 429 RATE_LIMITED with Retry-After."""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


def parse_rate(rate: str) -> tuple[int, int]:
    """'100/min' -> (100, 60)."""
    try:
        count, period = rate.split("/")
        return int(count), PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"Rate limits look like '100/min' (s, min or hour), got {rate!r}.") from None


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


class APIKeyRateThrottle(BaseThrottle):
    """The whole-API limit of a key (settings.RATE_LIMIT_GLOBAL)."""

    rate_setting = "RATE_LIMIT_GLOBAL"

    def scope(self, view) -> str:
        return "all"

    def allow_request(self, request, view) -> bool:
        key_prefix = getattr(request.auth, "prefix", None)  # the API key's public lookup prefix
        if key_prefix is None:
            return True  # unauthenticated requests are refused before they count
        limit, period = parse_rate(getattr(settings, self.rate_setting))
        now = time.time()
        window = int(now // period)
        key = f"ratelimit:{self.scope(view)}:{key_prefix}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
        self.wait_seconds = max(1, math.ceil((window + 1) * period - now))
        state = RateLimitState(limit=limit, remaining=max(0, limit - count), reset=self.wait_seconds)
        current = getattr(request, "rate_limit", None)
        if current is None or state.remaining < current.remaining:
            request.rate_limit = state
        return count <= limit

    def wait(self) -> float:
        return self.wait_seconds


class APIKeyResourceRateThrottle(APIKeyRateThrottle):
    """The per-resource limit of a key (settings.RATE_LIMIT_PER_RESOURCE)."""

    rate_setting = "RATE_LIMIT_PER_RESOURCE"

    def scope(self, view) -> str:
        return getattr(view, "basename", None) or type(view).__name__
