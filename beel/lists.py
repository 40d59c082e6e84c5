"""What an app's list selector hands to the HTTP layer (beel.api.pagination), so that the paginator never asks
the view: the rows to page through, the keys they are sorted by (which a cursor names), and how the list's
`total_items` is found. Each app's `selectors.py` builds one per request (customers.selectors.list_customers,
invoices.selectors.list_invoices); nothing here knows HTTP or an app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, OrderBy, Q, QuerySet

# A list's change window (`created_since=...&updated_until=...`), for integrations that keep a copy in sync:
# `*_since` includes its instant and `*_until` excludes it, so consecutive windows neither overlap nor leave
# a gap. Parameter -> lookup; each list has (account, mode, created_at|updated_at, id) indexes that serve them.
CHANGE_WINDOW = {
    "created_since": "created_at__gte",
    "created_until": "created_at__lt",
    "updated_since": "updated_at__gte",
    "updated_until": "updated_at__lt",
}


@dataclass(frozen=True, kw_only=True)
class ChangeWindow:
    """The change window a list request asked for (None: no bound), as the apps' list filters extend it."""

    created_since: datetime | None = None
    created_until: datetime | None = None
    updated_since: datetime | None = None
    updated_until: datetime | None = None

    def bounds_changes(self) -> bool:
        return any(getattr(self, name) is not None for name in CHANGE_WINDOW)

    def changed_within(self, rows: QuerySet) -> QuerySet:
        for name, lookup in CHANGE_WINDOW.items():
            instant = getattr(self, name)
            if instant is not None:
                rows = rows.filter(**{lookup: instant})
        return rows


@dataclass(frozen=True)
class SortKey:
    """One term of a list's order. A nullable column must say where its NULLs go (`nulls_first`), because
    the databases place them differently by default; None for a column that is never NULL."""

    name: str
    descending: bool = False
    nulls_first: bool | None = None

    @property
    def ordering(self):
        if self.nulls_first is None:
            return f"-{self.name}" if self.descending else self.name
        placed = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        return F(self.name).desc(**placed) if self.descending else F(self.name).asc(**placed)


def _unknown() -> int | None:
    return None


def _ignored(total: int) -> None:
    return None


@dataclass(frozen=True)
class Totals:
    """How a list's `total_items` is found. `known()` answers it without counting rows, or None to have the
    paginator count them (with the page, in one statement); `on_counted(total)` hears what was counted.
    Only page-number pages ask: a cursor page counts nothing."""

    known: Callable[[], int | None] = _unknown
    on_counted: Callable[[int], None] = _ignored


@dataclass(frozen=True)
class Segment:
    """One stretch of a list's order, read by its own query (`rows`, ordered by `keys`, the trailing terms of
    the list's keys: a stretch where the leading ones are constant may leave them out). `holds(values)` says
    whether a cursor's values (all of the list's keys) fall within it. A list read in segments gives the same
    rows in the same order as its whole query; each segment's query can follow an index the whole one cannot
    (the customers by what they owe: those who owe, by their balances, then those who owe nothing, by id)."""

    rows: QuerySet
    keys: tuple[SortKey, ...]
    holds: Callable[[list], bool]

    def after(self, values: list) -> QuerySet:
        """This segment's rows after a cursor's values, which it holds."""
        return self.rows.filter(rows_after(self.keys, values[len(values) - len(self.keys) :]))


@dataclass(frozen=True)
class Listing:
    """A list request's rows, not read yet: filtered, and ordered by `keys`, whose last term is the id so
    that the order is total and a cursor (the last row's values of the keys) names one place exactly."""

    rows: QuerySet
    keys: tuple[SortKey, ...]
    totals: Totals = field(default_factory=Totals)
    # When not empty, the pages are read from these, one after the other, rather than from `rows` (which still
    # types a cursor's values and is counted for `total_items`).
    segments: tuple[Segment, ...] = ()

    @classmethod
    def sorted(
        cls,
        rows: QuerySet,
        keys: tuple[SortKey, ...],
        totals: Totals | None = None,
        segments: tuple[Segment, ...] = (),
    ) -> "Listing":
        return cls(rows=ordered(rows, keys), keys=keys, totals=totals or Totals(), segments=segments)

    @classmethod
    def in_its_order(cls, rows: QuerySet) -> "Listing":
        """`rows` as ordered already, its total counted with the page."""
        return cls(rows=rows, keys=keys_of(rows))


def keys_of(rows: QuerySet) -> tuple[SortKey, ...]:
    """The sort keys of a queryset's explicit order, which must end with the id and place the NULLs of a
    nullable key explicitly (`F(name).desc(nulls_first=True)`)."""
    keys = []
    for term in rows.query.order_by:
        if isinstance(term, str):
            keys.append(SortKey(term.lstrip("-"), descending=term.startswith("-")))
        elif isinstance(term, OrderBy) and isinstance(term.expression, F) and (term.nulls_first or term.nulls_last):
            keys.append(SortKey(term.expression.name, term.descending, nulls_first=bool(term.nulls_first)))
        else:
            raise TypeError(f"keyset pagination needs field names in order_by, got {term!r}")
    return tuple(keys)


def ordered(rows: QuerySet, keys: tuple[SortKey, ...]) -> QuerySet:
    return rows.order_by(*(key.ordering for key in keys))


def rows_after(keys: tuple[SortKey, ...], values: list) -> Q:
    """The rows strictly after `values` in the order of `keys`. Written as `k1 >= v1 AND (k1 > v1 OR (k1 = v1
    AND ...))` rather than a plain OR of cases: the leading range bound lets the (account, mode, key, id)
    index start its scan at the cursor instead of filtering every row before it (docs/performance.md,
    "Fast paths")."""
    key, *rest = keys
    value = values[0]
    if key.nulls_first is not None:
        return _after_nullable(key, value, rest, values[1:])
    name = key.name
    strictly = Q(**{f"{name}__{'lt' if key.descending else 'gt'}": value})
    if not rest:
        return strictly
    return Q(**{f"{name}__{'lte' if key.descending else 'gte'}": value}) & (
        strictly | (Q(**{name: value}) & rows_after(tuple(rest), values[1:]))
    )


def _after_nullable(key: SortKey, value, rest: list, rest_values: list) -> Q:
    """`rows_after` for a key that may be NULL: NULLs are one block, before or after every value."""
    is_null = Q(**{f"{key.name}__isnull": True})
    if value is None:
        # After the NULL block come the values (when NULLs are first), nothing of this key otherwise.
        strictly = ~is_null if key.nulls_first else Q(pk__in=[])
        equal = is_null
    else:
        beyond = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
        strictly = beyond if key.nulls_first else beyond | is_null
        equal = Q(**{key.name: value})
    if not rest:
        return strictly
    return strictly | (equal & rows_after(tuple(rest), rest_values))
