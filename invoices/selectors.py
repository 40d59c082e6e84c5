"""Reads of invoices: the list, with its query (filters and order) and the keys its cursors name. The HTTP
layer validates the query parameters (invoices.filters), pages the `Listing` (beel.api.pagination, which
counts `total_items` with the page) and renders it."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from beel.lists import ChangeWindow, Listing, SortKey
from beel.tenancy import DataScope
from invoices.models import Invoice

# Newest first; the id tiebreak makes the order total, so pages never repeat or skip an invoice. Drafts have
# no number yet: they come first within their date and series, on every database (PostgreSQL puts NULLs
# first in a descending order, SQLite last), as a descending index reads them on PostgreSQL.
LIST_ORDER = (
    SortKey("issue_date", descending=True),
    SortKey("series"),
    SortKey("number", descending=True, nulls_first=True),
    SortKey("id"),
)


@dataclass(frozen=True, kw_only=True)
class InvoiceFilters(ChangeWindow):
    """What an invoice list asked for, validated (invoices.filters.InvoiceFilterSet). Empty or None: not asked."""

    customer_id: uuid.UUID | None = None
    status: str = ""
    issue_date_from: date | None = None
    issue_date_to: date | None = None


def invoices_matching(invoices: QuerySet, asked: InvoiceFilters) -> QuerySet:
    invoices = asked.changed_within(invoices)
    if asked.customer_id is not None:
        invoices = invoices.filter(customer_id=asked.customer_id)
    if asked.status:
        invoices = invoices.filter(status=asked.status)
    if asked.issue_date_from is not None:
        invoices = invoices.filter(issue_date__gte=asked.issue_date_from)
    if asked.issue_date_to is not None:
        invoices = invoices.filter(issue_date__lte=asked.issue_date_to)
    return invoices


def list_invoices(scope: DataScope, asked: InvoiceFilters) -> Listing:
    """The invoices of `scope` that the list asked for, newest first, each with its customer and company: a
    draft shows their current details as its recipient and issuer; and its payments, in one more query."""
    invoices = Invoice.objects.within(scope).select_related("customer", "company").prefetch_related("payments")
    return Listing.sorted(invoices_matching(invoices, asked), LIST_ORDER)
