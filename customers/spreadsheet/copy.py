"""The export's fast path on PostgreSQL (issue 30): the rows leave the server by `COPY (SELECT ...) TO STDOUT`
in CSV, each cell already written as customers.spreadsheet writes it (the column's writer and the formula guard
in SQL; the quoting by the server's CSV writer, which quotes what Python's csv module quotes with
QUOTE_MINIMAL), so Python only turns each row's LF into CRLF. What the reference path does per cell in Python
(`export_lines` on SQLite) costs far more than the server's formatting (docs/performance.md, "Exports through
COPY").

Each writer of customers.spreadsheet has its SQL twin below, by the writer function: a column whose writer has
no twin makes the whole export take the reference path, so a new column can never export differently here.
The metadata keep their Python writer (json.dumps with sorted keys: jsonb's text sorts and spells them
otherwise): their cell comes empty, their JSON text after the row's last column (NULL for `{}`), and Python
rewrites only the rows whose metadata are not empty.

The query inside the COPY is the queryset's own SQL (its filters, its sort), so the export can never select or
order otherwise than the list. It runs inside the caller's transaction (one snapshot with the count before it;
PgBouncer in transaction mode keeps that transaction on one server connection), with the statement timeout lifted
for its duration only: one statement now produces what the server-side cursor's fetches produced one 5-second
statement at a time, and how long it stays open depends on how fast the client reads.

psycopg holds the connection's lock from the COPY's start to its end, across every piece handed out: whoever
reads these lines must close them when leaving early (a response's close, as WSGI servers call it when the
client goes away; `contextlib.closing` in an export job), or the connection's next statement waits forever
(tests/customers/test_export_copy_abandoned.py)."""

import csv
import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from customers import spreadsheet as sheet

# A cell's text as the reference writer makes it, from the column's value `{}` (a column of the queryset's
# SQL), by the writer's function. None: written in Python from the value's text.
_SQL_WRITERS: dict[Callable, str | None] = {
    sheet._text: "COALESCE({}::text, '')",
    sheet._as_cell: "COALESCE({}::text, '')",
    # numeric(5, 2): its text has two decimals already, as f"{value:.2f}" writes them.
    sheet._decimal_comma_cell: "COALESCE(replace({}::text, '.', ','), '')",
    sheet._email_cell: (
        "CASE WHEN jsonb_typeof({0}) = 'array' AND {0} <> '[]'::jsonb "
        "THEN array_to_string(ARRAY(SELECT jsonb_array_elements_text({0})), E'\\n') ELSE '' END"
    ),
    sheet._yes_no: "CASE WHEN {} THEN 'sí' ELSE 'no' END",
    # format_utc: no zero padding of years under 1000, as strftime's %Y on glibc (FM).
    sheet._moment: """COALESCE(to_char({} AT TIME ZONE 'UTC', 'FMYYYY-MM-DD"T"HH24:MI:SS"Z"'), '')""",
    sheet._json_cell: None,
}
# The text Python writes a None writer's cell from: the metadata's JSON, NULL for the empty object.
_PYTHON_TEXT = {sheet._json_cell: "NULLIF({}, '{{}}'::jsonb)::text"}
# Writers whose text never starts like a formula: no guard.
_PLAIN = {sheet._yes_no, sheet._moment}
# A cell from its text `{0}`: NULL when empty (the server's CSV writer leaves NULL unquoted and would quote an
# empty string), else the text, behind the apostrophe guard_formula puts before a FORMULA_TRIGGERS start. The
# quoting is the server's CSV writer's, which quotes what csv.QUOTE_MINIMAL quotes (a cell holding the
# delimiter, a quote, CR or LF; quotes doubled). The first character is told by its code (`ascii`, 0 for the
# empty text) and the apostrophe joined only to the few cells that need it: `left(...) IN (...)` and a join on
# every cell cost a third of the export's time on the server (docs/performance.md, "Exports through COPY").
_PLAIN_CELL = "NULLIF({0}, '')"
_TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in sheet.FORMULA_TRIGGERS)
_GUARDED_CELL = "CASE WHEN ascii({0}) IN (_TRIGGER_CODES) THEN '''' || {0} ELSE NULLIF({0}, '') END".replace(
    "_TRIGGER_CODES", _TRIGGER_CODES
)
# What the rows are handed on in: a few large pieces cost the response machinery less than many small ones.
PIECE_BYTES = 256 * 1024


def supports(customers: QuerySet, columns: Iterable[sheet.Column]) -> bool:
    if connections[customers.db].vendor != "postgresql":
        return False
    return all(column.write in _SQL_WRITERS for column in columns)


