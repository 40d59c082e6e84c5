"""Schema changes on tables of millions of rows that hold no lock for long on PostgreSQL, while the release
before keeps writing (docs/deploy.md, "Data migrations"; the locks each one takes, measured at 1,000,000
customers, are in docs/performance.md). Elsewhere (SQLite in development and tests) each is the plain Django
operation it stands for. The migrations using them are `atomic = False`: CONCURRENTLY refuses a transaction,
and every step commits before the next one takes its lock.

- AddForeignKeyOnline: a new nullable foreign key column; its constraint starts NOT VALID (no scan under the
  ALTER TABLE's lock) and SetNotNullOnline validates it later, without blocking writes.
- SetNotNullOnline: CHECK (column IS NOT NULL) NOT VALID, VALIDATE (reads the table, blocks no write), then
  SET NOT NULL, which PostgreSQL proves from the valid check instead of scanning under ACCESS EXCLUSIVE.
- AddIndexOnline / RemoveIndexOnline: CREATE / DROP INDEX CONCURRENTLY.
- AddUniqueConstraintOnline / RemoveUniqueConstraintOnline: the unique index built CONCURRENTLY (then attached
  as the constraint when it has no condition); a partial one is dropped CONCURRENTLY.
- InOneTransaction: a few operations that must change together (after a LOCK), or see one moment.
- RemoveFieldLater: the field leaves the model now and its column only stops being required; the release
  after drops it, once no code that writes it is running."""

from django.db import migrations, transaction


def on_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _drop_invalid_index(schema_editor, name: str) -> None:
    """A CREATE INDEX CONCURRENTLY that failed (a duplicate, a cancelled deploy) leaves an invalid index of
    that name behind; dropping it lets the migration simply be run again."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname = %s AND NOT i.indisvalid",
            [name],
        )
        invalid = cursor.fetchone() is not None
    if invalid:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


class AddForeignKeyOnline(migrations.AddField):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        assert field.null and field.remote_field and not field.db_index, "a nullable foreign key without its own index"
        quote = schema_editor.quote_name
        column_type = field.db_type(schema_editor.connection)
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ADD COLUMN {quote(field.column)} {column_type} NULL"
        )
        constraint = schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
        schema_editor.execute(f"{constraint} NOT VALID")


class SetNotNullOnline(migrations.AlterField):
    """The field must differ from its previous state only in `null`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        quote = schema_editor.quote_name
        table, column = quote(model._meta.db_table), model._meta.get_field(self.name).column
        check = quote(f"{model._meta.db_table}_{column}_not_null"[:63])
        for invalid_foreign_key in self._not_valid_foreign_keys(schema_editor, model._meta.db_table, column):
            schema_editor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote(invalid_foreign_key)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {check}")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({quote(column)} IS NOT NULL) NOT VALID"
        )
        schema_editor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {quote(column)} SET NOT NULL")
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {check}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            quote = schema_editor.quote_name
            column = quote(model._meta.get_field(self.name).column)
            schema_editor.execute(f"ALTER TABLE {quote(model._meta.db_table)} ALTER COLUMN {column} DROP NOT NULL")

    @staticmethod
    def _not_valid_foreign_keys(schema_editor, table: str, column: str) -> list[str]:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT con.conname FROM pg_constraint con"
                " JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)"
                " WHERE con.conrelid = %s::regclass AND con.contype = 'f' AND NOT con.convalidated AND a.attname = %s",
                [table, column],
            )
            return [name for (name,) in cursor.fetchall()]


