"""Creating customers, one or many in one transaction."""

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from beel.actors import Actor
from beel.db.copy import insert_many
from beel.errors import DomainError
from beel.events.models import EventType, record_events
from beel.tenancy import DataScope
from customers.batch import validate_bulk_items
from customers.errors import BulkValidationFailed, CustomerAlreadyExists
from customers.models import AuditEntry, Customer
from customers.services.base import customer_event
from customers.services.identity import ensure_identity_is_free, identities_held, identity_of, identity_taken
from customers.services.reports import (
    CreationFailure,
    CreationReport,
    ImportedRow,
    ImportMessage,
    ImportReport,
    ImportStatus,
    SourceType,
)
from customers.services.tax_id import (
    Precheck,
    precheck_new,
    prechecks_for,
    screen_tax_ids,
    tax_id_of,
    verification_of_new,
)


def with_creation_defaults(data: Mapping[str, Any]) -> dict[str, Any]:
    """BeeL's creation default: a trade name left out is the legal name (one sent empty or null stays empty)."""
    return {"trade_name": data.get("legal_name", ""), **data}


def create_customer(*, scope: DataScope, data: Mapping[str, Any], actor: Actor) -> Customer:
    """A customer of the scope's one company and mode. `data` is validated and normalised (see
    customers.record)."""
    account, company, mode = scope.issuer()
    data = with_creation_defaults(data)
    # The registry is asked before the transaction (customers.services.tax_id): a slow one holds no lock.
    verification = verification_of_new(precheck_new(data))
    try:
        with transaction.atomic():
            ensure_identity_is_free(company_id=company.pk, mode=mode, values=data)
            customer = Customer(account=account, company=company, mode=mode, **data, **verification)
            customer.save()
            AuditEntry.record(customer_ids=[customer.pk], action=AuditEntry.Action.CREATED, actor=actor)
            record_events([customer_event(EventType.CUSTOMER_CREATED, customer)])
    except IntegrityError:
        # Two concurrent creates passed the check; the partial unique index stopped the second.
        raise identity_taken(identity_of(data)) from None
    return customer


def create_customers(
    *,
    scope: DataScope,
    items: Sequence[Mapping[str, Any] | DomainError],
    actor: Actor,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    tax_id_checks: Mapping | None = None,
) -> CreationReport:
    """Create every valid item, all in one transaction; report the others by index. `items` are validated
    data, or the DomainError that validating that item raised. An item whose NIF is held by an active
    customer, or by an earlier item of the same request, fails with CLIENT_DUPLICATE. With
    `dry_run`, or with `all_or_nothing` when any item failed, the report is the same and nothing is
    written. `tax_id_checks` are the registries' answers by tax id (`screen_tax_ids`), asked here when not given.
    """
    account, company, mode = scope.issuer()
    report = CreationReport(total=len(items), dry_run=dry_run)
    valid = [item for item in items if not isinstance(item, DomainError)]
    checks = prechecks_for(valid) if tax_id_checks is None else tax_id_checks
    taken = _held_in_own_company((account.pk, company.pk, mode), valid)
    to_create: list[Mapping[str, Any]] = []
    for index, item in enumerate(items):
        if isinstance(item, DomainError):
            report.failures.append(CreationFailure(index=index, error=item))
        elif (identity := identity_of(item)) in taken:
            report.failures.append(CreationFailure(index=index, error=identity_taken(identity)))
        else:
            taken.add(identity)
            to_create.append(item)
    if dry_run or not to_create or (all_or_nothing and report.failures):
        return report  # nothing is written: no customer is built
    customers = [_new_customer(scope, item, checks) for item in to_create]
    try:
        with transaction.atomic():
            report.created = insert_many(Customer, customers)
            AuditEntry.record(
                customer_ids=[customer.pk for customer in report.created], action=AuditEntry.Action.CREATED, actor=actor
            )
            record_events([customer_event(EventType.CUSTOMER_CREATED, customer) for customer in report.created])
    except IntegrityError:
        # A concurrent request took one of these NIFs after the check; nothing was written.
        raise CustomerAlreadyExists(
            "An active customer with one of these NIFs (or alternative ids) was created meanwhile; nothing was "
            "written, retry the request"
        ) from None
    return report


def _new_customer(scope: DataScope, item: Mapping[str, Any], checks: Mapping) -> Customer:
    """An unsaved customer of the scope's company and mode, with its tax id's answer among `checks`."""
    account, company, mode = scope.issuer()
    tax_id = tax_id_of(item)
    verification = verification_of_new(Precheck(tax_id, checks.get(tax_id)))
    customer = Customer(account=account, company=company, mode=mode, **with_creation_defaults(item), **verification)
    customer.fold_search_fields()  # bulk_create does not call save()
    return customer


