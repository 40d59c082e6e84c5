"""Reading an uploaded CSV of customers into the payloads POST /customers takes, one per data row: what
Excel, LibreOffice and accounting programs in Spain write (see customers.spreadsheet for the columns)."""

import csv
import io
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext

from customers.errors import CsvMissingHeaders, CsvTooManyColumns, CsvTooManyRows, CsvUnreadable
from customers.spreadsheet import (
    BY_HEADER,
    FORMULA_TRIGGERS,
    IMPORT_COLUMNS,
    MAX_IMPORT_ROWS,
    SPAIN_NAMES,
    TEMPLATE_NAMES,
    Column,
    header_key,
)
from customers.validators import fold

# Cells in one line, at most: Excel's own column limit until 2003, eight times the 31 columns an export
# writes, for a file's own extra columns. The time to read a file grows with its cells, and a header of
# 5 MB of `;` (5 million empty columns) kept a worker busy past its timeout: such a file is refused from
# its first line, before the CSV is parsed.
MAX_IMPORT_COLUMNS = 256


class Note(NamedTuple):
    """What the reader noticed in a row: the field it is about, the API's (English) words for it, and the
    same as a code and its values for a screen that words it in the staff's language. `stored` when the
    note only tells how a cell will be stored (`given` as the file wrote it)."""

    field: str
    message: str
    code: str
    params: tuple[tuple[str, Any], ...] = ()
    given: str | None = None
    stored: str | None = None


@dataclass
class SheetRow:
    """One data row: its line in the file (the first line is 1, the header), the payload of POST /customers
    read from its cells (empty cells left out, so defaults apply), what the reader noticed, and the cells
    as the file wrote them (for the admin's download of the rows not imported)."""

    line: int
    payload: dict[str, Any]
    notes: list[Note] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)


