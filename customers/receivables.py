"""What a customer owes, as the customer reads see it: its `stats` (GET /customers/{id}), the list's
`sort_by=outstanding`, `has_overdue` and `include=summary`.

Invoices hang from customers, but customers may not import invoices (the dependency points the other way). So
the numbers come from a provider the invoices app registers from its AppConfig.ready()
(invoices.apps -> invoices.balances), as customers.services.dependents does for merges and erasures. Without
one (a deployment without invoices), a customer owes nothing: stats are zeros, every customer sorts as 0 and
none has anything overdue.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Count, Q, QuerySet, Value
from django.db.models import DecimalField as DecimalColumn

from beel.clock import today as clock_today
from customers.models import Customer

DEFAULT_CURRENCY = "EUR"
# The annotation the list sorts by (its cursor names it): what the customer owes in the asked currency.
OUTSTANDING = "outstanding"


class ReceivablesProvider(Protocol):
    def stats_of_many(self, customer_ids: list, *, today: date) -> dict[Any, dict[str, Any]]:
        """Each customer's `stats` as the API shows them, by id."""

    def with_outstanding(self, customers: QuerySet, *, currency: str) -> QuerySet:
        """`customers` annotated with OUTSTANDING: what each owes in `currency`, 0 when nothing."""

    def with_outstanding_of_sign(self, customers: QuerySet, *, currency: str, sign: int) -> QuerySet:
        """The customers of `customers` whose OUTSTANDING in `currency` is above 0 (sign 1), 0 (sign 0: no balance
        in it, or one paid up) or below 0 (sign -1), annotated with it: the list's segments by what is owed,
        each read by a query an index can serve (docs/performance.md)."""

    def overdue(self, *, today: date) -> Q:
        """The customers with an unpaid issued invoice past its due date as of `today`, in any currency."""

    def billed_by_currency(self, customers: QuerySet) -> list[dict[str, Any]]:
        """What `customers` were billed, per currency: [{currency, invoice_count, total_billed}]."""


class _NoInvoices:
    def stats_of_many(self, customer_ids: list, *, today: date) -> dict[Any, dict[str, Any]]:
        nothing = {
            "invoice_count": 0,
            "last_invoice_date": None,
            "currency": DEFAULT_CURRENCY,
            **dict.fromkeys(("issued_total", "paid_total", "outstanding", "overdue_total"), "0.00"),
            "oldest_overdue_date": None,
            "by_currency": [],
        }
        return {customer_id: dict(nothing) for customer_id in customer_ids}

    def with_outstanding(self, customers: QuerySet, *, currency: str) -> QuerySet:
        return customers.annotate(**{OUTSTANDING: Value(Decimal("0.00"), output_field=DecimalColumn())})

    def with_outstanding_of_sign(self, customers: QuerySet, *, currency: str, sign: int) -> QuerySet:
        owing = self.with_outstanding(customers, currency=currency)
        return owing if sign == 0 else owing.none()

    def overdue(self, *, today: date) -> Q:
        return Q(pk__in=[])

    def billed_by_currency(self, customers: QuerySet) -> list[dict[str, Any]]:
        return []


_provider: ReceivablesProvider = _NoInvoices()


def register_receivables(provider: ReceivablesProvider) -> None:
    """Called from an AppConfig.ready(); registering again replaces it (ready() may run twice)."""
    global _provider
    _provider = provider


def receivables() -> ReceivablesProvider:
    return _provider


def stats_of(customer: Customer) -> dict[str, Any]:
    """What `customer` was billed and owes (GET /customers/{id}'s `stats`), overdue as of today."""
    return _provider.stats_of_many([customer.pk], today=clock_today())[customer.pk]


def stats_by_customer(customer_ids: list) -> dict[Any, dict[str, Any]]:
    """`stats_of` for a page of customers (`include=stats`), in two reads."""
    return _provider.stats_of_many(customer_ids, today=clock_today())


def summary_of(customers: QuerySet) -> Mapping[str, Any]:
    """BeeL's older list summary for the customers of a (filtered) list: how many are active and inactive,
    how many in all, and what they were billed, per currency (never a sum across currencies)."""
    plain = customers.order_by()
    counts = plain.aggregate(
        active_count=Count("pk", filter=Q(active=True)), inactive_count=Count("pk", filter=Q(active=False))
    )
    return {
        "active": counts["active_count"],
        "inactive": counts["inactive_count"],
        "total": counts["active_count"] + counts["inactive_count"],
        "billed_by_currency": _provider.billed_by_currency(plain),
    }
