"""Importing a CSV of customers: a report per row (BeeL's unified result), then the valid rows created all
together."""

import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from beel.actors import Actor
from beel.tenancy import DataScope
from customers.batch import validate_import_rows
from customers.services.creation import create_customers, elapsed_ms, report_rows
from customers.services.reports import ImportMessage, ImportReport, SheetFacts, SourceType
from customers.services.tax_id import screen_tax_ids
from customers.spreadsheet import IMPORT_COLUMNS
from customers.spreadsheet.reading import SheetRow, read_sheet


def import_customers(
    *, scope: DataScope, content: bytes, actor: Actor, dry_run: bool = True, filename: str | None = None
) -> ImportReport:
    """Read a CSV of customers (customers.spreadsheet), report every row with a status, and unless `dry_run`
    create the VALID and WARNING ones through `create_customers`: in one transaction, with their audit
    entries and events, all of them or (if anything fails) none; ERROR, NIF_INVALID and DUPLICATE rows are
    reported and not created. Each row is checked by the record's rules (customers.record), the very ones
    of POST /customers, so an import accepts exactly what the API accepts, from the API or the admin alike."""
    started = time.monotonic()
    sheet = read_sheet(content)
    items, checks = screen_tax_ids(validate_import_rows([row.payload for row in sheet.rows]))
    creation = create_customers(scope=scope, items=items, actor=actor, dry_run=dry_run, tax_id_checks=checks)
    lines = {number: row.line for number, row in enumerate(sheet.rows, start=1)}
    rows = report_rows(
        items,
        creation,
        echoes=[
            _jsonable(row.payload) if isinstance(item, Exception) else as_payload(item, given=row.payload)
            for row, item in zip(sheet.rows, items, strict=True)
        ],
        positions=list(lines),
        earlier=lambda number: gettext("Line %(n)d of the file") % {"n": lines[number]},
        warnings=[
            _warnings(row, item) if not isinstance(item, Exception) else _notes(row)
            for row, item in zip(sheet.rows, items, strict=True)
        ],
    )
    for row in rows:
        row.line = lines[row.index]
    facts = SheetFacts(
        filename=filename,
        file_size_bytes=len(content),
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        columns=sheet.columns,
        ignored_columns=sheet.ignored_columns,
    )
    return ImportReport(SourceType.CSV_IMPORT, dry_run, rows, processing_time_ms=elapsed_ms(started), sheet=facts)


def _notes(sheet_row: SheetRow) -> list[ImportMessage]:
    return [
        ImportMessage(note.message, note.field, note.given, stored=note.stored, code=note.code, params=note.params)
        for note in sheet_row.notes
    ]


def _warnings(sheet_row: SheetRow, item: Mapping[str, Any]) -> list[ImportMessage]:
    return _notes(sheet_row) + _normalised(sheet_row.payload, item)


def as_payload(data: Mapping[str, Any], *, given: Mapping[str, Any]) -> dict[str, Any]:
    """Validated (flat) customer data shaped as POST /customers takes it, the postal fields in `address`:
    the fields the row gave, as they will be stored."""
    payload: dict[str, Any] = {}
    for column in IMPORT_COLUMNS:
        source = (given.get(column.nested_in) or {}) if column.nested_in else given
        if column.field in data and column.payload_key in source:
            target = payload.setdefault(column.nested_in, {}) if column.nested_in else payload
            target[column.payload_key] = _number(data[column.field])
    return payload


def _number(value: Any) -> Any:
    # A number in JSON, as the API takes it, not the text of a Decimal.
    return float(value) if isinstance(value, Decimal) else value


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: _jsonable(value) if isinstance(value, dict) else _number(value) for key, value in payload.items()}


def _normalised(submitted: Mapping[str, Any], data: Mapping[str, Any]) -> list[ImportMessage]:
    """A value that will be stored otherwise than the file wrote it (a phone in E.164, a NIF without its
    dashes, an email in lower case), so the user sees it before confirming."""
    messages = []
    for column in IMPORT_COLUMNS:
        given = (submitted.get(column.nested_in) or {}) if column.nested_in else submitted
        if column.payload_key in given and column.write(given[column.payload_key]) != column.write(
            data.get(column.field, "")
        ):
            field = f"{column.nested_in}.{column.payload_key}" if column.nested_in else column.payload_key
            messages.append(
                ImportMessage(
                    field=field,
                    message=gettext("%(column)s stored as %(value)r")
                    % {"column": column.header, "value": data.get(column.field)},
                    value=column.write(given[column.payload_key]),
                    stored=column.write(data.get(column.field, "")),
                    code="normalised",
                )
            )
    return messages
