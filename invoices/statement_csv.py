"""A statement (invoices.statements) as the CSV a Spanish Excel opens as is: customers.spreadsheet's writer
(`;`-separated UTF-8 with a BOM, the cells that hold what people typed guarded against formulas: the
customer's name and NIF, the invoice's number), Spanish headers, amounts with a
decimal comma and two places, dates as YYYY-MM-DD (ISO 8601, as the customers' export writes its dates).
The API's download and the admin's both serve these lines.

One table, one row per line, each naming the customer (so statements of several customers pasted together
still read): per currency, the opening balance, the lines (invoices in `Debe`, payments in `Haber`), the
closing balance with the period's totals, and what is owed as of the end by age (invoices.aging's labels, in
Spanish), each in `Saldo`."""

from collections.abc import Iterator
from decimal import Decimal

from django.utils import translation

from customers import spreadsheet
from invoices.aging import AGING_BUCKETS
from invoices.statements import INVOICE, Statement

HEADER = (
    "Cliente",
    "NIF",
    "Moneda",
    "Fecha",
    "Concepto",
    "Factura",
    "Fecha de emisión",
    "Vencimiento",
    "Debe",
    "Haber",
    "Saldo",
)
CONCEPTS = {INVOICE: "Factura", "payment": "Cobro"}
MEDIA_TYPE = spreadsheet.MEDIA_TYPE


def filename_of(statement: Statement) -> str:
    return f"extracto-{statement.customer.pk}-{statement.start.isoformat()}-{statement.end.isoformat()}.csv"


def amount_cell(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}".replace(".", ",")


def statement_lines(statement: Statement) -> Iterator[str]:
    # Amounts, dates and this module's own words cannot be formulas; guarded, a negative balance (an advance
    # paid before its invoice) would be the text "'-100,00", which Excel neither sums nor shows as a number.
    return spreadsheet.guarded_csv_lines(HEADER, _rows(statement))


def _rows(statement: Statement) -> Iterator[list[str]]:
    guard = spreadsheet.guard_formula
    customer = statement.customer
    start, end = statement.start.isoformat(), statement.end.isoformat()
    with translation.override("es"):
        aging_labels = [(bucket.key, f"Antigüedad: {bucket.label}") for bucket in AGING_BUCKETS]
    for section in statement.sections:
        who = [guard(customer.legal_name), guard(customer.nif or ""), section.currency]
        yield [*who, start, "Saldo inicial", "", "", "", "", "", amount_cell(section.opening_balance)]
        for line in section.lines:
            yield [
                *who,
                line.date.isoformat(),
                CONCEPTS[line.type],
                guard(line.invoice_number),
                line.issue_date.isoformat(),
                line.due_date.isoformat() if line.due_date else "",
                amount_cell(line.debit),
                amount_cell(line.credit),
                amount_cell(line.balance),
            ]
        totals = [amount_cell(section.invoiced), amount_cell(section.paid)]
        yield [*who, end, "Saldo final", "", "", "", *totals, amount_cell(section.closing_balance)]
        for key, label in aging_labels:
            yield [*who, end, label, "", "", "", "", "", amount_cell(section.aging[key])]
