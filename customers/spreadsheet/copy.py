"""The export's fast path on PostgreSQL (issue 30): the rows leave the server by `COPY (SELECT ...) TO STDOUT`,
each cell already written as customers.spreadsheet writes it (the column's writer, the formula guard, the
quoting of Python's csv module with QUOTE_MINIMAL), so Python only joins bytes. What the reference path does
per cell in Python (`export_lines` on SQLite) costs two orders of magnitude more than the server's formatting
(docs/performance.md, "Exports through COPY").

Each writer of customers.spreadsheet has its SQL twin below, by the writer function: a column whose writer has
no twin makes the whole export take the reference path, so a new column can never export differently here.
The metadata keep their Python writer (json.dumps with sorted keys: jsonb's text sorts and spells them
otherwise): the server sends their JSON text, or NULL for `{}`, and Python writes the few that are not empty.

The COPY is binary, one row per customer of a few text fields (no escaping to undo); the query inside it is
the queryset's own SQL (its filters, its sort), so the export can never select or order otherwise than the
list. It runs inside the caller's transaction (one snapshot with the count before it; PgBouncer in
transaction mode keeps that transaction on one server connection), with the statement timeout lifted for its
duration only: one statement now produces what the server-side cursor's fetches produced one 5-second
statement at a time, and how long it stays open depends on how fast the client reads.

psycopg holds the connection's lock from the COPY's start to its end, across every piece handed out: whoever
reads these lines must close them when leaving early (a response's close, as WSGI servers call it when the
client goes away; `contextlib.closing` in an export job), or the connection's next statement waits forever
(tests/customers/test_export_copy_abandoned.py)."""

import json
import struct
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing

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
# Writers whose text never starts like a formula nor holds a delimiter, a quote or a line break.
_PLAIN = {sheet._yes_no, sheet._moment}
# guard_formula (FORMULA_TRIGGERS) and csv.QUOTE_MINIMAL (';', '"', CR, LF) in SQL, on a text `{0}`.
_CELL = (
    "CASE WHEN strpos({0}, ';') > 0 OR strpos({0}, '\"') > 0 OR strpos({0}, E'\\n') > 0 OR strpos({0}, E'\\r') > 0 "
    "THEN '\"' || {1} || replace({0}, '\"', '\"\"') || '\"' ELSE {1} || {0} END"
)
_GUARD = "CASE WHEN left({0}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' ELSE '' END"
_BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_INT16 = struct.Struct("!h")
_INT32 = struct.Struct("!i")


def supports(customers: QuerySet, columns: Iterable[sheet.Column]) -> bool:
    if connections[customers.db].vendor != "postgresql":
        return False
    return all(column.write in _SQL_WRITERS for column in columns)


def export_lines(customers: QuerySet, columns: tuple[sheet.Column, ...]) -> Iterator[str]:
    """The reference export's text (customers.spreadsheet.export_lines), byte for byte, by COPY. Lazily: nothing
    is queried before the first piece after the header is asked for."""
    yield from sheet.csv_lines([column.header for column in columns], ())
    statement, params, python_columns = _copy_statement(customers, columns)
    pending: list[bytes] = []
    # Closed with this generator (a client that went away): the COPY is cancelled before the caller's
    # transaction ends, which could not roll back with a COPY still running on its connection.
    with closing(_lines(customers.db, statement, params, python_columns)) as lines:
        for line in lines:
            pending.append(line)
            if len(pending) == sheet.LINES_PER_CHUNK:
                yield b"".join(pending).decode()
                pending = []
    if pending:
        yield b"".join(pending).decode()


