"""Per-customer balances (CustomerBalance), kept by the transaction that changes an invoice, and what the
customer reads ask of them (customers.receivables, registered by invoices.apps).

Which invoices count, one rule for the stats, the sort and the summary:
- issued and paid invoices count (`invoice_count`, `issued_total` = their totals, `paid_total` = their
  payments, `last_invoice_date` = the latest issue date); drafts never; cancelled invoices not at all (a
  cancelled invoice's payments stay on it, outside the totals);
- `outstanding` = what issued invoices still have to be paid (total - amount_paid); a paid invoice owes 0;
- `overdue_total` and `oldest_overdue_date`: the unpaid part of issued invoices whose due date is before
  today (beel.clock.today(): the due date is the last day to pay, Invoice.is_overdue). Derived on every read,
  never stored, so never stale: `outstanding` less what invoices due today or later still owe (read by the
  partial index invoice_customer_unpaid_idx: only the last payment term's invoices, however long the
  customer's history), and the stored oldest unpaid due date when it has passed.
Amounts are per currency, never added across currencies.

Consistency: `refresh_balance` recomputes the customer's rows from its invoices under a per-customer lock
held until the transaction commits. Two transactions changing two invoices of one customer (two payments at
once) each lock only their own invoice; without the customer's lock each would recompute from a snapshot
without the other's change and the last to commit would drop it (tests/invoices/test_balance_concurrency.py).
The lock is the last one taken (invoices.services' lock order): after the invoice rows and the series counter,
and nothing is locked after it, so it cannot deadlock with the use cases that lock a customer row first.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from customers.receivables import DEFAULT_CURRENCY, OUTSTANDING
from invoices.models import CustomerBalance, Invoice, InvoiceStatus

ZERO = Decimal("0.00")
COUNTED = (InvoiceStatus.ISSUED, InvoiceStatus.PAID)
MONEY_FIELDS = ("issued_total", "paid_total", "outstanding", "overdue_total")
# The class id of the customers' balance locks among the database's advisory locks (the object id is a hash
# of the customer's id: two customers that share one only wait for each other).
_LOCK_CLASS = 29


def _lock_customer_balance(customer_id) -> None:
    """The customer's balance lock until commit (PostgreSQL). SQLite runs one writing transaction at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_CLASS, str(customer_id)])


def refresh_balance(customer_id) -> None:
    """Recompute the customer's balances from its invoices, in the caller's transaction (the invoice's
    change is already written)."""
    if not connection.in_atomic_block:
        raise RuntimeError("refresh_balance() needs the invoice's transaction")
    _lock_customer_balance(customer_id)
    unpaid = Q(status=InvoiceStatus.ISSUED, total__gt=F("amount_paid"))
    per_currency = (
        Invoice.objects.filter(customer_id=customer_id, status__in=COUNTED)
        .order_by()
        .values("currency")
        .annotate(
            invoice_count=Count("pk"),
            issued_total=Sum("total"),
            paid_total=Sum("amount_paid"),
            oldest_unpaid_due_date=Min("due_date", filter=unpaid),
            last_invoice_date=Max("issue_date"),
        )
    )
    balances = [
        CustomerBalance(
            customer_id=customer_id,
            currency=row["currency"],
            invoice_count=row["invoice_count"],
            issued_total=row["issued_total"],
            paid_total=row["paid_total"],
            outstanding=row["issued_total"] - row["paid_total"],
            oldest_unpaid_due_date=row["oldest_unpaid_due_date"],
            last_invoice_date=row["last_invoice_date"],
        )
        for row in per_currency
    ]
    CustomerBalance.objects.filter(customer_id=customer_id).delete()
    CustomerBalance.objects.bulk_create(balances)


# The set-based rebuild of every balance of some customers (the seeded demo data; the migration keeps its own
# copy): one INSERT ... SELECT, as refresh_balance computes them one customer at a time.
REBUILD_SQL = """
INSERT INTO invoices_customerbalance
    (customer_id, currency, invoice_count, issued_total, paid_total, outstanding, oldest_unpaid_due_date,
     last_invoice_date)
SELECT customer_id, currency, COUNT(*), SUM(total), SUM(amount_paid), SUM(total) - SUM(amount_paid),
       MIN(CASE WHEN status = 'issued' AND total > amount_paid THEN due_date END), MAX(issue_date)
FROM invoices_invoice
WHERE status IN ('issued', 'paid') AND {where}
GROUP BY customer_id, currency
"""


def rebuild_balances(*, company_id) -> None:
    """Every balance of the company's customers recomputed at once, for data written without the use cases
    (manage.py seeddemo's bulk inserts)."""
    with transaction.atomic():
        CustomerBalance.objects.filter(customer__company_id=company_id).delete()
        with connection.cursor() as cursor:
            company = Invoice._meta.get_field("company").target_field.get_db_prep_value(company_id, connection)
            cursor.execute(REBUILD_SQL.format(where="company_id = %s"), [company])


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def _not_yet_due(today: date) -> Subquery:
    """What a balance's issued invoices due today or later (or without a due date) still owe: the few invoices
    of the last payment term, read by invoice_customer_unpaid_idx, however long the customer's history."""
    return Subquery(
        Invoice.objects.filter(customer_id=OuterRef("customer_id"), currency=OuterRef("currency"))
        .filter(Q(due_date__gte=today) | Q(due_date__isnull=True), status=InvoiceStatus.ISSUED)
        .order_by()
        .values("customer_id")
        .annotate(amount=Sum(F("total") - F("amount_paid")))
        .values("amount")
    )


