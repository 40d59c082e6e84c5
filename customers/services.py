"""Customer use cases. The API, the admin and the management commands call these and only format the
result, so every channel applies the same rules with the same outcomes."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from beel.actors import Actor
from beel.api.errors import APIError, parse_uuid
from customers.errors import CustomerAlreadyExists, CustomerHasInvoices, CustomerNotFound, InvalidCustomerId
from customers.models import Customer, CustomerQuerySet, StatusChange
from invoices.models import Invoice

MAX_BULK_IDS = 100


@dataclass(frozen=True)
class DeactivationFailure:
    customer_id: str
    error: APIError
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


def get_customer(*, account, mode: str | None, customer_id: str | uuid.UUID) -> Customer:
    customer_uuid = customer_id if isinstance(customer_id, uuid.UUID) else parse_customer_id(customer_id)
    customer = _customers_visible_to(account, mode).filter(pk=customer_uuid).first()
    if customer is None:
        raise CustomerNotFound()
    return customer


def _customers_visible_to(account, mode: str | None) -> CustomerQuerySet:
    """`account=None` (and `mode=None`) is the staff and operator view (admin, management commands):
    every account, live and test alike. API keys always pass their account and their mode."""
    return Customer.objects.all() if account is None else Customer.objects.for_account(account, mode)


def deactivate_customers(
    *, account, mode: str | None, ids: Iterable[str], actor: Actor, dry_run: bool = False
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
            for customer in _customers_visible_to(account, mode).filter(pk__in=set(parsed.values())).select_for_update()
        }
        # Taken once the locks are held: a deactivation that waited behind a reactivation happened after it.
        now = timezone.now()
        # A separate statement after the lock, so it sees invoices committed while we waited for it.
        invoice_counts = dict(
            Invoice.objects.filter(customer_id__in=list(customers))
            .values("customer_id")
            .annotate(count=Count("id"))
            .values_list("customer_id", "count")
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
            StatusChange.record(customer_ids=to_deactivate, action=StatusChange.Action.DEACTIVATED, actor=actor, at=now)
    position = {raw: index for index, raw in enumerate(report.requested_ids)}
    report.failures.sort(key=lambda failure: position[failure.customer_id])
    return report


def deactivate_customer(*, account, mode: str | None, customer_id: str, actor: Actor) -> Customer:
    """The single-customer case of `deactivate_customers`, raising its failure instead of reporting it."""
    parse_customer_id(customer_id)  # a malformed id is a 400 with details here, not a report entry
    report = deactivate_customers(account=account, mode=mode, ids=[customer_id], actor=actor)
    if report.failures:
        raise report.failures[0].error
    return Customer.objects.get(pk=report.deactivated_ids[0])


def reactivate_customer(*, account, mode: str | None, customer_id: str, actor: Actor) -> Customer:
    """Undo a soft delete. Refused when another active customer now holds the same NIF."""
    with transaction.atomic():
        customer = get_customer(account=account, mode=mode, customer_id=customer_id)
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.active:
            return customer
        ensure_nif_is_free(account=customer.account_id, mode=customer.mode, nif=customer.nif)
        customer.active = True
        customer.deactivated_at = None
        customer.save(update_fields=["active", "deactivated_at", "updated_at"])
        StatusChange.record(customer_ids=[customer.pk], action=StatusChange.Action.REACTIVATED, actor=actor)
    return customer


def ensure_nif_is_free(*, account, mode: str, nif: str, exclude_pk=None) -> None:
    clash = Customer.objects.for_account(account, mode).active().filter(nif=nif)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise _nif_taken()


def create_customer(*, account, mode: str, data: Mapping[str, Any], actor: Actor) -> Customer:
    """`data` is validated and normalised (see customers.serializers / customers.validators)."""
    try:
        with transaction.atomic():
            ensure_nif_is_free(account=account, mode=mode, nif=data["nif"])
            customer = Customer(account=account, mode=mode, **data)
            customer.save()
    except IntegrityError:
        # Two concurrent creates passed the check; the partial unique index stopped the second.
        raise _nif_taken() from None
    return customer


@dataclass(frozen=True)
class CreationFailure:
    index: int
    error: APIError


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


def create_customers(
    *, account, mode: str, items: Sequence[Mapping[str, Any] | APIError], actor: Actor, dry_run: bool = False
) -> CreationReport:
    """Create every valid item, all in one transaction; report the others by index. `items` are validated
    data, or the APIError that validating that item raised. An item whose NIF is held by an active
    customer, or by an earlier item of the same request, fails with CUSTOMER_ALREADY_EXISTS. With
    `dry_run` the report is the same and nothing is written."""
    report = CreationReport(total=len(items), dry_run=dry_run)
    submitted_nifs = {item["nif"] for item in items if not isinstance(item, APIError)}
    taken = set(
        Customer.objects.for_account(account, mode)
        .active()
        .filter(nif__in=submitted_nifs)
        .values_list("nif", flat=True)
    )
    to_create: list[Customer] = []
    for index, item in enumerate(items):
        if isinstance(item, APIError):
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
    except IntegrityError:
        # A concurrent request took one of these NIFs after the check; nothing was written.
        raise CustomerAlreadyExists(
            "An active customer with one of these NIFs was created meanwhile; nothing was written, retry the request"
        ) from None
    return report


def _nif_taken() -> CustomerAlreadyExists:
    return CustomerAlreadyExists(details={"nif": "An active customer with this NIF already exists."})


def update_customer(*, account, mode: str | None, customer_id: str, data: Mapping[str, Any], actor: Actor) -> Customer:
    try:
        with transaction.atomic():
            customer = get_customer(account=account, mode=mode, customer_id=customer_id)
            if "nif" in data and customer.active:
                ensure_nif_is_free(
                    account=customer.account_id, mode=customer.mode, nif=data["nif"], exclude_pk=customer.pk
                )
            for name, value in data.items():
                setattr(customer, name, value)
            customer.save()
    except IntegrityError:
        raise _nif_taken() from None
    return customer
