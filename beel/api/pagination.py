"""Page/limit pagination as documented in beel-list-customers.txt, and cursor pagination beside it.

Malformed or out-of-range `page`/`limit` are a 400 with details per parameter, never silently clamped;
a page past the end is an empty page with true figures, so a client can stop on `has_next`.

Every list also answers `next_cursor`: an opaque, signed token naming the last row's sort key and id.
`cursor=<next_cursor>` (with the same filters and sort) continues after that row by a keyset condition
instead of an OFFSET, and counts nothing, so the 10,000th page costs what the first does and rows inserted
during a walk cannot shift the rows still to come.
"""

import hashlib
import math
from collections import OrderedDict
from typing import Any

from django.core import signing
from django.db.models import Func, IntegerField, Subquery
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from beel.api.params import CURSOR_PARAM, DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, PageParams, refusal
from beel.errors import ValidationFailed
from beel.lists import Listing, Segment, SortKey, Totals, rows_after

# COUNT(*) as a plain function rather than django's Count aggregate, so annotating it adds no GROUP BY.
_COUNT_ALL = Func(template="COUNT(*)", output_field=IntegerField())


# Parameters that may differ between the requests of one walk; every other one must stay the same.
_WALK_INDEPENDENT_PARAMS = {CURSOR_PARAM, "page", "limit"}
_CURSOR_SALT = "beel.api.pagination.cursor"
_CURSOR_MISMATCH = (
    "cursor belongs to another list: send the filters and sort of the request that returned it, with a key of "
    "the same account and mode, for the same company."
)
# Cursors name their version: those issued before they were bound to their account and mode (v1, no `v`) are
# refused once with a message that says so, rather than taken for another list's.
_CURSOR_VERSION = 2
_CURSOR_OUTDATED = "cursor was issued before this version of the API: start the walk again from the first page."


def _column(row, name: str):
    """A row is a model instance or, for a list read with `.values()`, a dict."""
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _walk_fingerprint(query_params, results_key: str, walk_of: str = "") -> str:
    """What a cursor is only valid for: this list (customers or invoices) of this owner (`walk_of`: the
    account, the mode and the company whose rows it walks) with these filters and sort. Another account's
    cursor, or a test key's on live data, would otherwise be followed (its keys compared with this owner's
    rows)."""
    asked = sorted(
        (name, value)
        for name, values in query_params.lists()
        if name not in _WALK_INDEPENDENT_PARAMS
        for value in values
    )
    text = repr((results_key, walk_of, asked))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key_value(queryset, key: SortKey, raw):
    """A cursor's value of `key`, back in the type of its column (or of the annotation a list sorts by, such as
    the customers' `outstanding`)."""
    if raw is None:
        if key.nulls_first is None:
            raise ValueError("NULL for a key that is never NULL")
        return None
    if not isinstance(raw, str):
        raise ValueError("a cursor value is a string")
    annotation = queryset.query.annotations.get(key.name)
    field = annotation.output_field if annotation is not None else queryset.model._meta.get_field(key.name)
    return field.to_python(raw)


def _segments_slice(segments: tuple[Segment, ...], offset: int, limit: int) -> list:
    """Rows offset..offset+limit of a list read in segments: a segment wholly before the offset is counted
    (only then), to know how far into the next one the page starts."""
    rows: list = []
    skip = offset
    for segment in segments:
        wanted = limit - len(rows)
        if wanted <= 0:
            break
        part = list(segment.rows[skip : skip + wanted])
        if part:
            rows += part
            skip = 0
        elif skip:
            skip = max(skip - segment.rows.order_by().count(), 0)
    return rows


