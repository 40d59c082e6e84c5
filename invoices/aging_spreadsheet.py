"""The aging report as the CSV a Spanish Excel opens as is (customers.spreadsheet's format: `;`, UTF-8 with a
BOM, CRLF, cells guarded against formulas), with amounts in decimal comma ("1234,50") and Spanish headers
whatever the reader's language. Served by the API's export and the admin's download alike."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext, pgettext

from customers import spreadsheet
from invoices.aging import AGING_BUCKETS
from invoices.aging_report import AMOUNT_COLUMNS, streamed_rows

MEDIA_TYPE = spreadsheet.MEDIA_TYPE


def filename(as_of: date) -> str:
    return f"antiguedad-saldos-{as_of:%Y%m%d}.csv"


def header() -> list[str]:
    with translation.override("es"):
        buckets = [str(bucket.label) for bucket in AGING_BUCKETS]
        return [
            pgettext("aging", "Customer ID"),
            gettext("Legal name"),
            "NIF",
            pgettext("aging", "Currency"),
            *buckets,
            pgettext("aging", "Total"),
        ]


def decimal_comma(amount: Decimal) -> str:
    # str() of a NUMERIC(…, 2) sum is already "1234.50" (the fast path: a million cells a second); SQLite's
    # sums may come back as Decimal("1234.5"), which the format completes.
    text = str(amount)
    if len(text) < 4 or text[-3] != ".":
        text = f"{amount:.2f}"
    return text.replace(".", ",")


def csv_lines(rows: QuerySet) -> Iterator[str]:
    """Every row of the report (aging_report.aging_rows, in its order), streamed: the header, then one line
    per customer and currency, spreadsheet.LINES_PER_CHUNK lines to a piece of text. Only the customer's
    name and NIF are free text that could start a formula: an id, a currency code and an amount (never
    negative) cannot, so the other cells skip the guard (a tenth of the export's time)."""
    guard = spreadsheet.guard_formula
    return spreadsheet.guarded_csv_lines(
        [guard(cell) for cell in header()],
        (
            [
                str(row["customer_id"]),
                guard(row["legal_name"] or ""),
                guard(row["nif"] or ""),
                row["currency"],
                *(decimal_comma(row[name]) for name in AMOUNT_COLUMNS),
            ]
            for row in streamed_rows(rows)
        ),
    )