def _overdue(balance: CustomerBalance, today: date) -> tuple[Decimal, date | None]:
    """What is overdue and since when: everything owed but what is not due yet, once the oldest unpaid due
    date has passed."""
    oldest = balance.oldest_unpaid_due_date
    if oldest is None or oldest >= today:
        return ZERO, None
    return balance.outstanding - (balance.not_yet_due or ZERO), oldest


def _stats(balances: list[CustomerBalance], today: date) -> dict[str, Any]:
    by_currency, oldest_dates = [], []
    for balance in balances:
        amount, oldest = _overdue(balance, today)
        if oldest is not None:
            oldest_dates.append(oldest)
        by_currency.append(
            {
                "currency": balance.currency,
                "issued_total": _money(balance.issued_total),
                "paid_total": _money(balance.paid_total),
                "outstanding": _money(balance.outstanding),
                "overdue_total": _money(amount),
                "oldest_overdue_date": oldest.isoformat() if oldest else None,
            }
        )
    if len(by_currency) == 1:
        only = by_currency[0]
    elif not by_currency:
        only = {"currency": DEFAULT_CURRENCY, **dict.fromkeys(MONEY_FIELDS, _money(ZERO))}
    else:  # several currencies: never one figure adding them up
        only = {"currency": None, **dict.fromkeys(MONEY_FIELDS)}
    return {
        "invoice_count": sum(balance.invoice_count for balance in balances),
        "last_invoice_date": _iso(max((b.last_invoice_date for b in balances if b.last_invoice_date), default=None)),
        "currency": only["currency"],
        **{name: only[name] for name in MONEY_FIELDS},
        "oldest_overdue_date": _iso(min(oldest_dates, default=None)),
        "by_currency": by_currency,
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


class InvoiceReceivables:
    """The provider of customers.receivables."""

    def stats_of_many(self, customer_ids: list, *, today: date) -> dict[Any, dict[str, Any]]:
        """One read whatever the number of customers: their balances, each with what it owes that is not due
        yet when its oldest unpaid due date has passed (the rest is overdue; not read otherwise)."""
        balances: dict[Any, list[CustomerBalance]] = {customer_id: [] for customer_id in customer_ids}
        late = Q(oldest_unpaid_due_date__lt=today)
        rows = CustomerBalance.objects.filter(customer_id__in=customer_ids).annotate(
            not_yet_due=Case(When(late, then=_not_yet_due(today)), output_field=DecimalField())
        )
        for balance in rows.order_by("currency"):
            balances[balance.customer_id].append(balance)
        return {customer_id: _stats(rows, today) for customer_id, rows in balances.items()}

    def with_outstanding(self, customers: QuerySet, *, currency: str) -> QuerySet:
        owed = FilteredRelation("balances", condition=Q(balances__currency=currency))
        return customers.annotate(_owed=owed).annotate(
            **{OUTSTANDING: Coalesce(F("_owed__outstanding"), Value(ZERO), output_field=DecimalField())}
        )

    def with_outstanding_of_sign(self, customers: QuerySet, *, currency: str, sign: int) -> QuerySet:
        if sign == 0:
            # No balance in the currency, or one paid up: the customers' own order (by id), each checked by the
            # balances' unique (customer, currency) index.
            owing = CustomerBalance.objects.filter(customer=OuterRef("pk"), currency=currency).exclude(outstanding=0)
            return customers.exclude(Exists(owing)).annotate(**{OUTSTANDING: Value(ZERO, output_field=DecimalField())})
        # Those who owe (or are owed): walked in customer_balance_owed_idx's order, a few rows a page.
        owed = FilteredRelation("balances", condition=Q(balances__currency=currency))
        amount = "_owed__outstanding__gt" if sign > 0 else "_owed__outstanding__lt"
        return customers.annotate(_owed=owed).filter(**{amount: 0}).annotate(**{OUTSTANDING: F("_owed__outstanding")})

    def overdue(self, *, today: date) -> Q:
        return Q(Exists(CustomerBalance.objects.filter(customer=OuterRef("pk"), oldest_unpaid_due_date__lt=today)))

    def billed_by_currency(self, customers: QuerySet) -> list[dict[str, Any]]:
        rows = (
            CustomerBalance.objects.filter(customer__in=customers.values("pk"))
            .order_by("currency")
            .values("currency")
            .annotate(invoice_count=Sum("invoice_count"), total_billed=Sum("issued_total"))
        )
        return [
            {
                "currency": row["currency"],
                "invoice_count": row["invoice_count"],
                "total_billed": _money(row["total_billed"]),
            }
            for row in rows
        ]
