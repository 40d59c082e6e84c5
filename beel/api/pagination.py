"""Page/limit pagination as documented in beel-list-customers.txt.

Malformed or out-of-range `page`/`limit` are a 400 with details per parameter, never silently clamped;
a page past the end is an empty page with true figures, so a client can stop on `has_next`.
"""

import math
from collections import OrderedDict
from typing import Any

from django.db.models import Func, IntegerField, Subquery
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from beel.errors import ValidationFailed

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The largest page whose rows' offset fits a signed 64-bit integer (PostgreSQL's OFFSET is a bigint) at
# any limit: past it the database would fail, so it is a 400 naming `page`.
MAX_PAGE = (2**63 - 1) // MAX_LIMIT
# COUNT(*) as a plain function rather than django's Count aggregate, so annotating it adds no GROUP BY.
_COUNT_ALL = Func(template="COUNT(*)", output_field=IntegerField())


def _parse_positive_int(raw: str | None, *, default: int, maximum: int | None, name: str, errors: dict) -> int:
    if raw is None:
        return default
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        errors[name] = f"{name} must be a whole number."
        return default
    value = int(text)
    if value < 1:
        errors[name] = f"{name} must be greater than or equal to 1."
    elif maximum is not None and value > maximum:
        errors[name] = f"{name} must be less than or equal to {maximum}."
    return value


def parse_page_params(query_params) -> tuple[int, int]:
    errors: dict[str, str] = {}
    page_raw = query_params.get("page")
    if page_raw is not None and len(page_raw.strip()) > len(str(MAX_PAGE)):
        # Not fed to int(): it could be thousands of digits, and no page that long can be served.
        errors["page"] = f"page must be less than or equal to {MAX_PAGE}."
        page = 1
    else:
        page = _parse_positive_int(page_raw, default=1, maximum=MAX_PAGE, name="page", errors=errors)
    limit = _parse_positive_int(
        query_params.get("limit"), default=DEFAULT_LIMIT, maximum=MAX_LIMIT, name="limit", errors=errors
    )
    if errors:
        raise ValidationFailed(details=errors)
    return page, limit


class PagePagination(BasePagination):
    """The list key (`customers`, `invoices`) is set by the view (beel.api.views.APIViewSet)."""

    results_key = "results"

    def paginate_queryset(self, queryset, request, view=None):
        self.page, self.limit = parse_page_params(request.query_params)
        offset = (self.page - 1) * self.limit
        known_total = view.known_total_items()
        if known_total is not None:
            self.total_items = known_total
            return list(queryset[offset : offset + self.limit]) if offset < known_total else []
        # The page and its total in one statement (the count as an uncorrelated scalar subquery, computed
        # once): one round trip and one plan instead of two. Only an empty page past the first needs a
        # separate count, to report the true totals.
        total = Subquery(queryset.order_by().annotate(_count=_COUNT_ALL).values("_count")[:1])
        rows = list(queryset.annotate(_total_items=total)[offset : offset + self.limit])
        if rows:
            self.total_items = rows[0]._total_items
        else:
            self.total_items = queryset.count() if offset else 0
        return rows

    def pagination_figures(self) -> dict[str, Any]:
        total_pages = math.ceil(self.total_items / self.limit) if self.total_items else 0
        return {
            "current_page": self.page,
            "items_per_page": self.limit,
            "total_items": self.total_items,
            "total_pages": total_pages,
            "has_next": self.page < total_pages,
            "has_previous": self.page > 1,
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
        ]
