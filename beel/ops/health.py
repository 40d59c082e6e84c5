"""What readiness means: the database answers and has every migration this code knows, and the shared
cache answers when one is configured. Each check returns None when fine, else a short public reason
(details go to the log, not to whoever can reach the probe)."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from beel import redis

logger = logging.getLogger("beel.ops")

# A probe must answer before the load balancer gives up on it, whatever the cache is doing.
CACHE_PROBE_TIMEOUT_SECONDS = 0.5

_migrations_applied = False


def database_failure() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("Readiness: database unavailable: %s", (str(error).strip().splitlines() or [""])[0])
        return "unreachable"
    return None


def migrations_failure() -> str | None:
    """Applied migrations stay applied, so once they all are this process stops asking: the probe then
    costs one `SELECT 1`, not a read of every migration file."""
    global _migrations_applied
    if _migrations_applied:
        return None
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        logger.warning("Readiness: could not read the applied migrations: %s", error)
        return "unreadable"
    if pending:
        return f"{len(pending)} not applied"
    _migrations_applied = True
    return None


def cache_failure() -> str | None:
    if not settings.CACHE_URL:
        return None
    # Its own client rather than the cache's: the probe's timeouts are its own, however long the cache
    # waits for Redis when serving requests.
    try:
        redis.client(settings.CACHE_URL, timeout=CACHE_PROBE_TIMEOUT_SECONDS).ping()
    except redis.RedisError as error:
        logger.warning("Readiness: cache unavailable: %s", error)
        return "unreachable"
    return None


def readiness() -> dict[str, str]:
    """Each check's outcome ("ok", "skipped" or the reason it failed)."""
    database = database_failure()
    checks = {
        "database": database or "ok",
        "migrations": "skipped" if database else (migrations_failure() or "ok"),
    }
    if settings.CACHE_URL:
        checks["cache"] = cache_failure() or "ok"
    return checks
