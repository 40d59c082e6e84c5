"""Customers as CSV, the way Spanish spreadsheets hold them: one table of columns that the import template,
the import itself, the API export and the admin export all read. A new customer field becomes importable
and exported by adding one `Column` line to COLUMNS. Reading a file is customers.spreadsheet.reading's.

Reading accepts what Excel, LibreOffice and accounting programs in Spain write: Spanish or English headers
(any case, with or without accents), `;` or `,` between cells, UTF-8 with or without a BOM, or Windows-1252.
Writing produces what a Spanish Excel opens as is: `;`-separated UTF-8 with a BOM."""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, transaction
from django.db.models import QuerySet

from beel.timestamps import format_utc
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
    # Spanish spreadsheets write 12,5; the API takes a JSON number. A cell that is no number goes on as
    # text, for the write rules to refuse with their message.
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


# The words Spanish spreadsheets (and accounting programs) write for a payment method, folded, and BeeL's
# PaymentMethod each stands for. Any other cell (BeeL's names themselves) goes on as written, for the record
# rules to judge.
PAYMENT_WORDS = {
    # beel's values before BeeL's names, as its older exports wrote them.
    "transfer": "BANK_TRANSFER",
    "direct_debit": "DIRECT_DEBIT",
    "card": "CARD",
    "cash": "CASH",
    "other": "OTHER",
    "transferencia": "BANK_TRANSFER",
    "transferencia bancaria": "BANK_TRANSFER",
    "bank transfer": "BANK_TRANSFER",
    "domiciliacion": "DIRECT_DEBIT",
    "domiciliacion bancaria": "DIRECT_DEBIT",
    "recibo domiciliado": "DIRECT_DEBIT",
    "adeudo directo": "DIRECT_DEBIT",
    "direct debit": "DIRECT_DEBIT",
    "efectivo": "CASH",
    "metalico": "CASH",
    "contado": "CASH",
    "tarjeta": "CARD",
    "tarjeta de credito": "CARD",
    "tarjeta de debito": "CARD",
    "bizum": "BIZUM",
    "cheque": "CHECK",
    "talon": "CHECK",
    "pagare": "CHECK",
    "ninguno": "NONE",
    "ninguna": "NONE",
    "sin forma de pago": "NONE",
    "otro": "OTHER",
    "otra": "OTHER",
    "otros": "OTHER",
}


def _payment_method(cell: str) -> str:
    return PAYMENT_WORDS.get(fold(cell).strip(), cell)


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
    Column("Razón social", "legal_name", ("nombre_fiscal", "nombre", "nombre fiscal", "cliente", "legal name", "name", "company name"), required=True),  # noqa: E501
    # Not required: a customer abroad has an alternative id instead (the write rules ask for one of them).
    Column("NIF", "nif", ("cif", "nif/cif", "cif/nif", "dni", "nie", "tax id")),
    Column("Email", "email", ("correo", "correo electrónico", "e-mail", "mail")),
    Column("Teléfono", "phone", ("tel", "tlf", "teléfono móvil", "móvil", "phone", "telephone", "mobile")),
    Column("Dirección", "street", ("direccion_calle", "address_street", "calle", "domicilio", "street", "address"), nested_in="address"),  # noqa: E501
    Column("Número", "number", ("direccion_numero", "address_number", "nº", "n.º", "num", "number", "street number"), nested_in="address"),  # noqa: E501
    Column("Piso", "floor", ("planta", "floor"), nested_in="address"),
    Column("Puerta", "door", ("door",), nested_in="address"),
    Column("Código postal", "postal_code", ("direccion_codigo_postal", "address_postal_code", "cp", "c.p.", "postal code", "zip", "zip code", "postcode"), nested_in="address"),  # noqa: E501
    Column("Ciudad", "city", ("direccion_poblacion", "address_city", "localidad", "población", "municipio", "city", "town"), nested_in="address"),  # noqa: E501
    Column("Provincia", "province", ("direccion_provincia", "address_province", "province", "state", "region"), nested_in="address"),  # noqa: E501
    Column("País", "country", ("country",), nested_in="address"),
    Column("Código de país", "country_code", ("cod. país", "country code", "iso país"), nested_in="address"),
    Column("Nombre comercial", "trade_name", ("trade name", "nombre comercial", "marca")),
    Column("Tipo de identificación", "alternative_id_type", ("tipo id", "id type", "alternative id type"), nested_in="alternative_id", key="type", read=_id_type),  # noqa: E501
    Column("Número de identificación", "alternative_id_number", ("nif-iva", "vat number", "número id", "id number", "alternative id number"), nested_in="alternative_id", key="number"),  # noqa: E501
    Column("País de identificación", "alternative_id_country", ("país id", "id country", "alternative id country"), nested_in="alternative_id", key="country_code"),  # noqa: E501
    Column("Emails de facturación", "billing_emails", ("billing emails", "emails facturación", "email facturación"), read=_email_list, write=_email_cell),  # noqa: E501
    Column("Persona de contacto", "contact_person", ("contacto", "contact", "contact person")),
    Column("Web", "website", ("web", "página web", "sitio web", "url")),
    Column("Notas", "notes", ("observaciones", "notes", "comentarios")),
    Column("Descuento general", "general_discount", ("descuento", "dto.", "% descuento", "discount", "general discount"), read=_decimal_comma, write=_decimal_comma_cell),  # noqa: E501
    Column("Forma de pago", "payment_method", ("método de pago", "payment method"), nested_in="preferred_payment_method", key="method", read=_payment_method),  # noqa: E501
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


