"""Data migrations over tables of millions of rows: set-based SQL, in batches that each commit, so no
statement holds its rows (or the table) for minutes and a deploy never waits behind one long transaction.
docs/deploy.md, "Data migrations", gives the rule this serves; the timing at 1,000,000 customers is in
docs/performance.md."""

BATCH_SIZE = 10_000


def update_in_batches(connection, *, table: str, assignments: str, batch_size: int = BATCH_SIZE) -> int:
    """`UPDATE table SET assignments` over every row, walking the primary key in batches of `batch_size`
    (an index range each time: no batch rescans the rows before it). Run it from a migration with
    `atomic = False`: each batch is then its own transaction. Returns the number of rows updated."""
    quoted = connection.ops.quote_name(table)
    updated, last_id = 0, None
    while True:
        with connection.cursor() as cursor:
            after = "" if last_id is None else "WHERE id > %s"
            cursor.execute(
                f"SELECT id FROM {quoted} {after} ORDER BY id LIMIT 1 OFFSET %s",
                ([last_id] if last_id is not None else []) + [batch_size - 1],
            )
            row = cursor.fetchone()
            upper = None if row is None else row[0]
            bounds, params = [], []
            if last_id is not None:
                bounds.append("id > %s")
                params.append(last_id)
            if upper is not None:
                bounds.append("id <= %s")
                params.append(upper)
            where = " AND ".join(bounds) or "TRUE"
            cursor.execute(f"UPDATE {quoted} SET {assignments} WHERE {where}", params)
            updated += cursor.rowcount
        if upper is None:
            return updated
        last_id = upper
