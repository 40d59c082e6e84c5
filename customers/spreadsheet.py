"""Customers as CSV, the way Spanish spreadsheets hold them: one table of columns that the import template,
the import itself, the API export and the admin export all read. A new customer field becomes importable
and exported by adding one `Column` line to COLUMNS.

Reading accepts what Excel, LibreOffice and accounting programs in Spain write: Spanish or English headers
(any case, with or without accents), `;` or `,` between cells, UTF-8 with or without a BOM, or Windows-1252.
Writing produces what a Spanish Excel opens as is: `;`-separated UTF-8 with a BOM."""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from beel.timestamps import format_utc
from customers.errors import CsvTooManyRows, CsvUnreadable
from customers.validators import fold

MAX_IMPORT_ROWS = 1000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
DELIMITER = ";"
BOM = "\ufeff"
EXPORT_CHUNK_ROWS = 2000
# What csv_lines writes, for whoever serves it (the API's views, the admin): the HTTP layer is theirs.
MEDIA_TYPE = "text/csv; charset=utf-8"
LINES_PER_CHUNK = 500
# OWASP's "CSV injection": a cell starting with one of these is run as a formula by Excel and LibreOffice.
# Exported cells that start with one get a leading apostrophe; the import takes it off again, so an export
# re-imports unchanged (phones in E.164 start with '+').
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _text(cell: str) -> str:
    return cell


def _as_cell(value: Any) -> str:
    return "" if value is None else str(value)


def _moment(value) -> str:
    return format_utc(value) or ""


def _yes_no(value: bool) -> str:
    return "sí" if value else "no"


def _email_list(cell: str) -> list[str]:
    return [email for email in re.split(r"[\s,;]+", cell) if email]


def _email_cell(value) -> str:
    return "\n".join(value or [])


def _decimal_comma(cell: str) -> Decimal | str:
    # Spanish spreadsheets write 12,5; the record takes a number. A cell that is not one goes on as text, for
    # the write rules to refuse with their message.
    try:
        return Decimal(cell.replace(",", "."))
    except ArithmeticError:
        return cell


def _decimal_comma_cell(value) -> str:
    return "" if value in (None, "") else f"{Decimal(str(value)):.2f}".replace(".", ",")


def _whole_number(cell: str) -> int | str:
    # A cell that is not a whole number goes on as text, for the write rules to refuse with their message.
    return int(cell) if cell.isdigit() else cell


def _json_object(cell: str) -> Any:
    try:
        return json.loads(cell)
    except ValueError:
        return cell  # refused by the metadata rules, with their message


