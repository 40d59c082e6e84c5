"""Django's PostgreSQL backend, with a health check before reusing a connection that costs no query."""

from django.db.backends.postgresql import base

from beel.db.liveness import dropped_by_server


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        # Django asks this before every request with CONN_HEALTH_CHECKS, and after a request that failed on
        # the database; its own answer runs `SELECT 1`.
        return self.connection is not None and not dropped_by_server(self.connection)

    def chunked_cursor(self):
        # Through PgBouncer in transaction mode, outside a transaction Django would declare the server-side
        # cursor WITH HOLD: it outlives its transaction on a server connection the next fetch may not get.
        # There, QuerySet.iterator() reads its rows with a plain cursor (DISABLE_SERVER_SIDE_CURSORS, only
        # where it is needed); inside a transaction (the CSV export's) the server-side cursor is safe.
        if self.settings_dict.get("POOLER") == "pgbouncer" and self.get_autocommit():
            return self._cursor()
        return super().chunked_cursor()
