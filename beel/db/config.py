"""The DATABASES setting, read from the environment (beel.settings calls `databases`).

Kept out of settings.py so the database's topology (pooling, replicas) has room to grow.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from beel.db.liveness import refuse_a_connection_the_server_dropped
from beel.db.replicas import replica_databases
from beel.env import env_bool, env_int


def databases(base_dir: Path, *, statement_timeout_ms: int, connect_timeout_seconds: int) -> dict:
    # Unset DATABASE_URL means an embedded SQLite file next to manage.py: one command starts the service.
    default = dj_database_url.config(default=f"sqlite:///{base_dir / 'db.sqlite3'}")
    if default["ENGINE"] == "django.db.backends.postgresql":
        configure_postgresql(default, statement_timeout_ms, connect_timeout_seconds)
    if default["ENGINE"] == "django.db.backends.sqlite3":
        # Several test threads and the dev server share one file: wait for locks instead of failing at once.
        default.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
        default["CONN_MAX_AGE"] = 0
    replicas = replica_databases(
        default, lambda replica: configure_postgresql(replica, statement_timeout_ms, connect_timeout_seconds)
    )
    return {"default": default, **replicas}


def configure_postgresql(database: dict, statement_timeout_ms: int, connect_timeout_seconds: int) -> None:
    # PostgreSQL: each worker thread keeps its connection for DB_CONN_MAX_AGE seconds and checks it before
    # reuse by asking its socket, not by a `SELECT 1` per request (beel.db.postgresql), so a restarted
    # database costs one reconnect, not an error.
    # DB_POOL=true takes connections from a psycopg pool per process instead (DB_POOL_MIN_SIZE..MAX_SIZE,
    # checked the same way, and a dropped one closed so that the pool replaces it: test_connection_pool.py).
    database["ENGINE"] = "beel.db.postgresql"
    database.setdefault("OPTIONS", {}).update({"connect_timeout": connect_timeout_seconds})
    if transaction_pooler() == "pgbouncer":
        configure_for_pgbouncer(database)
    else:
        database["OPTIONS"]["options"] = f"-c statement_timeout={statement_timeout_ms}"
    if env_bool("DB_POOL", False):
        database["CONN_MAX_AGE"] = 0  # Django requires it with a pool: the pool keeps connections
        database["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1),
            # gunicorn.conf.py sets it to GUNICORN_THREADS: a thread holds one connection at a time.
            "max_size": env_int("DB_POOL_MAX_SIZE", 10),
            # A request waits this long for a free connection before failing (503), as for a new one.
            "timeout": connect_timeout_seconds,
            "check": refuse_a_connection_the_server_dropped,
            # A connection that cannot be replaced is retried in the background (1 s, 2 s, 4 s, ...) for this
            # long, then given up; the next request that finds no connection opens one itself. psycopg_pool's
            # 5 minutes left a pool up to minutes behind a database that was back (docs/deploy.md).
            "reconnect_timeout": env_int("DB_POOL_RECONNECT_TIMEOUT_SECONDS", 10),
        }
    else:
        database["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
        database["CONN_HEALTH_CHECKS"] = True


TRANSACTION_POOLERS = ("pgbouncer",)


def transaction_pooler() -> str:
    """DATABASE_POOLER: what DATABASE_URL points at, if not PostgreSQL itself ("pgbouncer": in transaction
    pooling mode), empty for PostgreSQL directly."""
    pooler = os.environ.get("DATABASE_POOLER", "").strip().lower()
    if pooler and pooler not in TRANSACTION_POOLERS:
        raise ImproperlyConfigured(f"DATABASE_POOLER must be empty or one of {TRANSACTION_POOLERS}, got {pooler!r}.")
    return pooler


def configure_for_pgbouncer(database: dict) -> None:
    """PgBouncer in transaction mode gives each transaction whichever server connection is free, so nothing
    may be set per session. PgBouncer refuses the `options` startup parameter that carries the statement
    timeout: the role (or database) holds it instead, `ALTER ROLE ... SET statement_timeout`, which every
    server connection PgBouncer opens starts with (docs/deploy.md, "PgBouncer"). A server-side cursor is used
    only inside a transaction (beel.db.postgresql), and `migrate` refuses to run through it."""
    database["POOLER"] = "pgbouncer"
    # Django's default, said out loud: a statement prepared on one server connection is unknown to the next
    # one; PgBouncer 1.18 (Debian 12's) cannot track protocol-level prepared statements (1.21 can).
    database["OPTIONS"]["prepare_threshold"] = None