def _segments_after(segments: tuple[Segment, ...], values: list, limit: int) -> list:
    """The first `limit` rows after a cursor's values: from the segment that holds them, then the next ones."""
    rows: list = []
    started = False
    for segment in segments:
        if not started:
            if not segment.holds(values):
                continue
            started = True
            part = segment.after(values)
        else:
            part = segment.rows
        rows += list(part[: limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


class PagePagination(BasePagination):
    """Pages of a list selector's `Listing` (beel.lists): the rows, their sort keys and their totals come
    from the selector, the page asked for from `parse_page_params`, so nothing here reads the view. The
    list key (`customers`, `invoices`) is set by the view (beel.api.views.APIViewSet.paginator).

    DRF's `paginate_queryset(queryset, request, view)` is not how lists are paged (a bare queryset carries
    neither sort keys nor totals): `APIViewSet.list` calls `paginate_listing`."""

    results_key = "results"
    cursor_query_param = CURSOR_PARAM
    # The listing's segments (beel.lists.Segment), set by paginate_listing; none for a paginator used without
    # one (paginate_by_page called directly, as the aging report's).
    segments: tuple[Segment, ...] = ()

    def paginate_listing(self, listing: Listing, asked: PageParams, query_params, *, walk_of: str = "") -> list:
        self.keys = listing.keys
        self.fingerprint = _walk_fingerprint(query_params, self.results_key, walk_of)
        self.limit = asked.limit
        self.next_cursor = None
        self.by_cursor = asked.cursor is not None
        self.segments = listing.segments
        if self.by_cursor:
            return self.paginate_by_cursor(listing.rows, asked)
        rows = self.paginate_by_page(listing.rows, asked.page, listing.totals)
        if self.page * self.limit < self.total_items and rows:
            self.next_cursor = self.cursor_after(rows[-1])
        return rows

    def paginate_by_cursor(self, queryset, asked: PageParams) -> list:
        errors: dict[str, str] = {}
        if asked.page_asked:
            errors["page"] = "page cannot be combined with cursor."
        errors.update(asked.errors)
        values = None
        try:
            values = self.decode_cursor(queryset, asked.cursor)
        except ValidationFailed as error:
            errors.update(error.details or {})
        if errors:
            # A cursor this API did not issue parses (it is a string) but is not admitted: 422, as BeeL.
            raise refusal(errors, asked.unparsed)
        # One row past the page says whether there is a next page without counting anything.
        if self.segments:
            rows = _segments_after(self.segments, values, self.limit + 1)
        else:
            rows = list(queryset.filter(rows_after(self.keys, values))[: self.limit + 1])
        self.has_next = len(rows) > self.limit
        rows = rows[: self.limit]
        if self.has_next:
            self.next_cursor = self.cursor_after(rows[-1])
        return rows

    def cursor_after(self, row) -> str:
        values = [_column(row, key.name) for key in self.keys]
        # Values go through the fields' own string forms, so decoding can use field.to_python(); NULL stays null.
        return signing.dumps(
            {
                "v": _CURSOR_VERSION,
                "f": self.fingerprint,
                "k": [None if value is None else str(value) for value in values],
            },
            salt=_CURSOR_SALT,
            compress=True,
        )

    def decode_cursor(self, queryset, raw_cursor: str) -> list:
        invalid = ValidationFailed(details={self.cursor_query_param: "cursor is not a cursor this API issued."})
        if len(raw_cursor) > 2000:
            raise invalid
        try:
            payload = signing.loads(raw_cursor.strip(), salt=_CURSOR_SALT)
        except signing.BadSignature:
            raise invalid from None
        if not isinstance(payload, dict):
            raise invalid
        if payload.get("v") != _CURSOR_VERSION:
            raise ValidationFailed(details={self.cursor_query_param: _CURSOR_OUTDATED})
        if payload.get("f") != self.fingerprint:
            raise ValidationFailed(details={self.cursor_query_param: _CURSOR_MISMATCH})
        raw_values = payload.get("k")
        if not isinstance(raw_values, list) or len(raw_values) != len(self.keys):
            raise invalid
        try:
            return [_key_value(queryset, key, raw) for key, raw in zip(self.keys, raw_values, strict=True)]
        except Exception:
            # Signed by us yet unreadable: issued before a change of the sort fields' types.
            raise invalid from None

    def paginate_by_page(self, queryset, page: int, totals: Totals) -> list:
        self.page = page
        offset = (self.page - 1) * self.limit
        known_total = totals.known()
        if self.segments:
            self.total_items = queryset.order_by().count() if known_total is None else known_total
            if known_total is None:
                totals.on_counted(self.total_items)
            return _segments_slice(self.segments, offset, self.limit) if offset < self.total_items else []
        if known_total is not None:
            self.total_items = known_total
            return list(queryset[offset : offset + self.limit]) if offset < known_total else []
        # The page and its total in one statement (the count as an uncorrelated scalar subquery, computed
        # once): one round trip and one plan instead of two (docs/performance.md, "Fast paths"). Only an
        # empty page past the first needs a separate count, to report the true totals.
        total = Subquery(queryset.order_by().annotate(_count=_COUNT_ALL).values("_count")[:1])
        rows = list(queryset.annotate(_total_items=total)[offset : offset + self.limit])
        if rows:
            self.total_items = _column(rows[0], "_total_items")
        else:
            self.total_items = queryset.count() if offset else 0
        totals.on_counted(self.total_items)
        return rows

    def pagination_figures(self) -> dict[str, Any]:
        if self.by_cursor:
            return {"items_per_page": self.limit, "has_next": self.has_next, "next_cursor": self.next_cursor}
        total_pages = math.ceil(self.total_items / self.limit) if self.total_items else 0
        return {
            "current_page": self.page,
            "items_per_page": self.limit,
            "total_items": self.total_items,
            "total_pages": total_pages,
            "has_next": self.page < total_pages,
            "has_previous": self.page > 1,
            "next_cursor": self.next_cursor,
        }

    def get_paginated_response(self, data):
        return Response(OrderedDict([(self.results_key, data), ("pagination", self.pagination_figures())]))

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "Page number (starts at 1)",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "limit",
                "required": False,
                "in": "query",
                "description": "Number of items per page",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
            {
                "name": CURSOR_PARAM,
                "required": False,
                "in": "query",
                "description": "The `next_cursor` of the previous response: the rows after it, in the same order, "
                "without totals. Send the same filters and sort as that request; not combinable with `page`.",
                "schema": {"type": "string"},
            },
        ]