class AddIndexOnline(migrations.AddIndex):
    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _drop_invalid_index(schema_editor, self.index.name)
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class RemoveIndexOnline(migrations.RemoveIndex):
    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.remove_index(model, index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            _drop_invalid_index(schema_editor, index.name)
            schema_editor.add_index(model, index, concurrently=True)


def _create_unique_online(schema_editor, model, constraint) -> None:
    quote = schema_editor.quote_name
    _drop_invalid_index(schema_editor, constraint.name)
    if constraint.condition is not None:
        # Django makes a conditional unique constraint a partial unique index: the same, built CONCURRENTLY.
        sql = str(constraint.create_sql(model, schema_editor))
        assert sql.startswith("CREATE UNIQUE INDEX "), sql
        schema_editor.execute(sql.replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX CONCURRENTLY ", 1))
        return
    table, name = quote(model._meta.db_table), quote(constraint.name)
    columns = ", ".join(quote(model._meta.get_field(field).column) for field in constraint.fields)
    schema_editor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({columns})")
    schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}")


def _remove_unique_online(schema_editor, model, constraint) -> None:
    quote = schema_editor.quote_name
    if constraint.condition is not None:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(constraint.name)}")
    else:
        schema_editor.execute(f"ALTER TABLE {quote(model._meta.db_table)} DROP CONSTRAINT {quote(constraint.name)}")


class AddUniqueConstraintOnline(migrations.AddConstraint):
    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _create_unique_online(schema_editor, model, self.constraint)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _remove_unique_online(schema_editor, model, self.constraint)


class RemoveUniqueConstraintOnline(migrations.RemoveConstraint):
    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            constraint = from_state.models[app_label, self.model_name_lower].get_constraint_by_name(self.name)
            _remove_unique_online(schema_editor, model, constraint)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            constraint = to_state.models[app_label, self.model_name_lower].get_constraint_by_name(self.name)
            _create_unique_online(schema_editor, model, constraint)


class InOneTransaction(migrations.SeparateDatabaseAndState):
    """`operations` applied in one transaction (in a migration with `atomic = False`), which starts on
    PostgreSQL with `first`: e.g. `LOCK TABLE t IN SHARE MODE` keeps t's writers out (readers in) while its
    counters are brought up to date and the triggers keeping them change, so no write is counted twice or
    missed; or `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ` for statements that must see one moment."""

    def __init__(self, operations, first: str = ""):
        super().__init__(database_operations=operations, state_operations=operations)
        self.operations, self.first = operations, first

    def deconstruct(self):
        return self.__class__.__qualname__, [self.operations], {"first": self.first} if self.first else {}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        with transaction.atomic(using=schema_editor.connection.alias):
            self._begin(schema_editor)
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        with transaction.atomic(using=schema_editor.connection.alias):
            self._begin(schema_editor)
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def _begin(self, schema_editor) -> None:
        if on_postgresql(schema_editor):
            if self.first:
                schema_editor.execute(self.first)
            # Deferred foreign key checks would otherwise still be pending when a later step alters the table.
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def describe(self) -> str:
        return f"In one transaction: {'; '.join(operation.describe() for operation in self.operations)}"


class RemoveFieldLater(migrations.RemoveField):
    """On PostgreSQL the column stays, no longer required, for the release still running (it writes it);
        `refill` is the SET clause that gives the rows written without it a value again if migrated back (the
    column qualified by its table)."""

    def __init__(self, model_name: str, name: str, refill: str):
        super().__init__(model_name=model_name, name=name)
        self.refill = refill

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "refill": self.refill}

    def _column(self, schema_editor, state, app_label) -> tuple[str, str]:
        model = state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        return quote(model._meta.db_table), quote(model._meta.get_field(self.name).column)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        table, column = self._column(schema_editor, from_state, app_label)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table, column = self._column(schema_editor, to_state, app_label)
        if not on_postgresql(schema_editor):
            # The column comes back nullable, is refilled, then required: Django's own way would add it
            # required with no value for the rows there.
            nullable = to_state.models[app_label, self.model_name_lower].fields[self.name].clone()
            nullable.null = True
            adding = migrations.AddField(model_name=self.model_name, name=self.name, field=nullable)
            between = from_state.clone()
            adding.state_forwards(app_label, between)
            adding.database_forwards(app_label, schema_editor, from_state, between)
            schema_editor.execute(f"UPDATE {table} SET {self.refill} WHERE {column} IS NULL")
            field = to_state.models[app_label, self.model_name_lower].fields[self.name]
            requiring = migrations.AlterField(model_name=self.model_name, name=self.name, field=field)
            return requiring.database_forwards(app_label, schema_editor, between, to_state)
        schema_editor.execute(f"UPDATE {table} SET {self.refill} WHERE {column} IS NULL")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL")