BY_HEADER = {name: column for column in COLUMNS for name in column.names()}
SPAIN_NAMES = {"es", "espana", "spain", "espanya"}


# --- writing -----------------------------------------------------------------------------------------------


def guard_formula(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """The header (after the BOM, on its own) and then the rows, `;`-separated, every cell guarded against
    formulas; lazily, as `guarded_csv_lines`."""
    return guarded_csv_lines(
        [guard_formula(cell) for cell in header], ([guard_formula(cell) for cell in row] for row in rows)
    )


def guarded_csv_lines(header: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """As `csv_lines`, for cells the caller has already guarded against formulas (a writer that knows which of
    its cells are free text skips the guard on the others). Lazily, LINES_PER_CHUNK lines to a piece of text,
    so a stream of any length takes the memory of one piece (one piece per row would cost the response
    machinery more than the rows themselves)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + _drain(buffer)
    pending = 0
    for row in rows:
        writer.writerow(row)
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


# BeeL's import template, byte for byte what BeeL serves (POST /customers/templates/csv): its header and
# example rows, each importable as is. The import reads these headers, their English names and beel's own.
TEMPLATE_FILENAME = "template_clientes_beel.csv"
TEMPLATE_HEADER = (
    "nombre_fiscal",
    "nif",
    "email",
    "telefono",
    "direccion_calle",
    "direccion_numero",
    "direccion_codigo_postal",
    "direccion_poblacion",
    "direccion_provincia",
)
TEMPLATE_ROWS = (
    ("Empresa Ejemplo SL", "B12345674", "contacto@empresaejemplo.es", "912345678", "Calle Mayor", "15", "28013", "Madrid", "Madrid"),  # noqa: E501
    ("María García López", "12345678Z", "maria.garcia@example.com", "654321987", "Avenida de la Constitución", "3", "41001", "Sevilla", "Sevilla"),  # noqa: E501
    ("Construcciones Levante SA", "A58818501", "admin@construccioneslevante.es", "963123456", "Calle de Colón", "22", "46004", "Valencia", "Valencia"),  # noqa: E501
    ("Jan Kowalski", "X1234567L", "jan.kowalski@example.com", "611223344", "Carrer de Balmes", "101", "08008", "Barcelona", "Barcelona"),  # noqa: E501
)  # fmt: skip
TEMPLATE_NAMES = {BY_HEADER[header_key(name)].field: name for name in TEMPLATE_HEADER}


def template_lines() -> Iterator[str]:
    """BeeL's import template: its header and example rows."""
    return csv_lines(TEMPLATE_HEADER, TEMPLATE_ROWS)


def export_lines(customers: QuerySet, *, leading: Iterable[Column] = ()) -> Iterator[str]:
    """Every customer of the (filtered, ordered) queryset, one line each, in the template's columns followed
    by the exported-only ones: on PostgreSQL by COPY (customers.spreadsheet.copy), elsewhere by
    `reference_export_lines`, byte for byte the same text."""
    from customers.spreadsheet import copy

    columns = (*leading, *COLUMNS)
    if copy.supports(customers, columns):
        return copy.export_lines(customers, columns)
    return reference_export_lines(customers, leading=leading)


def reference_export_lines(customers: QuerySet, *, leading: Iterable[Column] = ()) -> Iterator[str]:
    """The export written in Python, cell by cell, by the columns' writers and csv.writer: SQLite's, and what
    the fast path is held to (tests, bench/csv_bench.py). Read through the database cursor EXPORT_CHUNK_ROWS
    rows at a time (a server-side cursor on PostgreSQL), so a million customers take the memory of one chunk;
    nothing is queried before the first line after the header is asked for."""
    columns = (*leading, *COLUMNS)
    writers = [column.write for column in columns]
    rows = _streamed(customers.values_list(*(column.field for column in columns)))
    return csv_lines(
        [column.header for column in columns],
        ([write(value) for write, value in zip(writers, row, strict=True)] for row in rows),
    )


def counted_export_lines(
    customers: QuerySet, *, at_most: int | None = None, leading: Iterable[Column] = ()
) -> tuple[int, Iterator[str]]:
    """How many customers the export writes, and its lines (those of `export_lines`, byte for byte), read in
    one snapshot: the count and the rows are the same customers, whatever is written meanwhile, so a client
    that received fewer rows than announced knows its copy was cut. With `at_most`, counting stops past it
    (the lines, not yet read, are then usually not wanted: closing them ends the transaction)."""
    lines = _counted_then_streamed(customers, at_most, leading)
    return next(lines), lines


def _counted_then_streamed(customers: QuerySet, at_most: int | None, leading: Iterable[Column]) -> Iterator:
    connection = connections[customers.db]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=customers.db):
        if outermost and connection.vendor == "postgresql":
            # READ COMMITTED would take a new snapshot per statement (and per fetch of the cursor).
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield (customers if at_most is None else customers[: at_most + 1]).count()
        yield from export_lines(customers, leading=leading)


def _streamed(rows: QuerySet) -> Iterator[tuple]:
    # In a transaction: outside one, Django declares PostgreSQL's server-side cursor WITH HOLD, which the
    # server materialises whole (a million rows) before the first one comes back. A client that goes away
    # closes the generator, which rolls the (read-only) transaction back.
    with transaction.atomic(using=rows.db):
        yield from rows.iterator(chunk_size=EXPORT_CHUNK_ROWS)
