"""A short-lived copy of each API key in every process, so authentication does not query the database on
every request (issue #17: the key lookup was 21% of a cheap request).

The rule that keeps it safe: a process uses its copy only while the key's *generation* in the shared cache
(Redis) is the one it saw when it read the row, and for at most APIKEY_CACHE_SECONDS. Every change to a key
or to its account (revocation through the model, the command, the admin; a save; a deletion) writes a new
generation once committed, so the next request in any process reads the row again: revocation takes effect
at once everywhere. Expiry is compared with the clock on every request, copy or not.

The generation is read in the same Redis round trip as the failed-authentication check
(apikeys.authentication). Without Redis (per-process memory) nothing is copied: another process (a
management command, a second worker) could revoke a key this one would not hear about. If Redis cannot be
read, the row is read from the database. Writes that bypass the model (raw SQL, QuerySet.update on keys
or accounts) are seen after at most APIKEY_CACHE_SECONDS."""

import logging
import uuid

from django.conf import settings
from django.db import transaction

from beel import redis
from beel.clock import clock

logger = logging.getLogger("apikeys")

# prefix -> (the key with its account, the generation seen before reading it, when it was read)
_copies: dict[str, tuple[object, bytes | None, float]] = {}


def enabled() -> bool:
    return settings.APIKEY_CACHE_SECONDS > 0 and redis.shared_url() is not None


def generation_key(prefix: str) -> str:
    # The hash tag keeps it on the Redis Cluster slot of the key's rate-limit logs.
    return f"apikey:generation:{{{prefix}}}"


def held(prefix: str):
    """This process's copy of the key, current or not (the generation will tell), or None."""
    copied = _copies.get(prefix)
    return None if copied is None else copied[0]


def copy_of(prefix: str, generation: bytes | None):
    """The copied key (with its account) if it is still current, else None."""
    copied = _copies.get(prefix)
    if copied is None:
        return None
    api_key, seen_generation, read_at = copied
    if seen_generation != generation or clock.now() - read_at >= settings.APIKEY_CACHE_SECONDS:
        _copies.pop(prefix, None)
        return None
    return api_key


def remember(prefix: str, generation: bytes | None, api_key) -> None:
    """Keep a key read from the database; `generation` must have been read *before* the row was."""
    _copies[prefix] = (api_key, generation, clock.now())


def forget(prefixes: list[str]) -> None:
    """Make every process read these keys again, once the current transaction has committed (before that,
    another process would read the old row again and keep it under the new generation)."""
    if prefixes:
        transaction.on_commit(lambda: _new_generations(prefixes))


def _new_generations(prefixes: list[str]) -> None:
    for prefix in prefixes:
        _copies.pop(prefix, None)
    url = redis.shared_url()
    if url is None:
        return
    try:
        redis.client(url).mset({generation_key(prefix): uuid.uuid4().hex for prefix in prefixes})
    except redis.RedisError as error:
        # The change is committed; other processes' copies live at most APIKEY_CACHE_SECONDS more.
        logger.error("Could not publish a change of API keys %s to the other processes: %s", prefixes, error)


def clear() -> None:
    _copies.clear()