@dataclass
class CustomerSheet:
    encoding: str
    delimiter: str
    columns: dict[str, str]  # header in the file -> field
    ignored_columns: list[str]
    rows: list[SheetRow]
    header: list[str] = field(default_factory=list)  # as the file wrote it


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (a BOM is dropped), else Windows-1252, which is what Excel
    on Windows saves as "CSV" in Spain. Bytes that are valid UTF-8 are almost never meant as Windows-1252
    (accented letters would have to come in exact UTF-8 pairs), so trying UTF-8 first is safe."""
    if b"\x00" in content:
        raise CsvUnreadable("The file is not a CSV text file (it holds binary data)")
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise CsvUnreadable("The file is neither UTF-8 nor Windows-1252 text") from None


def detect_delimiter(header_line: str) -> str:
    """`;` or `,`, whichever separates more cells of the header line (quoted text not counted); `;` on a
    tie. csv.Sniffer is not used: it guesses from the frequency of characters over the whole sample, so
    commas inside addresses ("Calle Mayor, 5") or decimal commas make it pick the wrong one, and it raises
    on a one-column file. The header line holds our own column names, which contain neither."""
    return "," if _separators(header_line, ",") > _separators(header_line, ";") else ";"


def _separators(line: str, delimiter: str) -> int:
    return sum(part.count(delimiter) for part in line.split('"')[::2])  # quoted text not counted


def read_sheet(content: bytes) -> CustomerSheet:
    """The rows of an uploaded CSV, each as the payload POST /customers would take. Refuses (CsvUnreadable)
    a file that is not CSV text, has no header, lacks a required column or names a column twice,
    (CsvTooManyRows) one with more than MAX_IMPORT_ROWS data rows and (CsvTooManyColumns) one with a line of
    more than MAX_IMPORT_COLUMNS cells. Blank lines are skipped."""
    text, encoding = decode(content)
    header_line, first_line = next(
        ((number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()), (0, "")
    )
    if not first_line:
        raise CsvUnreadable("The file is empty: it needs a header line naming the columns")
    delimiter = detect_delimiter(first_line)
    _refuse_too_many_cells(1 + _separators(first_line, delimiter), line=header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header, columns, ignored = _read_header(reader)
        rows = _read_rows(reader, columns, width=len(header))
    except csv.Error as error:
        raise CsvUnreadable(
            gettext("The file is not valid CSV at line %(line)d: %(error)s") % {"line": reader.line_num, "error": error}
        ) from None
    return CustomerSheet(
        encoding=encoding,
        delimiter=delimiter,
        columns={header[index]: column.field for index, column in columns.items()},
        ignored_columns=ignored,
        rows=rows,
        header=header,
    )


def _read_header(reader) -> tuple[list[str], dict[int, Column], list[str]]:
    header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    if header is None:
        raise CsvUnreadable("The file is empty: it needs a header line naming the columns")
    _refuse_too_many_cells(len(header), line=reader.line_num)
    header = [cell.strip() for cell in header]
    columns: dict[int, Column] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for index, name in enumerate(header):
        column = BY_HEADER.get(header_key(name))
        if column is None or column.read is None:
            if column is None and name:
                ignored.append(name)  # the export's own columns are expected, and not worth a mention
            continue
        if column.field in seen:
            raise CsvUnreadable(
                gettext("The columns %(first)r and %(second)r both hold %(column)r")
                % {"first": seen[column.field], "second": name, "column": column.header}
            )
        seen[column.field] = name
        columns[index] = column
    missing = [column for column in IMPORT_COLUMNS if column.required and column.field not in seen]
    if missing:
        # Named as BeeL's template names them (nombre_fiscal), and as beel's spreadsheets do.
        names = [TEMPLATE_NAMES.get(column.field, column.field) for column in missing]
        raise CsvMissingHeaders(
            gettext(
                "The header line lacks the column(s) %(names)s (%(headers)s); "
                "POST /customers/templates/csv gives the template"
            )
            % {"names": ", ".join(names), "headers": ", ".join(column.header for column in missing)},
            details={"missing_headers": names, "found_headers": [name for name in header if name]},
        )
    return header, columns, ignored


def _read_rows(reader, columns: dict[int, Column], *, width: int) -> list[SheetRow]:
    rows: list[SheetRow] = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        _refuse_too_many_cells(len(cells), line=start)
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_IMPORT_ROWS:
            count = MAX_IMPORT_ROWS + 1 + sum(1 for cells in reader if any(cell.strip() for cell in cells))
            raise CsvTooManyRows(
                gettext("The file has %(count)d customers, more than the %(max)d one import takes; split it")
                % {"count": count, "max": MAX_IMPORT_ROWS},
                details={"record_count": count, "max_records": MAX_IMPORT_ROWS},
            )
        row = SheetRow(line=start, payload={}, cells=cells)
        for index, column in columns.items():
            cell = _unguard(cells[index].strip()) if index < len(cells) else ""
            if cell:
                target = row.payload.setdefault(column.nested_in, {}) if column.nested_in else row.payload
                target[column.payload_key] = column.read(cell)
        if extra := [cell for cell in cells[width:] if cell.strip()]:
            ignored = gettext("%(n)d cell(s) beyond the last column of the header were ignored") % {"n": len(extra)}
            row.notes.append(Note("row", ignored, "cells_ignored", (("count", len(extra)),)))
        _restore_postal_code(row)
        rows.append(row)
    return rows


def _refuse_too_many_cells(count: int, *, line: int) -> None:
    if count > MAX_IMPORT_COLUMNS:
        raise CsvTooManyColumns(
            f"Line {line} of the file has {count} cells, more than the {MAX_IMPORT_COLUMNS} an import reads; "
            "remove the empty columns at the end of its lines",
            details={"line": line, "column_count": count, "max_columns": MAX_IMPORT_COLUMNS},
        )


def _restore_postal_code(row: SheetRow) -> None:
    """A Spanish postal code of 4 digits lost its leading zero to a spreadsheet that took it for a number
    (08008, Barcelona, becomes 8008): given back, with a warning."""
    address = row.payload.get("address") or {}
    code, country = address.get("postal_code", ""), address.get("country_code") or address.get("country")
    if len(code) == 4 and code.isdigit() and (country is None or fold(country).strip() in SPAIN_NAMES):
        address["postal_code"] = "0" + code
        read = gettext("Postal code %(code)s read as 0%(code)s (its leading zero was lost)") % {"code": code}
        row.notes.append(Note("address.postal_code", read, "leading_zero_restored", given=code, stored="0" + code))


def _unguard(cell: str) -> str:
    """Takes off the apostrophe that the export puts before a formula-like cell."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS) else cell
