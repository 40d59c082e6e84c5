"""Django's PostgreSQL backend, with a health check before reusing a connection that costs no query."""

from django.db.backends.postgresql import base

from beel.db.liveness import dropped_by_server


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        # Django asks this before every request with CONN_HEALTH_CHECKS, and after a request that failed on
        # the database; its own answer runs `SELECT 1`.
        return self.connection is not None and not dropped_by_server(self.connection)
