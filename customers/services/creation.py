"""Creating customers, one or many in one transaction."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from beel.actors import Actor
from beel.errors import DomainError
from beel.events.models import EventType, record_events
from beel.tenancy import DataScope
from customers.errors import CustomerAlreadyExists
from customers.models import AuditEntry, Customer
from customers.services.base import customer_event
from customers.services.identity import ensure_identity_is_free, identities_taken, identity_of, identity_taken
from customers.services.reports import CreationFailure, CreationReport


def with_creation_defaults(data: Mapping[str, Any]) -> dict[str, Any]:
    """BeeL's creation default: a trade name left out is the legal name (one sent empty or null stays empty)."""
    return {"trade_name": data.get("legal_name", ""), **data}


def create_customer(*, scope: DataScope, data: Mapping[str, Any], actor: Actor) -> Customer:
    """A customer of the scope's one account and mode. `data` is validated and normalised (see
    customers.record)."""
    account, mode = scope.owner()
    data = with_creation_defaults(data)
    try:
        with transaction.atomic():
            ensure_identity_is_free(account=account, mode=mode, values=data)
            customer = Customer(account=account, mode=mode, **data)
            customer.save()
            AuditEntry.record(customer_ids=[customer.pk], action=AuditEntry.Action.CREATED, actor=actor)
            record_events([customer_event(EventType.CUSTOMER_CREATED, customer)])
    except IntegrityError:
        # Two concurrent creates passed the check; the partial unique index stopped the second.
        raise identity_taken(identity_of(data)) from None
    return customer


def create_customers(
    *, scope: DataScope, items: Sequence[Mapping[str, Any] | DomainError], actor: Actor, dry_run: bool = False
) -> CreationReport:
    """Create every valid item, all in one transaction; report the others by index. `items` are validated
    data, or the DomainError that validating that item raised. An item whose NIF is held by an active
    customer, or by an earlier item of the same request, fails with CLIENT_DUPLICATE. With
    `dry_run` the report is the same and nothing is written."""
    account, mode = scope.owner()
    report = CreationReport(total=len(items), dry_run=dry_run)
    valid = [item for item in items if not isinstance(item, DomainError)]
    submitted = [Customer(account=account, mode=mode, **with_creation_defaults(item)) for item in valid]
    # Only this account and mode's holders: a live customer's NIF is free for a test customer.
    taken = {
        identity
        for account_id, holder_mode, identity in identities_taken(submitted)
        if (account_id, holder_mode) == (account.pk, mode)
    }
    to_create: list[Customer] = []
    for index, item in enumerate(items):
        if isinstance(item, DomainError):
            report.failures.append(CreationFailure(index=index, error=item))
        elif (identity := identity_of(item)) in taken:
            report.failures.append(CreationFailure(index=index, error=identity_taken(identity)))
        else:
            taken.add(identity)
            customer = Customer(account=account, mode=mode, **with_creation_defaults(item))
            customer.fold_search_fields()  # bulk_create does not call save()
            to_create.append(customer)
    if dry_run or not to_create:
        return report
    try:
        with transaction.atomic():
            report.created = Customer.objects.bulk_create(to_create)
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