def _json_cell(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _id_type(cell: str) -> str:
    return cell.zfill(2) if cell.isdigit() else cell  # Excel drops the leading zero of 02


@dataclass(frozen=True)
class Column:
    """One column: its header as the template shows it (Spanish), the other headers accepted for it, the
    model field (or lookup) it holds, where it goes in the write payload (`address` for the postal fields,
    as POST /customers takes them), and how a cell is read and a stored value written. A column without
    `read` is exported only (the import recognises and ignores its header). `key` is its name in the
    payload when that differs from the model field (`alternative_id.type` is `alternative_id_type`)."""

    header: str
    field: str
    aliases: tuple[str, ...] = ()
    nested_in: str | None = None
    required: bool = False
    read: Callable[[str], Any] | None = _text
    write: Callable[[Any], str] = _as_cell
    key: str = ""

    @property
    def payload_key(self) -> str:
        return self.key or self.field

    def names(self) -> set[str]:
        return {header_key(name) for name in (self.header, self.field, *self.aliases)}


COLUMNS: tuple[Column, ...] = (
    Column("Razón social", "legal_name", ("nombre", "nombre fiscal", "cliente", "legal name", "name", "company name"), required=True),  # noqa: E501
    # Not required: a customer abroad has an alternative id instead (the write rules ask for one of them).
    Column("NIF", "nif", ("cif", "nif/cif", "cif/nif", "dni", "nie", "tax id")),
    Column("Email", "email", ("correo", "correo electrónico", "e-mail", "mail")),
    Column("Teléfono", "phone", ("tel", "tlf", "teléfono móvil", "móvil", "phone", "telephone", "mobile")),
    Column("Dirección", "street", ("calle", "domicilio", "street", "address"), nested_in="address"),
    Column("Número", "number", ("nº", "n.º", "num", "number", "street number"), nested_in="address"),
    Column("Piso", "floor", ("planta", "floor"), nested_in="address"),
    Column("Puerta", "door", ("door",), nested_in="address"),
    Column("Código postal", "postal_code", ("cp", "c.p.", "postal code", "zip", "zip code", "postcode"), nested_in="address"),  # noqa: E501
    Column("Ciudad", "city", ("localidad", "población", "municipio", "city", "town"), nested_in="address"),
    Column("Provincia", "province", ("province", "state", "region"), nested_in="address"),
    Column("País", "country", ("country",), nested_in="address"),
    Column("Código de país", "country_code", ("cod. país", "country code", "iso país"), nested_in="address"),
    Column("Nombre comercial", "trade_name", ("trade name", "nombre comercial", "marca")),
    Column("Tipo de identificación", "alternative_id_type", ("tipo id", "id type", "alternative id type"), nested_in="alternative_id", key="type", read=_id_type),  # noqa: E501
    Column("Número de identificación", "alternative_id_number", ("nif-iva", "vat number", "número id", "id number", "alternative id number"), nested_in="alternative_id", key="number"),  # noqa: E501
    Column("País de identificación", "alternative_id_country", ("país id", "id country", "alternative id country"), nested_in="alternative_id", key="country_code"),  # noqa: E501
    Column("Emails de facturación", "billing_emails", ("billing emails", "emails facturación", "email facturación"), read=_email_list, write=_email_cell),  # noqa: E501
    Column("Persona de contacto", "contact_person", ("contacto", "contact", "contact person")),
    Column("Web", "website", ("página web", "sitio web", "web", "url")),
    Column("Notas", "notes", ("observaciones", "notes", "comentarios")),
    Column("Descuento general", "general_discount", ("descuento", "dto.", "% descuento", "discount", "general discount"), read=_decimal_comma, write=_decimal_comma_cell),  # noqa: E501
    Column("Forma de pago", "payment_method", ("método de pago", "payment method"), nested_in="preferred_payment_method", key="method"),  # noqa: E501
    Column("IBAN", "iban", ("cuenta bancaria", "bank account"), nested_in="preferred_payment_method"),
    Column("BIC", "swift", ("swift", "bic/swift", "swift/bic"), nested_in="preferred_payment_method"),
    Column("Días de pago", "payment_term_days", ("plazo de pago", "vencimiento (días)", "payment term days", "payment terms"), nested_in="preferred_payment_method", read=_whole_number),  # noqa: E501
    Column("Metadatos", "metadata", ("metadata",), read=_json_object, write=_json_cell),
    # Exported only: the import ignores them (an export re-imports as new customers).
    Column("Activo", "active", ("active",), read=None, write=_yes_no),
    Column("Fecha de alta", "created_at", ("created at", "created"), read=None, write=_moment),
    Column("Fecha de baja", "deactivated_at", ("deactivated at", "deactivated"), read=None, write=_moment),
    Column("ID", "id", ("id",), read=None),
)  # fmt: skip
IMPORT_COLUMNS = tuple(column for column in COLUMNS if column.read is not None)


def header_key(header: str) -> str:
    """How headers are compared: without case, accents, surrounding spaces or a trailing '*' or ':'."""
    return fold(header).strip(" *:")


_BY_HEADER = {name: column for column in COLUMNS for name in column.names()}


# --- writing -----------------------------------------------------------------------------------------------


def guard_formula(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """The header (after the BOM, on its own) and then the rows, `;`-separated, every cell guarded against
    formulas; lazily, LINES_PER_CHUNK lines to a piece of text, so a stream of any length takes the memory
    of one piece (one piece per row would cost the response machinery more than the rows themselves)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([guard_formula(cell) for cell in header])
    yield BOM + _drain(buffer)
    pending = 0
    for row in rows:
        writer.writerow([guard_formula(cell) for cell in row])
        pending += 1
        if pending == LINES_PER_CHUNK:
            yield _drain(buffer)
            pending = 0
    if pending:
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def template_lines() -> Iterator[str]:
    """The import template: the headers the import expects, and no rows."""
    return csv_lines([column.header for column in IMPORT_COLUMNS], [])


def export_lines(customers: QuerySet, *, leading: Iterable[Column] = ()) -> Iterator[str]:
    """Every customer of the (filtered, ordered) queryset, one line each, in the template's columns followed
    by the exported-only ones. Read through the database cursor EXPORT_CHUNK_ROWS rows at a time (a
    server-side cursor on PostgreSQL), so a million customers take the memory of one chunk; nothing is
    queried before the first line after the header is asked for."""
    columns = (*leading, *COLUMNS)
    writers = [column.write for column in columns]
    rows = _streamed(customers.values_list(*(column.field for column in columns)))
    return csv_lines(
        [column.header for column in columns],
        ([write(value) for write, value in zip(writers, row, strict=True)] for row in rows),
    )


def _streamed(rows: QuerySet) -> Iterator[tuple]:
    # In a transaction: outside one, Django declares PostgreSQL's server-side cursor WITH HOLD, which the
    # server materialises whole (a million rows) before the first one comes back. A client that goes away
    # closes the generator, which rolls the (read-only) transaction back.
    with transaction.atomic(using=rows.db):
        yield from rows.iterator(chunk_size=EXPORT_CHUNK_ROWS)


# --- reading -----------------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    """One data row: its line in the file (the first line is 1, the header), the payload of POST /customers
    read from its cells (empty cells left out, so defaults apply), and what the reader noticed."""

    line: int
    payload: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class CustomerSheet:
    encoding: str
    delimiter: str
    columns: dict[str, str]  # header in the file -> field
    ignored_columns: list[str]
    rows: list[SheetRow]


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
    outside_quotes = header_line.split('"')[::2]
    semicolons = sum(part.count(";") for part in outside_quotes)
    commas = sum(part.count(",") for part in outside_quotes)
    return "," if commas > semicolons else ";"


def read_sheet(content: bytes) -> CustomerSheet:
    """The rows of an uploaded CSV, each as the payload POST /customers would take. Refuses (CsvUnreadable)
    a file that is not CSV text, has no header, lacks a required column or names a column twice, and
    (CsvTooManyRows) one with more than MAX_IMPORT_ROWS data rows. Blank lines are skipped."""
    text, encoding = decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        raise CsvUnreadable("The file is empty: it needs a header line naming the columns")
    delimiter = detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header, columns, ignored = _read_header(reader)
        rows = _read_rows(reader, columns, width=len(header))
    except csv.Error as error:
        raise CsvUnreadable(f"The file is not valid CSV at line {reader.line_num}: {error}") from None
    return CustomerSheet(
        encoding=encoding,
        delimiter=delimiter,
        columns={header[index]: column.field for index, column in columns.items()},
        ignored_columns=ignored,
        rows=rows,
    )


def _read_header(reader) -> tuple[list[str], dict[int, Column], list[str]]:
    header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    if header is None:
        raise CsvUnreadable("The file is empty: it needs a header line naming the columns")
    header = [cell.strip() for cell in header]
    columns: dict[int, Column] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for index, name in enumerate(header):
        column = _BY_HEADER.get(header_key(name))
        if column is None or column.read is None:
            if column is None and name:
                ignored.append(name)  # the export's own columns are expected, and not worth a mention
            continue
        if column.field in seen:
            raise CsvUnreadable(f"The columns {seen[column.field]!r} and {name!r} both hold {column.header!r}")
        seen[column.field] = name
        columns[index] = column
    missing = [column.header for column in IMPORT_COLUMNS if column.required and column.field not in seen]
    if missing:
        expected = ", ".join(repr(column.header) for column in IMPORT_COLUMNS)
        raise CsvUnreadable(
            f"The header line lacks the column(s) {', '.join(map(repr, missing))}; the import reads {expected} "
            "(GET /customers/csv-template gives them)"
        )
    return header, columns, ignored


def _read_rows(reader, columns: dict[int, Column], *, width: int) -> list[SheetRow]:
    rows: list[SheetRow] = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_IMPORT_ROWS:
            raise CsvTooManyRows(
                f"The file has more than {MAX_IMPORT_ROWS} customers; split it into files of at most "
                f"{MAX_IMPORT_ROWS} rows",
                details={"file": f"At most {MAX_IMPORT_ROWS} data rows."},
            )
        row = SheetRow(line=start, payload={})
        for index, column in columns.items():
            cell = _unguard(cells[index].strip()) if index < len(cells) else ""
            if cell:
                target = row.payload.setdefault(column.nested_in, {}) if column.nested_in else row.payload
                target[column.payload_key] = column.read(cell)
        if extra := [cell for cell in cells[width:] if cell.strip()]:
            row.notes.append(f"{len(extra)} cell(s) beyond the last column of the header were ignored")
        rows.append(row)
    return rows


def _unguard(cell: str) -> str:
    """Takes off the apostrophe that the export puts before a formula-like cell."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS) else cell