def export_lines(customers: QuerySet, columns: tuple[sheet.Column, ...]) -> Iterator[str]:
    """The reference export's text (customers.spreadsheet.export_lines), byte for byte, by COPY. Lazily: nothing
    is queried before the first piece after the header is asked for."""
    yield from sheet.csv_lines([column.header for column in columns], ())
    try:
        statement, params, python_columns = _copy_statement(customers, columns)
    except EmptyResultSet:
        # Filters no row can meet (`phone=-` normalises to nothing a phone can be): Django says so instead of
        # writing SQL, and the reference export, which runs the queryset, writes the header alone.
        return
    pending: list[bytes] = []
    size = 0
    # Closed with this generator (a client that went away): the COPY is ended before the caller's transaction
    # ends, which could not roll back with a COPY still running on its connection.
    with closing(_lines(customers.db, statement, params, len(columns), python_columns)) as lines:
        for line in lines:
            pending.append(line)
            size += len(line)
            if size >= PIECE_BYTES:
                yield b"".join(pending).decode()
                pending, size = [], 0
    if pending:
        yield b"".join(pending).decode()


def _copy_statement(customers: QuerySet, columns: tuple[sheet.Column, ...]) -> tuple[str, tuple, dict]:
    """The COPY, its parameters, and the Python writer of each column that Python writes (by column number).
    Each row: every column's cell (NULL where empty, so the server's CSV writer leaves it unquoted; NULL where
    Python writes it), then the text Python writes each of those from (NULL for the empty metadata)."""
    query = customers.values_list(*(column.field for column in columns)).query
    inner, params = query.get_compiler(using=customers.db).as_sql()
    names = [f"c{n}" for n in range(len(columns))]
    texts, cells, extra, python_columns = [], [], [], {}
    for n, column in enumerate(columns):
        template = _SQL_WRITERS[column.write]
        if template is None:
            texts.append(_PYTHON_TEXT[column.write].format(names[n]))
            cells.append("NULL")
            extra.append(f"t{n}")
            python_columns[n] = column.write
        else:
            texts.append(template.format(names[n]))
            cells.append((_PLAIN_CELL if column.write in _PLAIN else _GUARDED_CELL).format(f"t{n}"))
    texts_sql = ", ".join(f"{text} AS t{n}" for n, text in enumerate(texts))
    # OFFSET 0 keeps the cells' subquery from being merged into the outer SELECT, which would compute each
    # cell's text as many times as the outer expressions name it. The subqueries keep the inner query's order.
    statement = (
        f"COPY (SELECT {', '.join(cells + extra)} FROM (SELECT {texts_sql} FROM ({inner}) AS export_rows "
        f"({', '.join(names)}) OFFSET 0) AS export_cells) TO STDOUT (FORMAT csv, DELIMITER ';', NULL '')"
    )
    return statement, tuple(params), python_columns


def _python_row(row: bytes, width: int, python_columns: dict) -> bytes:
    """A row with a cell that Python writes (metadata that are not `{}`): read as csv reads the server's CSV,
    that cell written as the reference writes it, the row written again by csv.writer as the reference does."""
    cells = next(csv.reader([row[:-1].decode()], delimiter=sheet.DELIMITER))
    for extra, (number, write) in enumerate(python_columns.items(), start=width):
        # As Django reads the column (JSONField: json.loads of its text), then as the reference writes it.
        cells[number] = sheet.guard_formula(write(json.loads(cells[extra]))) if cells[extra] else ""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sheet.DELIMITER, lineterminator="\r\n").writerow(cells[:width])
    return buffer.getvalue().encode()


def _lines(alias: str, statement: str, params: tuple, width: int, python_columns: dict) -> Iterator[bytes]:
    connection = connections[alias]
    empty_extras = sheet.DELIMITER.encode() * len(python_columns) + b"\n"
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute("SELECT current_setting('statement_timeout')")
        (timeout,) = cursor.fetchone()
        cursor.execute("SELECT set_config('statement_timeout', '0', true)")
        with cursor.cursor.copy(statement, params) as copy:
            try:
                # One row per message: the protocol says so of COPY TO's CopyData, so the row's last byte is
                # its LF (CSV COPY's line end), even when a quoted cell holds line breaks.
                for message in copy:
                    row = bytes(message)
                    if row.endswith(empty_extras):  # Python writes nothing: only the line end to change
                        yield row[: -len(empty_extras)] + b"\r\n"
                    else:
                        yield _python_row(row, width, python_columns)
            except GeneratorExit:
                # Closed early (a client that went away): the rest is read and dropped (a direct export is at
                # most EXPORT_DIRECT_MAX_ROWS rows), which ends the COPY and frees psycopg's lock. psycopg's own
                # way out (a cancel request, then reading the rest) ends it too, but took seconds longer in
                # tests/customers/test_export_copy_abandoned.py.
                for _chunk in copy:
                    pass
                raise
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [timeout])
    if connection.queries_logged:  # as Django logs its queries (CaptureQueriesContext, DEBUG)
        connection.queries_log.append({"sql": statement, "time": f"{time.monotonic() - started:.3f}"})
