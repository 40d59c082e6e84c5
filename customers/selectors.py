"""Reads of customers: the list, with its query (filters, search, sort), the count policy of its
`total_items` and the keys its cursors name. The HTTP layer validates the query parameters
(customers.filters), pages the `Listing` (beel.api.pagination) and renders it; the CSV export reads the
same query (`sorted_customers`).
"""

from dataclasses import dataclass, replace
from functools import cache, partial

from beel.clock import today
from beel.lists import ChangeWindow, Listing, Segment, SortKey, Totals, ordered
from beel.tenancy import DataScope
from customers import totals
from customers.models import NOT_CHECKED, Customer, CustomerQuerySet, TaxIdStatus
from customers.receivables import DEFAULT_CURRENCY, OUTSTANDING, receivables
from customers.representations import LIST_COLUMNS

# sort_by value -> model field. Text keys sort on their folded copy so 'Ávila' sorts with the A's.
SORT_FIELDS = {
    "legal_name": "legal_name_folded",
    "nif": "nif",
    "email": "email",
    "city": "city_folded",
    "province": "province_folded",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
DEFAULT_SORT = "created_at"
# What the customer owes in the list's `currency` (customers.receivables): computed, not a column.
SORT_BY_OUTSTANDING = "outstanding"
SORT_CHOICES = (*SORT_FIELDS, SORT_BY_OUTSTANDING)
# `include=`: what a list adds to its rows (`stats`) or next to them (`summary`).
INCLUDE_CHOICES = ("summary", "stats")
TAX_ID_STATUSES = (*TaxIdStatus.values, NOT_CHECKED)
# Text filter -> the CustomerQuerySet method that applies it (the admin search uses the same SQL).
TEXT_FILTERS = {
    "search": "search",
    "legal_name": "legal_name_contains",
    "nif": "nif_contains",
    "email": "email_contains",
    "phone": "phone_contains",
    "city": "in_city",
    "province": "in_province",
}


@dataclass(frozen=True, kw_only=True)
class CustomerFilters(ChangeWindow):
    """What a customer list asked for, validated (customers.filters.CustomerFilterSet). Empty text or None:
    not asked."""

    active: bool | None = None
    search: str = ""
    legal_name: str = ""
    nif: str = ""
    email: str = ""
    phone: str = ""
    city: str = ""
    province: str = ""
    # The `metadata[key]=value` pairs, sorted by key.
    metadata: tuple[tuple[str, str], ...] = ()
    tax_id_status: str = ""
    sort_by: str = ""
    sort_order: str = ""
    # Receivables (issue 29): customers with (True) or without (False) anything overdue today; the currency
    # of `sort_by=outstanding` ("" is EUR); what the list includes besides its rows.
    has_overdue: bool | None = None
    currency: str = ""
    include: tuple[str, ...] = ()

    def narrows_by_content(self) -> bool:
        """Anything but `active` chooses the rows: the counters cannot answer their number."""
        narrowed = any(getattr(self, name) for name in TEXT_FILTERS) or bool(self.metadata or self.tax_id_status)
        return narrowed or self.bounds_changes()

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def customers_matching(customers: CustomerQuerySet, asked: CustomerFilters) -> CustomerQuerySet:
    customers = asked.changed_within(customers)
    if asked.active is not None:
        customers = customers.filter(active=asked.active)
    for name, method in TEXT_FILTERS.items():
        text = getattr(asked, name)
        if text:
            customers = getattr(customers, method)(text)
    if asked.tax_id_status:
        customers = customers.with_tax_id_status(asked.tax_id_status)
    if asked.has_overdue is not None:
        # Derived from the due dates and today's date on every request: never a stored flag gone stale.
        overdue = receivables().overdue(today=today())
        customers = customers.filter(overdue) if asked.has_overdue else customers.exclude(overdue)
    customers = customers.with_metadata(dict(asked.metadata))
    if asked.sort_by == SORT_BY_OUTSTANDING:
        customers = receivables().with_outstanding(customers, currency=asked.currency or DEFAULT_CURRENCY)
    return customers


def sort_keys(asked: CustomerFilters) -> tuple[SortKey, ...]:
    """The list's order; the id tiebreak makes it total, so consecutive pages never repeat or skip a row.
    `outstanding` is never NULL (a customer that owes nothing sorts as 0), so a cursor can name it."""
    descending = asked.sort_order == "desc"
    if asked.sort_by == SORT_BY_OUTSTANDING:
        return (SortKey(OUTSTANDING, descending), SortKey("id", descending))
    field = SORT_FIELDS[asked.sort_by or DEFAULT_SORT]
    return (SortKey(field, descending), SortKey("id", descending))


def sorted_customers(customers: CustomerQuerySet, asked: CustomerFilters) -> CustomerQuerySet:
    """`customers` as the list shows them (all pages): what the CSV export writes."""
    return ordered(customers_matching(customers, asked), sort_keys(asked))


def matching_customers(scope: DataScope, asked: CustomerFilters) -> CustomerQuerySet:
    """Every customer of `scope` the list's filters select, unordered: what `include=summary` adds up."""
    return customers_matching(Customer.objects.within(scope), asked)


@cache
def _list_columns() -> CustomerQuerySet:
    """The columns the representation shows and every sort key (the cursor names the page's last one): a
    list reads them with `.values()`, since building model instances cost more than the SQL of a 100-row
    page. A per-process cache: setting up `.values()` of ~30 columns was a visible share of a cheap page
    (docs/performance.md, "Fast paths"); each request narrows a clone, and this queryset is never run."""
    return Customer.objects.values(*dict.fromkeys((*LIST_COLUMNS, *SORT_FIELDS.values(), "id")))


def list_customers(scope: DataScope, asked: CustomerFilters) -> Listing:
    """The customers of `scope` that the list asked for, sorted, with how to find their `total_items`."""
    rows = customers_matching(_list_columns().within(scope), asked)
    keys = sort_keys(asked)
    return Listing.sorted(rows, keys, _totals(scope, asked), _outstanding_segments(scope, asked, keys))


def _outstanding_segments(scope: DataScope, asked: CustomerFilters, keys: tuple[SortKey, ...]) -> tuple:
    """The list by what is owed, read in three stretches of its order rather than by joining every customer to
    its balance before picking a page: those who owe (by the balances' index, customer_balance_owed_idx), those
    who owe nothing (by id: all of them tie at 0), those owed (a credit; rare). Descending: owe, nothing, owed;
    ascending the reverse. The same rows and order as the whole query (docs/performance.md)."""
    if asked.sort_by != SORT_BY_OUTSTANDING:
        return ()
    currency = asked.currency or DEFAULT_CURRENCY
    plain = replace(asked, sort_by="")  # the filters without the sort's annotation
    customers = customers_matching(_list_columns().within(scope), plain)
    signs = (1, 0, -1) if keys[0].descending else (-1, 0, 1)
    return tuple(
        Segment(
            rows=ordered(
                receivables().with_outstanding_of_sign(customers, currency=currency, sign=sign),
                keys if sign else keys[1:],
            ),
            keys=keys if sign else keys[1:],
            holds=partial(_of_sign, sign),
        )
        for sign in signs
    )


def _of_sign(sign: int, values: list) -> bool:
    amount = values[0]
    return (amount > 0) - (amount < 0) == sign


def _totals(scope: DataScope, asked: CustomerFilters) -> Totals:
    """The counters answer `total_items` when nothing but `active` narrows the list (the default request);
    any other filter needs the rows counted, once per version of the account's customers. `has_overdue`
    depends on invoices and on today's date, which the customers' version does not follow: counted each time."""
    if asked.has_overdue is not None:
        return Totals()
    if asked.narrows_by_content():
        return totals.counted_once_per_version(scope=scope, filters=asked.as_dict())
    return totals.from_counters(scope=scope, active=asked.active)
