"""Customer use cases. The API, the admin and the management commands call these and only format the
result, so every channel applies the same rules with the same outcomes."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from beel.actors import Actor
from beel.errors import DomainError
from beel.events.models import EventType, NewEvent, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from customers.errors import CustomerAlreadyExists, CustomerHasInvoices, CustomerNotFound, InvalidCustomerId
from customers.models import AuditEntry, Customer
from customers.representations import customer_detail_representation

MAX_BULK_IDS = 100


@dataclass(frozen=True)
class DeactivationFailure:
    customer_id: str
    error: DomainError
    customer: Customer | None = None
    invoice_count: int = 0


@dataclass
class DeactivationReport:
    """Outcome per requested id, in request order; duplicates are counted once."""

    requested_ids: list[str]
    deactivated_ids: list[str] = field(default_factory=list)
    failures: list[DeactivationFailure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.requested_ids)

    @property
    def successful(self) -> int:
        return len(self.deactivated_ids)

    @property
    def failed(self) -> int:
        return len(self.failures)


def parse_customer_id(raw: str) -> uuid.UUID:
    return parse_uuid(raw, field="customer_id", error_class=InvalidCustomerId)


def get_customer(*, scope: DataScope, customer_id: str | uuid.UUID, for_update: bool = False) -> Customer:
    """The customer with this id in `scope`; with `for_update`, its row locked until the transaction ends."""
    customer_uuid = customer_id if isinstance(customer_id, uuid.UUID) else parse_customer_id(customer_id)
    customers = Customer.objects.within(scope).filter(pk=customer_uuid)
    customer = (customers.select_for_update() if for_update else customers).first()
    if customer is None:
        raise CustomerNotFound()
    return customer


def deactivate_customers(
    *, scope: DataScope, ids: Iterable[str], actor: Actor, dry_run: bool = False
) -> DeactivationReport:
    """Soft-delete each customer that can be: malformed ids, ids unknown to the account and customers with
    invoices are reported, the rest deactivated. Already inactive customers count as deactivated
    (idempotent). A fixed number of queries whatever the number of ids. With `dry_run`, the same report
    is computed and nothing is written.

    The customer rows are locked before their invoices are counted, and invoice creation locks the same
    row (invoices.services.create_invoice), so no invoice can appear under a customer being deactivated.
    """
    report = DeactivationReport(requested_ids=[])
    parsed: dict[str, uuid.UUID] = {}
    seen: set[uuid.UUID] = set()
    for raw in dict.fromkeys(str(raw).strip() for raw in ids):
        try:
            customer_uuid = parse_customer_id(raw)
        except InvalidCustomerId:
            report.requested_ids.append(raw)
            report.failures.append(DeactivationFailure(customer_id=raw, error=InvalidCustomerId()))
            continue
        if customer_uuid in seen:
            continue  # the same UUID spelt twice (e.g. upper and lower case) counts once
        seen.add(customer_uuid)
        parsed[raw] = customer_uuid
        report.requested_ids.append(raw)

    with transaction.atomic():
        customers = {
            customer.pk: customer
            for customer in Customer.objects.within(scope).filter(pk__in=set(parsed.values())).select_for_update()
        }
        # Taken once the locks are held: a deactivation that waited behind a reactivation happened after it.
        now = timezone.now()
        # A separate statement after the lock, so it sees invoices committed while we waited for it.
        invoice_counts = dict(
            Customer.objects.filter(pk__in=list(customers), invoices__isnull=False)
            .with_invoice_count()
            .values_list("pk", "invoice_count")
        )
        to_deactivate: list[uuid.UUID] = []
        for raw, customer_uuid in parsed.items():
            customer = customers.get(customer_uuid)
            if customer is None:
                report.failures.append(DeactivationFailure(customer_id=raw, error=CustomerNotFound()))
            elif invoice_counts.get(customer_uuid, 0):
                report.failures.append(
                    DeactivationFailure(
                        customer_id=raw,
                        error=CustomerHasInvoices(),
                        customer=customer,
                        invoice_count=invoice_counts[customer_uuid],
                    )
                )
            else:
                if customer.active:
                    to_deactivate.append(customer_uuid)
                report.deactivated_ids.append(str(customer_uuid))
        if to_deactivate and not dry_run:
            Customer.objects.filter(pk__in=to_deactivate).update(active=False, deactivated_at=now, updated_at=now)
            AuditEntry.record(customer_ids=to_deactivate, action=AuditEntry.Action.DEACTIVATED, actor=actor, at=now)
            for customer_uuid in to_deactivate:
                # What the UPDATE above wrote, so the events need no query of their own.
                customer = customers[customer_uuid]
                customer.active, customer.deactivated_at, customer.updated_at = False, now, now
            record_events(
                [_event(EventType.CUSTOMER_DEACTIVATED, customers[customer_uuid]) for customer_uuid in to_deactivate],
                at=now,
            )
    position = {raw: index for index, raw in enumerate(report.requested_ids)}
    report.failures.sort(key=lambda failure: position[failure.customer_id])
    return report


def deactivate_customer(*, scope: DataScope, customer_id: str, actor: Actor) -> Customer:
    """The single-customer case of `deactivate_customers`, raising its failure instead of reporting it."""
    parse_customer_id(customer_id)  # a malformed id is a 400 with details here, not a report entry
    report = deactivate_customers(scope=scope, ids=[customer_id], actor=actor)
    if report.failures:
        raise report.failures[0].error
    return Customer.objects.get(pk=report.deactivated_ids[0])


def reactivate_customer(*, scope: DataScope, customer_id: str, actor: Actor) -> Customer:
    """Undo a soft delete. Refused when another active customer now holds the same NIF."""
    with transaction.atomic():
        customer = get_customer(scope=scope, customer_id=customer_id, for_update=True)
        if customer.active:
            return customer
        ensure_nif_is_free(account=customer.account_id, mode=customer.mode, nif=customer.nif)
        customer.active = True
        customer.deactivated_at = None
        customer.save(update_fields=["active", "deactivated_at", "updated_at"])
        AuditEntry.record(customer_ids=[customer.pk], action=AuditEntry.Action.REACTIVATED, actor=actor)
        record_events([_event(EventType.CUSTOMER_REACTIVATED, customer)])
    return customer


def ensure_nif_is_free(*, account, mode: str, nif: str, exclude_pk=None) -> None:
    clash = Customer.objects.for_account(account, mode).active().filter(nif=nif)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise _nif_taken()


def create_customer(*, scope: DataScope, data: Mapping[str, Any], actor: Actor) -> Customer:
    """A customer of the scope's one account and mode. `data` is validated and normalised (see
    customers.serializers / customers.validators)."""
    account, mode = scope.owner()
    try:
        with transaction.atomic():
            ensure_nif_is_free(account=account, mode=mode, nif=data["nif"])
            customer = Customer(account=account, mode=mode, **data)
            customer.save()
            AuditEntry.record(customer_ids=[customer.pk], action=AuditEntry.Action.CREATED, actor=actor)
            record_events([_event(EventType.CUSTOMER_CREATED, customer)])
    except IntegrityError:
        # Two concurrent creates passed the check; the partial unique index stopped the second.
        raise _nif_taken() from None
    return customer


@dataclass(frozen=True)
class CreationFailure:
    index: int
    error: DomainError


@dataclass
class CreationReport:
    """Outcome per submitted item, by its position in the request."""

    total: int
    dry_run: bool
    created: list[Customer] = field(default_factory=list)
    failures: list[CreationFailure] = field(default_factory=list)

    @property
    def successful(self) -> int:
        return self.total - len(self.failures)

    @property
    def failed(self) -> int:
        return len(self.failures)


def create_customers(
    *, scope: DataScope, items: Sequence[Mapping[str, Any] | DomainError], actor: Actor, dry_run: bool = False
) -> CreationReport:
    """Create every valid item, all in one transaction; report the others by index. `items` are validated
    data, or the DomainError that validating that item raised. An item whose NIF is held by an active
    customer, or by an earlier item of the same request, fails with CUSTOMER_ALREADY_EXISTS. With
    `dry_run` the report is the same and nothing is written."""
    account, mode = scope.owner()
    report = CreationReport(total=len(items), dry_run=dry_run)
    submitted_nifs = {item["nif"] for item in items if not isinstance(item, DomainError)}
    taken = set(
        Customer.objects.for_account(account, mode)
        .active()
        .filter(nif__in=submitted_nifs)
        .values_list("nif", flat=True)
    )
    to_create: list[Customer] = []
    for index, item in enumerate(items):
        if isinstance(item, DomainError):
            report.failures.append(CreationFailure(index=index, error=item))
        elif item["nif"] in taken:
            report.failures.append(CreationFailure(index=index, error=_nif_taken()))
        else:
            taken.add(item["nif"])
            customer = Customer(account=account, mode=mode, **item)
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
            record_events([_event(EventType.CUSTOMER_CREATED, customer) for customer in report.created])
    except IntegrityError:
        # A concurrent request took one of these NIFs after the check; nothing was written.
        raise CustomerAlreadyExists(
            "An active customer with one of these NIFs was created meanwhile; nothing was written, retry the request"
        ) from None
    return report


def _nif_taken() -> CustomerAlreadyExists:
    return CustomerAlreadyExists(details={"nif": "An active customer with this NIF already exists."})


def update_customer(*, scope: DataScope, customer_id: str, data: Mapping[str, Any], actor: Actor) -> Customer:
    """Change the given fields of a customer; `data` is validated and normalised, and never holds the
    lifecycle fields (`active`, `deactivated_at`), which only deactivation and reactivation write.

    The row is locked and only the changed columns are written, so an update that races a deactivation
    can neither undo it nor be undone by it."""
    try:
        with transaction.atomic():
            customer = get_customer(scope=scope, customer_id=customer_id, for_update=True)
            changed = [name for name, value in data.items() if getattr(customer, name) != value]
            if not changed:
                return customer
            if "nif" in changed and customer.active:
                ensure_nif_is_free(
                    account=customer.account_id, mode=customer.mode, nif=data["nif"], exclude_pk=customer.pk
                )
            for name in changed:
                setattr(customer, name, data[name])
            customer.save(update_fields=[*changed, "updated_at"])
            AuditEntry.record(
                customer_ids=[customer.pk], action=AuditEntry.Action.UPDATED, actor=actor, changed_fields=changed
            )
            record_events([_event(EventType.CUSTOMER_UPDATED, customer)])
    except IntegrityError:
        raise _nif_taken() from None
    return customer


def _event(event_type: EventType, customer: Customer) -> NewEvent:
    """The event of a change to `customer`, recorded in the change's transaction (the outbox)."""
    return NewEvent(
        account_id=customer.account_id,
        mode=customer.mode,
        type=event_type,
        data=customer_detail_representation(customer),
    )
