from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DatabaseError, connections


class Command(DjangoMigrateCommand):
    """Django's `migrate`, without the statement timeout: DB_STATEMENT_TIMEOUT_MS bounds what a request
    may cost, while a migration (an index built CONCURRENTLY on a large table) may rightly take minutes."""

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        if connection.settings_dict.get("POOLER"):
            # Its session-level SET would stay on a server connection other clients then get, and CREATE
            # INDEX CONCURRENTLY and long lock waits belong on a connection of its own.
            raise CommandError(
                "migrate runs directly against PostgreSQL, not through a transaction pooler: run it with"
                " DATABASE_URL pointing at PostgreSQL and DATABASE_POOLER unset (docs/deploy.md)."
            )
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
        try:
            return super().handle(*args, **options)
        finally:
            # Back to the configured timeout, for whatever uses this connection next (the test suite does).
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET statement_timeout")
            except DatabaseError:
                connection.close()
