"""The import's preview as staff review it: each row's status (valid, valid with values only normalised,
valid with warnings, rejected), its messages in the staff's language naming the field, a count per
status, a filter and a sort by status; and the rejected rows, with why, as a CSV to correct and import
again.

The service's report (customers.services.import_customers, the API's) says WARNING both for a row with a
value that will only be stored otherwise (a phone in E.164, a NIF in capitals) and for one with a real
problem (cells ignored, a postal code repaired): the review tells them apart by the messages' `stored`,
so the problems are not buried among normalisations. The API's statuses and words stay as they are."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from beel.errors import ErrorCode
from customers.models import Customer
from customers.services import ImportStatus
from customers.services.reports import IMPORTABLE, ImportedRow, ImportMessage, ImportReport
from customers.spreadsheet import IMPORT_COLUMNS


class ReviewStatus(StrEnum):
    # In the order "sort by status" shows them: what needs reading first.
    REJECTED = "rejected"
    WARNING = "warning"
    NORMALISED = "normalised"
    VALID = "valid"


REVIEW_LABELS = {
    ReviewStatus.VALID: _("Valid"),
    ReviewStatus.NORMALISED: _("Valid, normalised"),
    ReviewStatus.WARNING: _("Valid, with warnings"),
    ReviewStatus.REJECTED: _("Rejected"),
}
REJECTION_LABELS = {
    ImportStatus.ERROR: _("Error"),
    ImportStatus.DUPLICATE: _("Duplicate"),
    ImportStatus.NIF_INVALID: _("Invalid NIF"),
}
SORTS = ("line", "status")
ORDER = {status: position for position, status in enumerate(ReviewStatus)}

# A message's field (its path in the body of POST /customers) -> the column that fills it.
COLUMN_AT = {
    f"{column.nested_in}.{column.payload_key}" if column.nested_in else column.payload_key: column
    for column in IMPORT_COLUMNS
}
WHOLE_ROW = {"", "customer", "non_field_errors"}


@dataclass
class ReviewRow:
    line: int
    status: ReviewStatus
    label: str
    legal_name: str
    nif: str
    problems: list[str] = field(default_factory=list)  # errors and warnings: what staff should read
    normalisations: list[str] = field(default_factory=list)  # how values will be stored: informational


def review_status(row: ImportedRow) -> ReviewStatus:
    if row.status not in IMPORTABLE:
        return ReviewStatus.REJECTED
    if any(not message.normalised for message in row.warnings):
        return ReviewStatus.WARNING
    return ReviewStatus.NORMALISED if row.warnings else ReviewStatus.VALID


def review_rows(report: ImportReport) -> list[ReviewRow]:
    lines = {row.index: row.line for row in report.rows}
    rows = []
    for row in report.rows:
        status = review_status(row)
        label = str(REVIEW_LABELS[status])
        if status == ReviewStatus.REJECTED:
            label = f"{label}: {REJECTION_LABELS[row.status]}"
        customer = row.customer or {}
        rows.append(
            ReviewRow(
                line=row.line,
                status=status,
                label=label,
                legal_name=str(customer.get("legal_name", "")),
                nif=str(customer.get("nif", "")),
                problems=[worded(message, lines) for message in row.messages if not message.normalised],
                normalisations=[worded(message, lines) for message in row.messages if message.normalised],
            )
        )
    return rows


def counts(rows: Iterable[ReviewRow]) -> list[tuple[ReviewStatus, str, int]]:
    """Each status, its label and how many rows have it, in the order "sort by status" shows them."""
    tally = dict.fromkeys(ReviewStatus, 0)
    for row in rows:
        tally[row.status] += 1
    return [(status, str(REVIEW_LABELS[status]), tally[status]) for status in ReviewStatus]


def shown(rows: list[ReviewRow], *, status: str, sort: str) -> list[ReviewRow]:
    """The rows of one status (all for an unknown one), by line or by status (problems first)."""
    if status in ReviewStatus.__members__.values():
        rows = [row for row in rows if row.status == status]
    if sort == "status":
        return sorted(rows, key=lambda row: (ORDER[row.status], row.line))
    return rows


# --- words --------------------------------------------------------------------------------------------------


def field_label(path: str | None) -> str:
    """The field a message is about as the admin names it ("Teléfono"); "" for the whole row."""
    if path is None or path in WHOLE_ROW:
        return ""
    if path == "row":
        return gettext("Row")
    column = COLUMN_AT.get(path)
    name = column.field if column else path.split(".")[0]
    try:
        return capfirst(str(Customer._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return column.header if column else path


def worded(message: ImportMessage, lines: dict[int, int | None]) -> str:
    """'Teléfono: will be stored as +34654321987' in the staff's language; a message the admin has no words
    of its own for is the API's, through the catalogue."""
    params = dict(message.params)
    if message.code == "normalised":
        text = gettext("will be stored as %(stored)s") % {"stored": message.stored}
    elif message.code == "leading_zero_restored":
        text = gettext("will be stored as %(stored)s: the file's %(given)s had lost its leading zero") % {
            "stored": message.stored,
            "given": message.value,
        }
    elif message.code == "cells_ignored":
        text = ngettext(
            "%(count)d cell beyond the header's last column was ignored",
            "%(count)d cells beyond the header's last column were ignored",
            params["count"],
        ) % {"count": params["count"]}
    elif message.code == "same_as_earlier":
        earlier = lines.get(params["earlier"]) or params["earlier"]
        text = gettext("line %(line)d of the file has the same value") % {"line": earlier}
    elif message.code == ErrorCode.CLIENT_DUPLICATE:
        text = gettext("an active customer of the account already has this value")
    else:
        text = gettext(message.message)
    label = field_label(message.field)
    return f"{label}: {text}" if label else capfirst(text)


# --- the rejected rows, to download -----------------------------------------------------------------------


def rejected_rows(report: ImportReport, cells_by_line: dict[int, list[str]]) -> list[dict]:
    """The rows not imported: their cells as the file wrote them and why, worded for the staff."""
    lines = {row.index: row.line for row in report.rows}
    return [
        {
            "line": row.line,
            "cells": cells_by_line.get(row.line, []),
            "reasons": [worded(message, lines) for message in row.messages if not message.normalised],
        }
        for row in report.rows
        if row.status not in IMPORTABLE
    ]


def rejected_csv_rows(header: list[str], rows: list[dict]) -> Iterator[list[str]]:
    """Each rejected row in the file's own columns (padded or cut to the header), then its reasons."""
    for row in rows:
        cells = (row["cells"] + [""] * len(header))[: len(header)]
        yield [*cells, "; ".join(row["reasons"])]
