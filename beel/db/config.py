"""The DATABASES setting, read from the environment (beel.settings calls `databases`).

Kept out of settings.py so the database's topology (pooling, replicas) has room to grow.
"""

from pathlib import Path

import dj_database_url

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
    # checked the same way). Off by default: after an outage psycopg_pool 3.3 can stop reconnecting until
    # its 5 s wait runs out on every request (seen in tests/ops/test_several_instances.py).
    database["ENGINE"] = "beel.db.postgresql"
    database.setdefault("OPTIONS", {}).update(
        {"connect_timeout": connect_timeout_seconds, "options": f"-c statement_timeout={statement_timeout_ms}"}
    )
    if env_bool("DB_POOL", False):
        database["CONN_MAX_AGE"] = 0  # Django requires it with a pool: the pool keeps connections
        database["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1),
            # gunicorn.conf.py sets it to GUNICORN_THREADS: a thread holds one connection at a time.
            "max_size": env_int("DB_POOL_MAX_SIZE", 10),
            # A request waits this long for a free connection before failing (503), as for a new one.
            "timeout": connect_timeout_seconds,
            "check": refuse_a_connection_the_server_dropped,
        }
    else:
        database["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
        database["CONN_HEALTH_CHECKS"] = True
