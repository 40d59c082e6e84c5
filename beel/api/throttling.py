"""Rate limits per API key in a 60-second rolling window (as BeeL documents), and a limit on failed
authentication per client address.

Each limit is a sliding-window log: the times of the requests accepted in the last window. A request is
accepted when every limit it falls under has room, and is then recorded in all of them; a refused
request is recorded in none, so a client that backs off regains its quota as its old requests age out.
This is exact (never more than N requests in any window), unlike fixed windows, which let 2N through
around a window's edge.

With Redis (CACHES' default is RedisCache) the check-and-record is one Lua script, one round trip, atomic
across every process and server. Without it each process keeps its own log (fine for development; a
deploy check refuses it for production). If Redis cannot be reached the limits fail open: the request is
served without RateLimit headers and the outage is logged once a minute, so an outage of the counters
never takes the API down.

Two limits apply to every key: one per resource (customers, invoices...) and one across the whole API; a
view may add its own (`extra_rate_limit`, e.g. "100/hour").
The most restrictive state is exposed on every response as RateLimit-Limit / -Remaining / -Reset (IETF
draft "RateLimit header fields"); going over either is a 429 RATE_LIMIT_EXCEEDED with Retry-After. The request
pipeline (beel.api.pipeline) applies them."""

import logging
import math
import threading
import uuid
from collections import deque
from dataclasses import dataclass, replace
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from beel import redis
from beel.clock import clock

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


def parse_rate(rate: str) -> tuple[int, int]:
    """'100/min' -> (100, 60)."""
    try:
        count, period = rate.split("/")
        return int(count), PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"Rate limits look like '100/min' (s, min or hour), got {rate!r}.") from None


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    window: int  # seconds


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int  # seconds until the oldest request counted leaves the window (one more slot is free)

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


@dataclass(frozen=True)
class Decision:
    allowed: bool
    states: list[RateLimitState]
    retry_after: int  # when refused: seconds until every full limit has room again
    # The values of the keys asked to be read along (check(read=...)), in order; empty without Redis.
    read: tuple = ()
    # The decision on the limits asked to be checked along (check(also=...)); None if none were.
    also: "Decision | None" = None

    @property
    def tightest(self) -> RateLimitState:
        return min(self.states, key=lambda state: state.remaining)


def _decide(limits: list[Limit], counts: list[int], oldest: list[float], allowed: bool, now: float) -> Decision:
    states, waits = [], []
    for limit, count, first in zip(limits, counts, oldest, strict=True):
        until_free = max(1, math.ceil(first + limit.window - now))
        states.append(RateLimitState(limit=limit.limit, remaining=max(0, limit.limit - count), reset=until_free))
        if count >= limit.limit:
            waits.append(until_free)
    return Decision(allowed=allowed, states=states, retry_after=max(waits, default=1))


class LocalSlidingWindow:
    """The log of each limit in this process's memory."""

    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._logs: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(
        self, limits: list[Limit], now: float, *, record: bool = True, read: tuple[str, ...] = (), also=()
    ) -> Decision:
        # Reading other keys and checking limits along belong to the shared store: here nothing is read.
        if also:
            raise ValueError("limits are checked along only in Redis")
        with self._lock:
            logs = [self._logs.setdefault(limit.key, deque()) for limit in limits]
            for limit, log in zip(limits, logs, strict=True):
                while log and log[0] <= now - limit.window:
                    log.popleft()
            allowed = all(len(log) < limit.limit for limit, log in zip(limits, logs, strict=True))
            if allowed and record:
                for log in logs:
                    log.append(now)
            decision = _decide(
                limits, [len(log) for log in logs], [log[0] if log else now for log in logs], allowed, now
            )
            if len(self._logs) > self.MAX_KEYS:
                self._forget_idle(now)
        return decision

    def _forget_idle(self, now: float) -> None:
        longest = max(PERIODS.values())
        for key in [key for key, log in self._logs.items() if not log or log[-1] <= now - longest]:
            del self._logs[key]

    def reset(self) -> None:
        with self._lock:
            self._logs.clear()


