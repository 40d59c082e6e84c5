"""Data migrations over tables of millions of rows: set-based SQL, in batches that each commit, so no
statement holds its rows (or the table) for minutes and a deploy never waits behind one long transaction.
docs/deploy.md, "Data migrations", gives the rule this serves; the timing at 1,000,000 customers is in
docs/performance.md."""

BATCH_SIZE = 2_000


def update_in_batches(
    connection, *, table: str, assignments: str, pending: str = "TRUE", batch_size: int | None = None
) -> int:
    """`UPDATE table SET assignments WHERE pending` over every row, walking the primary key in batches of
    `batch_size` (BATCH_SIZE unless given; an index range each time: no batch rescans the rows before it).
    Run it from a migration with `atomic = False`: each batch is then its own transaction, and its row locks
    last one batch.

    `pending` says which rows still need the update (e.g. `company_id IS NULL`): a run that was interrupted
    resumes where it stopped, and a row already right is not rewritten (no dead tuple, no index entry). Rows
    the running release inserts meanwhile land anywhere in a UUID key's order, behind the walk: whatever fills
    them (a trigger, a later sweep) is the migration's business. Returns the number of rows updated."""
    quoted, batch_size = connection.ops.quote_name(table), batch_size or BATCH_SIZE
    updated, last_id = 0, None
    while True:
        lower, lower_params = ("id > %s", [last_id]) if last_id is not None else ("TRUE", [])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {quoted} WHERE {lower} ORDER BY id LIMIT 1 OFFSET %s", [*lower_params, batch_size - 1]
            )
            row = cursor.fetchone()
            upper, upper_params = ("id <= %s", [row[0]]) if row is not None else ("TRUE", [])
            cursor.execute(
                f"UPDATE {quoted} SET {assignments} WHERE {lower} AND {upper} AND ({pending})",
                [*lower_params, *upper_params],
            )
            updated += cursor.rowcount
        if row is None:
            return updated
        last_id = row[0]
