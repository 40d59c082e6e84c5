"""Validation of many customer records at once: each item of POST /customers/bulk and each row of a CSV
import checked by the single-record rules (customers.record) on its own, so one bad item fails alone."""

from beel.errors import DomainError, ValidationFailed
from beel.payloads import Invalid
from customers.record import check_record, refusal


def validate_bulk_items(raw_items: list) -> list[dict | DomainError]:
    """Each item of POST /customers/bulk validated on its own: its columns, or the error it gets in the report,
    so one bad item fails alone."""
    items = []
    for raw in raw_items:
        try:
            items.append(check_record(raw))
        except Invalid as error:
            items.append(refusal(error))
    return items


def validate_import_rows(payloads: list[dict]) -> list[dict | DomainError]:
    """As `validate_bulk_items`, for the rows of a CSV (objects of strings); a row breaking only AEAT's rules
    is an ERROR row like any other, so every refusal is a ValidationFailed."""
    items = []
    for payload in payloads:
        try:
            items.append(check_record(payload))
        except Invalid as error:
            items.append(ValidationFailed(details=error.details))
    return items