def _held_in_own_company(owner: tuple, submitted: list[Mapping[str, Any]]) -> set:
    """The identities of `submitted` (validated data for the `owner`: account id, company id and mode) that
    active customers of that company and mode already hold (a live customer's NIF is free for a test
    customer, and another company's for this one)."""
    if not submitted:
        return set()
    held = identities_held({owner: submitted})
    return {identity for held_company_id, held_mode, identity in held if (held_company_id, held_mode) == owner[1:]}


def create_customers_in_bulk(*, scope: DataScope, raw_items: list, actor: Actor, dry_run: bool) -> ImportReport:
    """POST /customers/bulk as BeeL does it: every item validated on its own and checked against the
    account's active customers and the earlier items; then, unless `dry_run`, all of them created in one
    transaction, or (BulkValidationFailed, carrying the report) none when any is not valid or a duplicate."""
    started = time.monotonic()
    items, checks = screen_tax_ids(validate_bulk_items(raw_items))
    creation = create_customers(
        scope=scope, items=items, actor=actor, dry_run=dry_run, all_or_nothing=True, tax_id_checks=checks
    )
    rows = report_rows(
        items,
        creation,
        echoes=[raw if isinstance(raw, dict) else None for raw in raw_items],
        positions=list(range(len(raw_items))),
        earlier=lambda index: gettext("Item %(n)d of the request") % {"n": index},
    )
    report = ImportReport(SourceType.BULK_JSON, dry_run, rows, processing_time_ms=elapsed_ms(started))
    if not dry_run and report.importable < len(rows):
        raise BulkValidationFailed(report)
    return report


def elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def report_rows(
    items: Sequence[Mapping[str, Any] | DomainError],
    creation: CreationReport,
    *,
    echoes: Sequence[dict | None],
    positions: Sequence[int],
    earlier: Callable[[int], str],
    warnings: Sequence[list[ImportMessage]] = (),
) -> list[ImportedRow]:
    """One row of the unified result per item: ERROR or NIF_INVALID with every problem of an invalid item,
    DUPLICATE naming the earlier item (by `earlier(position)`) or the customer holding its identity, else
    VALID, or WARNING when `warnings` has some for it; `customer_id` when it was created."""
    failures = {failure.index: failure.error for failure in creation.failures}
    created = iter(creation.created)
    first_of_identity: dict[tuple | None, int] = {}
    rows = []
    for index, item in enumerate(items):
        position, echo = positions[index], echoes[index]
        notes = warnings[index] if warnings else []
        if isinstance(item, DomainError):
            rows.append(_invalid_row(position, item, echo, notes))
            continue
        # By the identity the unique indexes hold (a NIF, or an alternative id's country and number, whatever its
        # type), as the duplicate check found it.
        first = first_of_identity.setdefault(identity_of(item), position)
        if (error := failures.get(index)) is not None:
            field = "nif" if item.get("nif") else "alternative_id"
            same = (
                gettext("%(earlier)s has the same NIF")
                if field == "nif"
                else gettext("%(earlier)s has the same alternative id")
            )
            message = same % {"earlier": earlier(first)}
            problem = ImportMessage(
                message if first != position else error.message,
                field,
                _value_at(echo, field),
                code="same_as_earlier" if first != position else str(error.code),
                params=(("earlier", first),) if first != position else (),
            )
            rows.append(ImportedRow(position, ImportStatus.DUPLICATE, [problem], notes, echo))
            continue
        status = ImportStatus.WARNING if notes else ImportStatus.VALID
        customer_id = None if creation.dry_run or not creation.created else next(created).pk
        rows.append(ImportedRow(position, status, [], notes, echo, customer_id=customer_id))
    return rows


def _invalid_row(position: int, error: DomainError, echo: dict | None, notes: list) -> ImportedRow:
    details = error.details or {"non_field_errors": error.message}
    status = ImportStatus.NIF_INVALID if "nif" in details else ImportStatus.ERROR
    problems = [ImportMessage(str(text), name, _value_at(echo, name)) for name, text in details.items()]
    return ImportedRow(position, status, problems, notes, echo)


def _value_at(echo: dict | None, path: str) -> str | None:
    """The submitted value at a dotted path, as text (None when there is none)."""
    value: Any = echo
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return None if value is None or isinstance(value, dict | list) else str(value)
