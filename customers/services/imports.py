"""Importing a CSV of customers: a report per line, then the valid rows created all together."""

from collections.abc import Mapping
from typing import Any

from beel.actors import Actor
from beel.errors import DomainError
from beel.tenancy import DataScope
from customers.batch import validate_import_rows
from customers.services.creation import create_customers
from customers.services.reports import ImportedRow, ImportMessage, ImportReport, ImportStatus
from customers.spreadsheet import IMPORT_COLUMNS, SheetRow, read_sheet


def import_customers(*, scope: DataScope, content: bytes, actor: Actor, dry_run: bool = True) -> ImportReport:
    """Read a CSV of customers (customers.spreadsheet), report every row by its line with a status, and
    unless `dry_run` create the VALID and WARNING ones through `create_customers`: in one transaction, with
    their audit entries and events, all of them or (if anything fails) none. Each row is checked by the
    record's rules (customers.record), the very ones of POST /customers, so an import accepts exactly what
    the API accepts, from the API or the admin alike."""
    sheet = read_sheet(content)
    items = validate_import_rows([row.payload for row in sheet.rows])
    creation = create_customers(scope=scope, items=items, actor=actor, dry_run=dry_run)
    failures = {failure.index: failure.error for failure in creation.failures}
    created = iter(creation.created)
    first_line_of_identity: dict[tuple, int] = {}
    rows = []
    for index, (sheet_row, item) in enumerate(zip(sheet.rows, items, strict=True)):
        if isinstance(item, DomainError):
            rows.append(_invalid_row(sheet_row, item))
            continue
        earlier = first_line_of_identity.setdefault(_identity_key(item), sheet_row.line)
        if (error := failures.get(index)) is not None:
            rows.append(_duplicate_row(sheet_row, item, error, earlier_line=earlier))
            continue
        messages = [ImportMessage(message=note) for note in sheet_row.notes] + _normalised(sheet_row.payload, item)
        rows.append(
            ImportedRow(
                sheet_row.line,
                ImportStatus.WARNING if messages else ImportStatus.VALID,
                messages,
                as_payload(item),
                customer_id=None if dry_run else next(created).pk,
            )
        )
    return ImportReport(
        dry_run=dry_run,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        columns=sheet.columns,
        ignored_columns=sheet.ignored_columns,
        rows=rows,
    )


def _invalid_row(sheet_row: SheetRow, error: DomainError) -> ImportedRow:
    details = error.details or {}
    status = ImportStatus.NIF_INVALID if "nif" in details else ImportStatus.ERROR
    messages = [ImportMessage(field=name, message=str(text)) for name, text in details.items()]
    return ImportedRow(sheet_row.line, status, messages, sheet_row.payload)


def _identity_key(item: Mapping[str, Any]) -> tuple:
    return (
        item.get("nif"),
        item.get("alternative_id_type"),
        item.get("alternative_id_country"),
        item.get("alternative_id_number"),
    )


def _duplicate_row(
    sheet_row: SheetRow, item: Mapping[str, Any], error: DomainError, *, earlier_line: int
) -> ImportedRow:
    """A row whose identity an active customer, or an earlier line of the file (named), already holds."""
    message = (
        f"Line {earlier_line} of the file has the same {'NIF' if item.get('nif') else 'alternative id'}"
        if earlier_line != sheet_row.line
        else error.message
    )
    return ImportedRow(
        sheet_row.line, ImportStatus.DUPLICATE, [ImportMessage(field="nif", message=message)], as_payload(item)
    )


def as_payload(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validated (flat) customer data shaped as POST /customers takes it, the postal fields in `address`."""
    payload: dict[str, Any] = {}
    for column in IMPORT_COLUMNS:
        if column.field in data:
            target = payload.setdefault(column.nested_in, {}) if column.nested_in else payload
            target[column.payload_key] = data[column.field]
    return payload


def _normalised(submitted: Mapping[str, Any], data: Mapping[str, Any]) -> list[ImportMessage]:
    """A value that will be stored otherwise than the file wrote it (a phone in E.164, a NIF without its
    dashes, an email in lower case), so the user sees it before confirming."""
    messages = []
    for column in IMPORT_COLUMNS:
        given = (submitted.get(column.nested_in) or {}) if column.nested_in else submitted
        if column.payload_key in given and column.write(given[column.payload_key]) != column.write(
            data.get(column.field, "")
        ):
            messages.append(
                ImportMessage(field=column.field, message=f"{column.header} stored as {data.get(column.field)!r}")
            )
    return messages
