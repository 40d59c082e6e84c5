"""The aging report as the CSV a Spanish Excel opens as is (customers.spreadsheet's writer: `;`, UTF-8 with a
BOM, every cell guarded against formulas), with amounts in decimal comma ("1234,50") and Spanish headers
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
    return f"{amount:.2f}".replace(".", ",")


def csv_lines(rows: QuerySet) -> Iterator[str]:
    """Every row of the report (aging_report.aging_rows, in its order), streamed: the header, then one line
    per customer and currency. Nothing is queried before the first line after the header is asked for."""
    cells = (
        [
            str(row["customer_id"]),
            row["legal_name"] or "",
            row["nif"] or "",
            row["currency"],
            *(decimal_comma(row[name]) for name in AMOUNT_COLUMNS),
        ]
        for row in streamed_rows(rows)
    )
    return spreadsheet.csv_lines(header(), cells)
