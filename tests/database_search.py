"""Searching the whole test database for values: every table the database holds (not only the models'), every
column, as text. JSON is read decoded (SQLite keeps it with \\u escapes), the sessions decoded (they are
signed base64), and the comparison ignores case and accents (the folded search columns, a registry's capitals)."""

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection


@dataclass(frozen=True)
class Found:
    table: str
    row_id: str
    value: str


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _as_text(cell) -> str:
    if isinstance(cell, dict | list):
        return json.dumps(cell, ensure_ascii=False, default=str)
    if isinstance(cell, bytes | memoryview):
        return bytes(cell).decode("utf-8", errors="replace")
    text = str(cell)
    if text[:1] in ("{", "[", '"'):
        try:
            return text + " " + json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def _row_text(table: str, columns: list[str], row: tuple) -> str:
    text = " ".join(_as_text(cell) for cell in row)
    if table == "django_session":
        text += " " + json.dumps(SessionStore().decode(row[columns.index("session_data")]), default=str)
    return folded(text)


def where_found(values: Iterable[str]) -> set[Found]:
    """Each place (table, the row's `id` or first column, a UUID without dashes) where one of `values` is
    written."""
    needles = {folded(value): value for value in values}
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            key = columns.index("id") if "id" in columns else 0
            for row in cursor.fetchall():
                text = _row_text(table, columns, row)
                row_id = str(row[key]).replace("-", "")
                found |= {Found(table, row_id, value) for needle, value in needles.items() if needle in text}
    return found