def _copy_statement(customers: QuerySet, columns: tuple[sheet.Column, ...]) -> tuple[str, tuple, dict]:
    """The COPY, its parameters, and the Python writer of each field that Python writes (by field number).
    Each row's fields: runs of SQL-written cells joined with ';' (the run ending the line holds its CRLF),
    between them the value of each column written in Python."""
    query = customers.values_list(*(column.field for column in columns)).query
    inner, params = query.get_compiler(using=customers.db).as_sql()
    names = [f"c{n}" for n in range(len(columns))]
    texts, pieces = [], []  # pieces: SQL text, or a column's Python writer
    for n, column in enumerate(columns):
        template = _SQL_WRITERS[column.write]
        if template is None:
            texts.append(_PYTHON_TEXT[column.write].format(names[n]))
            pieces.append(column.write)
        else:
            texts.append(template.format(names[n]))
            plain = column.write in _PLAIN
            pieces.append(f"t{n}" if plain else _CELL.format(f"t{n}", _GUARD.format(f"t{n}")))
        pieces.append("';'" if n < len(columns) - 1 else "E'\\r\\n'")
    fields, python_columns, run = [], {}, []
    for n, piece in enumerate(pieces):
        if isinstance(piece, str):
            run.append(piece)
            continue
        if run:
            fields.append(" || ".join(run))
            run = []
        python_columns[len(fields)] = piece
        fields.append(f"t{n // 2}")
    if run:
        fields.append(" || ".join(run))
    cells = ", ".join(f"{text} AS t{n}" for n, text in enumerate(texts))
    # OFFSET 0 keeps the cells' subquery from being merged into the outer SELECT, which would compute each
    # cell's text as many times as the outer expressions name it. The subqueries keep the inner query's order.
    statement = (
        f"COPY (SELECT {', '.join(fields)} FROM (SELECT {cells} FROM ({inner}) AS export_rows ({', '.join(names)}) "
        "OFFSET 0) AS export_cells) TO STDOUT (FORMAT binary)"
    )
    return statement, tuple(params), python_columns


def _python_cell(write: Callable, text: bytes | None) -> bytes:
    # As Django reads the column (JSONField: json.loads of its text), then as the reference writes it.
    if text is None:  # the empty object
        return b""
    cell = sheet.guard_formula(write(json.loads(text)))
    if any(special in cell for special in (sheet.DELIMITER, '"', "\n", "\r")):
        cell = '"' + cell.replace('"', '""') + '"'
    return cell.encode()


def _lines(alias: str, statement: str, params: tuple, python_columns: dict) -> Iterator[bytes]:
    connection = connections[alias]
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute("SELECT current_setting('statement_timeout')")
        (timeout,) = cursor.fetchone()
        cursor.execute("SELECT set_config('statement_timeout', '0', true)")
        with cursor.cursor.copy(statement, params) as copy:
            try:
                for fields in _binary_rows(copy):
                    for number, write in python_columns.items():
                        fields[number] = _python_cell(write, fields[number])
                    yield b"".join(fields)
            except GeneratorExit:
                # The client went away: the rest is read and dropped (a direct export is at most
                # EXPORT_DIRECT_MAX_ROWS rows). psycopg's own way out (a cancel request, then reading the rest)
                # hung in tests/customers/test_export_copy.py, waiting on a lock inside psycopg.
                for _chunk in copy:
                    pass
                raise
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [timeout])
    if connection.queries_logged:  # as Django logs its queries (CaptureQueriesContext, DEBUG)
        connection.queries_log.append({"sql": statement, "time": f"{time.monotonic() - started:.3f}"})


def _binary_rows(chunks: Iterable) -> Iterator[list]:
    """The rows of a binary COPY (PostgreSQL's "Binary Format"), each a list of its fields (bytes, or None for
    NULL), whatever the chunks' boundaries (the server sends a row per chunk, the header with the first)."""
    buffer = b""
    header = True
    for chunk in chunks:
        buffer = buffer + bytes(chunk) if buffer else bytes(chunk)
        end, position = len(buffer), 0
        if header:
            if end < 19:
                continue
            assert buffer.startswith(_BINARY_SIGNATURE), "not a binary COPY"
            (extension,) = _INT32.unpack_from(buffer, 15)
            position, header = 19 + extension, False
        while position + 2 <= end:
            (count,) = _INT16.unpack_from(buffer, position)
            if count == -1:  # the trailer; the copy's end follows, read by the caller's loop to its end
                position = end
                break
            at, fields = position + 2, []
            for _ in range(count):
                if at + 4 > end:
                    break
                (size,) = _INT32.unpack_from(buffer, at)
                at += 4
                if size < 0:
                    fields.append(None)
                    continue
                if at + size > end:
                    break
                fields.append(buffer[at : at + size])
                at += size
            if len(fields) < count:  # the row continues in the next chunk
                break
            position = at
            yield fields
        buffer = buffer[position:]
