"""The aging report across customers (docs/api.md, Receivables, "Aging across customers"): what each customer
owes as of a day, by aging bucket (invoices.aging), one row per customer and currency. One selector for the
API's page and CSV, and the admin's report page; nothing here knows HTTP.

Exactness as of a past day: an invoice counts when it was issued on or before `as_of` (its issue date) and
is neither a draft nor cancelled now; what it owed then is its total less the payments dated on or before
`as_of` (`total - amount_paid` plus the payments dated after it). A cancellation records no date, so a
cancelled invoice is out of every report, past days' included. As of today no payment can be dated later
(invoices.payments refuses it), so today's report reads `total - amount_paid` of the issued invoices only,
off the partial index invoice_unpaid_aging_idx (invoices 0016) without touching the payments."""

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from beel.clock import today as clock_today
from beel.errors import ValidationFailed
from beel.tenancy import DataScope
from customers.models import Customer
from invoices.aging import AGING_BUCKET_KEYS, AGING_BUCKETS
from invoices.models import Invoice, InvoicePayment, InvoiceStatus

# Sums of NUMERIC(12, 2) amounts: two places, room for many invoices.
MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
# `total` is the row's sum of every bucket (named `total_due` in the query: `total` is an invoice's column).
SORT_FIELDS: tuple[str, ...] = ("total", "legal_name", "nif", "currency", *AGING_BUCKET_KEYS)
DEFAULT_SORT = "total"
# An amount sorts largest first unless asked otherwise; a name, a NIF or a currency from A to Z.
DESCENDING_BY_DEFAULT = frozenset({"total", *AGING_BUCKET_KEYS})
# Names sort as the customer list sorts them: case and accents ignored (Customer.legal_name_folded).
SORT_COLUMNS = {
    **{key: key for key in SORT_FIELDS},
    "total": "total_due",
    "legal_name": "legal_name_folded",
}
# What an amount column is called in the rows, in the report's order.
AMOUNT_COLUMNS: tuple[str, ...] = (*AGING_BUCKET_KEYS, "total_due")
# The server-side cursor's fetch size when the whole report is read (the CSV).
STREAM_CHUNK_ROWS = 2000


@dataclass(frozen=True, kw_only=True)
class AgingAsked:
    """What a report asks for, validated: as of which day, in which order."""

    as_of: date
    sort_by: str = DEFAULT_SORT
    descending: bool = True


@dataclass(frozen=True)
class CurrencyTotals:
    """The report's sums in one currency: its rows (customers owing in it), each bucket and the total."""

    currency: str
    customers: int
    amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.amounts["total_due"]


def check_as_of(as_of: date) -> date:
    """A report's day: never after today, whose payments are not known yet (422 naming `as_of`)."""
    if as_of > clock_today():
        raise ValidationFailed(details={"as_of": "as_of must not be later than today: later payments are unknown."})
    return as_of


def owed_invoices(scope: DataScope, as_of: date, *, company_ids: Collection | None = None) -> QuerySet:
    """The invoices of `scope` that were owed something as of `as_of`, each with `owed`: what it owed then.
    `company_ids` narrows an account's scope to some of its companies (a key restricted to them, the admin's
    company picker); None is every company of the scope."""
    invoices = Invoice.objects.within(scope)
    if scope.company is not None:
        # Redundant with the company, but the account leads invoice_unpaid_aging_idx.
        invoices = invoices.filter(account=scope.account)
    if company_ids is not None:
        invoices = invoices.filter(company_id__in=list(company_ids))
    owed_now = F("total") - F("amount_paid")
    if as_of >= clock_today():
        return invoices.filter(status=InvoiceStatus.ISSUED, total__gt=F("amount_paid")).alias(owed=owed_now)
    paid_later = InvoicePayment.objects.filter(invoice=OuterRef("pk"), payment_date__gt=as_of)
    paid_later_sum = paid_later.order_by().values("invoice").annotate(amount=Sum("amount")).values("amount")
    owed_then = owed_now + Coalesce(Subquery(paid_later_sum, output_field=MONEY), ZERO)
    # A paid invoice was owed something as of `as_of` only if a payment is dated after it.
    was_unpaid = Q(status=InvoiceStatus.ISSUED) | Q(status=InvoiceStatus.PAID) & Exists(paid_later)
    return invoices.filter(was_unpaid, issue_date__lte=as_of).alias(owed=owed_then).filter(owed__gt=0)


def _bucket_sums(as_of: date) -> dict:
    sums = {
        bucket.key: Coalesce(Sum("owed", filter=bucket.due_dates(as_of), output_field=MONEY), ZERO)
        for bucket in AGING_BUCKETS
    }
    return {**sums, "total_due": Coalesce(Sum("owed", output_field=MONEY), ZERO)}


def aging_rows(scope: DataScope, asked: AgingAsked, *, company_ids: Collection | None = None) -> QuerySet:
    """One row (a dict) per customer and currency owed something as of `asked.as_of`: `customer_id`,
    `legal_name`, `nif`, `currency`, the amount of each bucket and `total_due`, in the asked order closed by
    the customer's id and the currency (a total order, so pages neither repeat nor skip a row). Amounts of
    different currencies are never added: each currency is a row of its own."""
    customer = Customer.objects.filter(pk=OuterRef("customer_id")).order_by()
    rows = (
        owed_invoices(scope, asked.as_of, company_ids=company_ids)
        .order_by()
        .values("customer_id", "currency")
        .annotate(**_bucket_sums(asked.as_of))
        # Read per row after the sums (a page's rows only, when the order is an amount's).
        .annotate(
            legal_name=Subquery(customer.values("legal_name")[:1]),
            nif=Subquery(customer.values("nif")[:1]),
        )
    )
    column = SORT_COLUMNS[asked.sort_by]
    if column == "legal_name_folded":
        rows = rows.annotate(legal_name_folded=Subquery(customer.values("legal_name_folded")[:1]))
    first = F(column).desc(nulls_last=True) if asked.descending else F(column).asc(nulls_first=True)
    return rows.order_by(first, "customer_id", "currency")


def currency_totals(scope: DataScope, as_of: date, *, company_ids: Collection | None = None) -> list[CurrencyTotals]:
    """The whole report's sums per currency (never across currencies), by currency code."""
    sums = (
        owed_invoices(scope, as_of, company_ids=company_ids)
        .order_by()
        .values("currency")
        .annotate(rows=Count("customer_id", distinct=True), **_bucket_sums(as_of))
        .order_by("currency")
    )
    return [
        CurrencyTotals(
            currency=row["currency"],
            customers=row["rows"],
            amounts={name: row[name] for name in AMOUNT_COLUMNS},
        )
        for row in sums
    ]


def streamed_rows(rows: QuerySet) -> Iterator[dict]:
    """Every row of the report, read through a server-side cursor STREAM_CHUNK_ROWS at a time (in a read-only
    transaction: outside one Django declares the cursor WITH HOLD, which PostgreSQL materialises whole first),
    so the whole account's report takes the memory of one chunk."""
    with transaction.atomic(using=rows.db):
        yield from rows.iterator(chunk_size=STREAM_CHUNK_ROWS)
