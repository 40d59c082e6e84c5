"""Validation of many customer records at once: each item of POST /customers/bulk and each row of a CSV
import checked by the single-record rules (customers.record) on its own, so one bad item fails alone, and
with every problem it has reported at once."""

import copy
from typing import Any

from beel.errors import DomainError, ValidationFailed
from beel.payloads import Invalid
from customers.record import RECORD, check_record, refusal


def validate_bulk_items(raw_items: list) -> list[dict | DomainError]:
    """Each item of POST /customers/bulk validated on its own: its columns, or the error it gets in the report,
    so one bad item fails alone."""
    items = []
    for raw in raw_items:
        try:
            items.append(check_every_rule(raw))
        except Invalid as error:
            items.append(refusal(error))
    return items


def validate_import_rows(payloads: list[dict]) -> list[dict | DomainError]:
    """As `validate_bulk_items`, for the rows of a CSV (objects of strings, no province needed: a Spanish
    spreadsheet often has none); a row breaking only AEAT's rules is an ERROR row like any other, so every
    refusal is a ValidationFailed."""
    items = []
    for payload in payloads:
        try:
            items.append(check_every_rule(payload, province=False))
        except Invalid as error:
            items.append(ValidationFailed(details=error.details))
    return items


def check_every_rule(body: Any, **how) -> dict:
    """check_record, but a refusal names every problem of the item. The rules between fields (the NIF's
    check digit, the identity, the phone for the country) run only once every field is valid on its own, so
    an item with a bad payment method would not hear about its bad NIF until it was corrected and sent
    again: here they are run once more without the refused fields, and what they find is added (but for
    the identity when it was itself refused: leaving it out would only report it missing)."""
    try:
        return check_record(body, **how)
    except Invalid as error:
        if isinstance(body, dict) and _refused_field_by_field(body):
            refused = {path[0] for path in error.errors if path}
            try:
                check_record(_without(body, error.errors), **how)
            except Invalid as more:
                for path, problems in more.errors.items():
                    if not (path and path[0] in IDENTITY and refused & IDENTITY):
                        error.errors.setdefault(path, problems)
        raise


IDENTITY = {"nif", "alternative_id"}


def _refused_field_by_field(body: dict) -> bool:
    try:
        RECORD.clean(body, partial=False)
    except Invalid:
        return True
    return False


def _without(body: dict, paths) -> dict:
    """`body` less the values at `paths` (tuples of keys), and less an object left empty by that (whose own
    required fields would then be reported missing); a path into something that is not an object stops
    where it can."""
    pruned = copy.deepcopy(body)
    for path in paths:
        trail = [pruned]
        for key in path[:-1]:
            trail.append(trail[-1].get(key) if isinstance(trail[-1], dict) else None)
        if not path or not isinstance(trail[-1], dict):
            continue
        trail[-1].pop(path[-1], None)
        for depth in range(len(path) - 1, 0, -1):
            if trail[depth] == {}:
                trail[depth - 1].pop(path[depth - 1], None)
    return pruned
