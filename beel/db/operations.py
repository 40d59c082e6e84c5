from django.db import migrations


class PostgreSQLOnlyRunSQL(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL and is a no-op elsewhere (SQLite in development and tests), for
    features SQLite does not have, such as pg_trgm indexes."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class DropForeignKeyIndex(migrations.AlterField):
    """A foreign key's own index dropped (`db_index=False`) where a composite index leading with the same
    column serves its lookups and cascades. Django's AlterField also drops and re-creates the foreign key
    constraint, which re-checks every row of the table under an exclusive lock; this drops the index only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.name).column
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        # Only the index on exactly this one column: the composite ones stay.
        for index_name in schema_editor._constraint_names(model, [column], index=True, unique=False, primary_key=False):
            schema_editor.execute(schema_editor._delete_index_sql(model, index_name))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field(self.name)]))

    def describe(self) -> str:
        return f"Drop the own index of {self.model_name}.{self.name} (a composite index serves it)"