# KEYS: one sorted set per limit (member: a unique id per request, score: its time in ms), first the logs
# of the gate (checked, never recorded), then those of the limits recorded; ARGV: now_ms, member, the number
# of gate keys, then window_ms and limit for each key. The recorded limits are recorded only when the gate
# and they all have room: no gate checks and records every limit, all gate checks and records none.
# Returns: gate allowed, recorded limits allowed, then for each key its count and the time of its oldest
# entry.
_SLIDING_WINDOW_LUA = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
local gates = tonumber(ARGV[3])
local counts = {}
local gate_allowed = 1
local allowed = 1
for i = 1, #KEYS do
  local window = tonumber(ARGV[2 + 2 * i])
  local limit = tonumber(ARGV[3 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  counts[i] = redis.call('ZCARD', KEYS[i])
  if counts[i] >= limit then
    if i <= gates then gate_allowed = 0 else allowed = 0 end
  end
end
local result = {gate_allowed, allowed}
for i = 1, #KEYS do
  if i > gates and gate_allowed == 1 and allowed == 1 then
    redis.call('ZADD', KEYS[i], now, member)
    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 + 2 * i]))
    counts[i] = counts[i] + 1
  end
  local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')[2]
  table.insert(result, counts[i])
  table.insert(result, first or now)
end
return result
"""


class RedisSlidingWindow:
    """The logs in Redis, checked and recorded by one Lua script (atomic across processes)."""

    def __init__(self, url: str) -> None:
        self._script = redis.Script(url, _SLIDING_WINDOW_LUA)

    def hit(
        self, limits: list[Limit], now: float, *, record: bool = True, read: tuple[str, ...] = (), also=()
    ) -> Decision:
        if also and record:
            raise ValueError("limits checked along are behind a gate that is not recorded")
        gate = [] if record else limits
        every = [*limits, *also]
        args: list = [int(now * 1000), uuid.uuid4().hex, len(gate)]
        for limit in every:
            args += [limit.window * 1000, limit.limit]
        keys = [limit.key for limit in every]
        values: list = []
        if read:
            result, values = self._script.run_and_read(keys, args, list(read))
        else:
            result = self._script(keys, args)
        counts = [int(result[2 + 2 * i]) for i in range(len(every))]
        oldest = [float(result[3 + 2 * i]) / 1000 for i in range(len(every))]
        gate_allowed, allowed = bool(int(result[0])), bool(int(result[1]))
        first = len(limits)
        decision = _decide(limits, counts[:first], oldest[:first], gate_allowed and (allowed or not record), now)
        along = _decide(list(also), counts[first:], oldest[first:], gate_allowed and allowed, now) if also else None
        return replace(decision, read=tuple(values), also=along)


@cache
def _redis_store(url: str) -> RedisSlidingWindow:
    return RedisSlidingWindow(url)


local_store = LocalSlidingWindow()


def store():
    """Where the logs live, as CACHES says: Redis when the default cache is Redis, else this process."""
    url = redis.shared_url()
    return local_store if url is None else _redis_store(url)


outage_log = redis.OutageLog(
    logging.getLogger("beel.api"), "Rate-limit counters unreachable, serving requests without limits: %s"
)


def check(
    limits: list[Limit], *, record: bool = True, read: tuple[str, ...] = (), also: list[Limit] = ()
) -> Decision | None:
    """The decision for these limits, or None when the counters cannot be reached (fail open). With Redis,
    the keys in `read` are read, and the limits in `also` checked in the same round trip (Decision.read,
    Decision.also); `also` is recorded only if these limits (then not recorded) and its own have room."""
    try:
        return store().hit(limits, clock.now(), record=record, read=read, also=also)
    except redis.RedisError as error:
        outage_log.report(error)
        return None


def key_limits(key_prefix: str, view) -> list[Limit]:
    """The limits a request of this key to this view falls under."""
    resource = getattr(view, "basename", None) or type(view).__name__
    per_resource, per_resource_window = parse_rate(settings.RATE_LIMIT_PER_RESOURCE)
    overall, overall_window = parse_rate(settings.RATE_LIMIT_GLOBAL)
    # The hash tag {prefix} keeps a key's logs on one Redis Cluster slot, as one script must.
    limits = [
        Limit(f"ratelimit:{{{key_prefix}}}:{resource}", per_resource, per_resource_window),
        Limit(f"ratelimit:{{{key_prefix}}}:all", overall, overall_window),
    ]
    # A view may add a limit of its own on top (POST /nif/validate: BeeL's 100 per hour per key).
    extra = getattr(view, "extra_rate_limit", None)
    if extra:
        count, window = parse_rate(extra)
        limits.append(Limit(f"ratelimit:{{{key_prefix}}}:{resource}:extra", count, window))
    return limits


def failed_authentication_limit(client_address: str) -> Limit:
    limit, window = parse_rate(settings.RATE_LIMIT_FAILED_AUTH)
    return Limit(f"authfail:{{{client_address}}}", limit, window)
