"""What the migration tests share: moving the test database to given migrations and back."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """The database at `targets` (app, migration name) pairs; returns the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaf_nodes():
    """Every app's last migration: where a test leaves the database."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
