"""A customer's statement of account (docs/api.md, "Statements"): what the customer owed at the start of a
period, every invoice issued to it (a debit) and every payment received from it (a credit) in the period in
date order with the running balance, what it owed at the end, and how old that debt is as of the end
(invoices.aging). The one computation behind the API's JSON and CSV and the admin's page.

The accountant's view, as the ledger of the customer's account (cuenta 430) reads:
- Only invoices that were issued and stand count: issued and paid ones. Drafts never appear. A cancelled
  invoice is void ("anulada") and is left out entirely, together with any payment recorded against it: beel
  records no date of cancellation, so a credit on "the day it was cancelled" could not be dated, and a
  statement re-run for a past period would otherwise change with the day it is run on. Its payments were
  received for a document that no longer stands; settling them (a refund) happens outside beel.
- An invoice is a debit of its total on its issue date; a payment a credit of its amount on its payment date
  (the business date, not when it was recorded). On one day, invoices come before payments, so a payment
  made the day its invoice was issued never shows the balance below zero.
- What is owed as of a day counts the payments dated up to that day only: a payment dated after the
  period's end is not in the statement, and its invoice is still unpaid in the aging as of that end.
- Amounts are per currency, never added across currencies: one section per currency with any balance or
  movement in the period, ordered by currency code.

The period: `end` defaults to today (beel.clock.today()), `start` to the first day of `end`'s year; `start`
after `end` is refused, and so is an `end` after today (a statement is of what happened: an aging "as of" a
future day would be a forecast that counts no payment yet to come). Both days are included."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.utils.translation import gettext

from beel.clock import today as clock_today
from beel.errors import ValidationFailed
from beel.tenancy import DataScope
from beel.timestamps import parse_day
from customers.models import Customer
from customers.services import get_customer
from invoices.aging import AGING_BUCKET_KEYS, bucket_of
from invoices.models import Invoice, InvoicePayment, InvoiceStatus

ZERO = Decimal("0.00")
INVOICE, PAYMENT = "invoice", "payment"
# The statuses of an invoice that stands: issued (perhaps partly paid) and paid.
STANDING = (InvoiceStatus.ISSUED, InvoiceStatus.PAID)


# Not frozen, with slots: a statement of thousands of lines builds them several times faster.
@dataclass(slots=True)
class StatementLine:
    """An invoice issued (`type` invoice: a debit) or a payment received (`type` payment: a credit)."""

    type: str
    date: date
    invoice_id: UUID
    invoice_number: str
    issue_date: date
    due_date: date | None
    payment_id: UUID | None
    amount: Decimal
    balance: Decimal

    @property
    def debit(self) -> Decimal | None:
        return self.amount if self.type == INVOICE else None

    @property
    def credit(self) -> Decimal | None:
        return self.amount if self.type == PAYMENT else None


@dataclass
class CurrencySection:
    currency: str
    opening_balance: Decimal = ZERO
    lines: list[StatementLine] = field(default_factory=list)
    invoiced: Decimal = ZERO
    paid: Decimal = ZERO
    closing_balance: Decimal = ZERO
    # Bucket key (invoices.aging) -> what is still owed in it as of the period's end.
    aging: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(AGING_BUCKET_KEYS, ZERO))

    @property
    def has_anything(self) -> bool:
        return bool(self.lines) or self.opening_balance != ZERO or self.closing_balance != ZERO


@dataclass(frozen=True)
class Statement:
    customer: Customer
    start: date
    end: date
    sections: list[CurrencySection]


def statement_period(*, start: str | date | None, end: str | date | None) -> tuple[date, date]:
    """The period asked for, its defaults filled in: `end` today, `start` the first day of `end`'s year.
    Dates as YYYY-MM-DD; a date that does not parse, `start` after `end`, or `end` after today is a
    ValidationFailed (422 VALIDATION_ERROR) naming `from` or `to`, in the active language."""
    errors: dict[str, str] = {}
    start_day, end_day = _day(start, "from", errors), _day(end, "to", errors)
    today = clock_today()
    if end_day is None and "to" not in errors:
        end_day = today
    if end_day is not None and end_day > today:
        errors["to"] = gettext("to must not be later than today (%(today)s).") % {"today": today.isoformat()}
    if start_day is None and end_day is not None and "from" not in errors:
        start_day = end_day.replace(month=1, day=1)
    if not errors and start_day > end_day:
        errors["from"] = gettext("from must not be later than to.")
    if errors:
        raise ValidationFailed(details=errors)
    return start_day, end_day


def _day(value: str | date | None, name: str, errors: dict) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return parse_day(value)
    except ValueError:
        errors[name] = gettext("%(name)s must be a date (YYYY-MM-DD).") % {"name": name}
        return None


def customer_statement(*, scope: DataScope, customer_id: str | UUID, start: date, end: date) -> Statement:
    """The statement of the customer with this id in `scope` (CustomerNotFound otherwise) from `start` to
    `end`, both included (see statement_period for the defaults and the checks)."""
    customer = get_customer(scope=scope, customer_id=customer_id)
    # Not only those issued by `end`: a payment may be dated before its invoice (an advance), and it is a
    # movement of its own day, so every period shows it once and the next one opens where this one closed.
    invoices = Invoice.objects.within(scope).filter(customer=customer, status__in=STANDING, number__isnull=False)
    # The few columns the statement reads, not models: a customer with thousands of invoices is read in two
    # queries (its invoices, then their payments up to `end`) on invoice_customer_status_idx and the
    # payments' invoice index.
    rows = list(
        invoices.order_by("issue_date", "series", "number").values_list(
            "id", "series", "number", "issue_date", "due_date", "currency", "total"
        )
    )
    payments = list(
        InvoicePayment.objects.filter(invoice__in=invoices.values("id"), payment_date__lte=end)
        .order_by("payment_date", "created_at", "id")
        .values_list("id", "invoice_id", "payment_date", "amount")
    )
    return Statement(customer=customer, start=start, end=end, sections=_sections(rows, payments, start, end))


def full_number(series: str, number: int) -> str:
    """Invoice.full_number, from the two columns."""
    return f"{series}-{number:06d}"


def _sections(rows: list[tuple], payments: list[tuple], start: date, end: date) -> list[CurrencySection]:
    sections: dict[str, CurrencySection] = {}
    by_id: dict[UUID, tuple] = {}
    # (day, invoices before payments, position in its query's order, the line's parts before its balance).
    movements: dict[str, list[tuple]] = defaultdict(list)
    for position, row in enumerate(rows):
        invoice_id, series, number, issue_date, due_date, currency, total = row
        by_id[invoice_id] = row
        if issue_date > end:
            continue  # only its payments dated by `end` can show
        section = sections.setdefault(currency, CurrencySection(currency))
        if issue_date < start:
            section.opening_balance += total
        else:
            line = (INVOICE, issue_date, invoice_id, full_number(series, number), issue_date, due_date, None, total)
            movements[currency].append((issue_date, 0, position, line))
    paid_by_invoice: dict[UUID, Decimal] = defaultdict(lambda: ZERO)
    for position, (payment_id, invoice_id, payment_date, amount) in enumerate(payments):
        _, series, number, issue_date, due_date, currency, _ = by_id[invoice_id]
        paid_by_invoice[invoice_id] += amount
        section = sections.setdefault(currency, CurrencySection(currency))
        if payment_date < start:
            section.opening_balance -= amount
        else:
            number_text = full_number(series, number)
            line = (PAYMENT, payment_date, invoice_id, number_text, issue_date, due_date, payment_id, amount)
            movements[currency].append((payment_date, 1, position, line))
    for currency, section in sections.items():
        balance = section.opening_balance
        # Sorted by (day, rank, position): the positions are unique, so the lines' parts are never compared.
        for *_, parts in sorted(movements[currency]):
            kind, amount = parts[0], parts[-1]
            if kind == INVOICE:
                balance += amount
                section.invoiced += amount
            else:
                balance -= amount
                section.paid += amount
            section.lines.append(StatementLine(*parts, balance=balance))
        section.closing_balance = balance
    for invoice_id, _, _, issue_date, due_date, currency, total in rows:
        unpaid = total - paid_by_invoice[invoice_id]
        if unpaid > ZERO and issue_date <= end:
            sections[currency].aging[bucket_of(due_date, end).key] += unpaid
    return [sections[currency] for currency in sorted(sections) if sections[currency].has_anything]
