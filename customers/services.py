"""Customer use cases. The API, the admin and the management commands call these and only format the
result, so every channel applies the same rules with the same outcomes."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from beel.actors import Actor
from beel.clock import today as clock_today
from beel.errors import DomainError, ValidationFailed
from beel.events.models import EventType, NewEvent, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from customers.errors import (
    CustomerAlreadyExists,
    CustomerAnonymized,
    CustomerErasurePending,
    CustomerHasInvoices,
    CustomerInactive,
    CustomerMerged,
    CustomerNotFound,
    InvalidCustomerId,
)
from customers.models import PERSONAL_FIELDS, AuditEntry, Customer, CustomerQuerySet
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

    failure_class = DeactivationFailure

    requested_ids: list[str]
    deactivated_ids: list[str] = field(default_factory=list)
    failures: list[DeactivationFailure] = field(default_factory=list)
    # Among `deactivated_ids`, those that were inactive already, so nothing was written for them. Staff are
    # told both numbers; the API keeps counting them as deactivated (the operation is idempotent).
    already_inactive_ids: list[str] = field(default_factory=list)
    # The customers this call deactivated share it in the audit trail, so exactly they can be reactivated.
    batch: uuid.UUID | None = None

    @property
    def total(self) -> int:
        return len(self.requested_ids)

    @property
    def successful(self) -> int:
        return len(self.deactivated_ids)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def newly_deactivated(self) -> int:
        return self.successful - len(self.already_inactive_ids)


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
    Every use case takes the customer's lock before an invoice's or a series counter's (the whole order is
    written down in invoices.services).
    """
    report = DeactivationReport(requested_ids=[], batch=None if dry_run else uuid.uuid4())
    parsed = _parse_ids(ids, report)

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
                else:
                    report.already_inactive_ids.append(str(customer_uuid))
                report.deactivated_ids.append(str(customer_uuid))
        if to_deactivate and not dry_run:
            Customer.objects.filter(pk__in=to_deactivate).update(active=False, deactivated_at=now, updated_at=now)
            AuditEntry.record(
                customer_ids=to_deactivate,
                action=AuditEntry.Action.DEACTIVATED,
                actor=actor,
                at=now,
                batch=report.batch,
            )
            for customer_uuid in to_deactivate:
                # What the UPDATE above wrote, so the events need no query of their own.
                customer = customers[customer_uuid]
                customer.active, customer.deactivated_at, customer.updated_at = False, now, now
            record_events(
                [_event(EventType.CUSTOMER_DEACTIVATED, customers[customer_uuid]) for customer_uuid in to_deactivate],
                at=now,
            )
    _sort_failures(report)
    return report


def _parse_ids(ids: Iterable[str], report) -> dict[str, uuid.UUID]:
    """The distinct well-formed ids, by how they were spelt; malformed ones become failures of `report`."""
    parsed: dict[str, uuid.UUID] = {}
    seen: set[uuid.UUID] = set()
    for raw in dict.fromkeys(str(raw).strip() for raw in ids):
        try:
            customer_uuid = parse_customer_id(raw)
        except InvalidCustomerId:
            report.requested_ids.append(raw)
            report.failures.append(type(report).failure_class(customer_id=raw, error=InvalidCustomerId()))
            continue
        if customer_uuid in seen:
            continue  # the same UUID spelt twice (e.g. upper and lower case) counts once
        seen.add(customer_uuid)
        parsed[raw] = customer_uuid
        report.requested_ids.append(raw)
    return parsed


def _sort_failures(report) -> None:
    position = {raw: index for index, raw in enumerate(report.requested_ids)}
    report.failures.sort(key=lambda failure: position[failure.customer_id])


def deactivate_customer(*, scope: DataScope, customer_id: str, actor: Actor) -> Customer:
    """The single-customer case of `deactivate_customers`, raising its failure instead of reporting it."""
    parse_customer_id(customer_id)  # a malformed id is a 400 with details here, not a report entry
    report = deactivate_customers(scope=scope, ids=[customer_id], actor=actor)
    if report.failures:
        raise report.failures[0].error
    return Customer.objects.get(pk=report.deactivated_ids[0])


@dataclass(frozen=True)
class ReactivationFailure:
    customer_id: str
    error: DomainError
    customer: Customer | None = None


@dataclass
class ReactivationReport:
    """Outcome per requested id, in request order; duplicates are counted once."""

    failure_class = ReactivationFailure

    requested_ids: list[str]
    reactivated_ids: list[str] = field(default_factory=list)
    already_active_ids: list[str] = field(default_factory=list)
    failures: list[ReactivationFailure] = field(default_factory=list)

    @property
    def successful(self) -> int:
        return len(self.reactivated_ids)

    @property
    def failed(self) -> int:
        return len(self.failures)


def reactivate_customers(*, scope: DataScope, ids: Iterable[str], actor: Actor) -> ReactivationReport:
    """Undo the soft delete of each customer that can be: malformed or unknown ids are reported, and so is
    a customer whose NIF another active customer of its account (and mode) now holds, or an earlier
    customer of the same call takes back. Already active customers are reported apart and left alone. A
    fixed number of queries whatever the number of ids."""
    report = ReactivationReport(requested_ids=[])
    parsed = _parse_ids(ids, report)
    try:
        with transaction.atomic():
            customers = {
                customer.pk: customer
                for customer in Customer.objects.within(scope).filter(pk__in=set(parsed.values())).select_for_update()
            }
            now = timezone.now()
            inactive = [customer for customer in customers.values() if not customer.active]
            taken = set(
                Customer.objects.active()
                .filter(
                    account_id__in={customer.account_id for customer in inactive},
                    nif__in={customer.nif for customer in inactive},
                )
                .values_list("account_id", "mode", "nif")
            )
            to_reactivate: list[uuid.UUID] = []
            for raw, customer_uuid in parsed.items():
                customer = customers.get(customer_uuid)
                if customer is None:
                    report.failures.append(ReactivationFailure(customer_id=raw, error=CustomerNotFound()))
                elif customer.active:
                    report.already_active_ids.append(str(customer_uuid))
                elif (refusal := lifecycle_refusal(customer)) is not None:
                    report.failures.append(ReactivationFailure(customer_id=raw, error=refusal, customer=customer))
                elif (owner_nif := (customer.account_id, customer.mode, customer.nif)) in taken:
                    report.failures.append(ReactivationFailure(customer_id=raw, error=_nif_taken(), customer=customer))
                else:
                    taken.add(owner_nif)
                    to_reactivate.append(customer_uuid)
                    report.reactivated_ids.append(str(customer_uuid))
            if to_reactivate:
                Customer.objects.filter(pk__in=to_reactivate).update(active=True, deactivated_at=None, updated_at=now)
                AuditEntry.record(
                    customer_ids=to_reactivate,
                    action=AuditEntry.Action.REACTIVATED,
                    actor=actor,
                    at=now,
                    batch=uuid.uuid4(),
                )
                for customer_uuid in to_reactivate:
                    customer = customers[customer_uuid]
                    customer.active, customer.deactivated_at, customer.updated_at = True, None, now
                record_events([_event(EventType.CUSTOMER_REACTIVATED, customers[pk]) for pk in to_reactivate], at=now)
    except IntegrityError:
        # A concurrent create or reactivation took one of these NIFs after the check; nothing was written.
        raise _nif_taken() from None
    _sort_failures(report)
    return report


def customers_deactivated_by(*, scope: DataScope, batch: uuid.UUID) -> CustomerQuerySet:
    """The customers that one call of `deactivate_customers` deactivated (not those already inactive)."""
    return Customer.objects.within(scope).filter(
        audit_entries__batch=batch, audit_entries__action=AuditEntry.Action.DEACTIVATED
    )


def undo_deactivation(*, scope: DataScope, batch: uuid.UUID, actor: Actor) -> ReactivationReport:
    """Reactivate exactly the customers that the deactivation `batch` deactivated."""
    ids = [str(pk) for pk in customers_deactivated_by(scope=scope, batch=batch).values_list("pk", flat=True)]
    return reactivate_customers(scope=scope, ids=ids, actor=actor)


def reactivate_customer(*, scope: DataScope, customer_id: str, actor: Actor) -> Customer:
    """The single-customer case of `reactivate_customers`, raising its failure instead of reporting it.
    Refused when another active customer now holds the same NIF."""
    customer_uuid = parse_customer_id(customer_id)
    report = reactivate_customers(scope=scope, ids=[customer_id], actor=actor)
    if report.failures:
        raise report.failures[0].error
    return Customer.objects.get(pk=customer_uuid)


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
            ensure_lifecycle_allows_changes(customer)
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


# --- the end of a customer's life: erasure under legal retention, and merging duplicates ------------------


def lifecycle_refusal(customer: Customer) -> DomainError | None:
    """Why a merged, anonymised or to-be-anonymised customer can never be edited nor reactivated again."""
    if customer.merged_into_id is not None:
        return CustomerMerged(details={"merged_into": str(customer.merged_into_id)})
    if customer.anonymized_at is not None:
        return CustomerAnonymized()
    if customer.erasure_requested_at is not None:
        return CustomerErasurePending(details={"retain_until": customer.retain_until.isoformat()})
    return None


def ensure_lifecycle_allows_changes(customer: Customer) -> None:
    if (refusal := lifecycle_refusal(customer)) is not None:
        raise refusal


def retention_end(last_issue_date: date) -> date:
    """The last day the invoices issued to a customer, and its identity on them, must be kept: the end of the
    year of the last one, plus CUSTOMER_RETENTION_YEARS (6: Código de Comercio art. 30 keeps books and their
    documents six years, outlasting the four of Ley General Tributaria art. 66)."""
    return date(last_issue_date.year + settings.CUSTOMER_RETENTION_YEARS, 12, 31)


# An invoice's status while it is a draft (invoices.models.InvoiceStatus.DRAFT, named here because customers
# does not import invoices): every other invoice (issued, paid or cancelled) stays with the customer it was
# issued to. Those that hold a number were issued, and are documents the law obliges the business to keep (a
# draft cancelled before being issued has none).
DRAFT_STATUS = "draft"


def _last_issued_invoice_date(customer: Customer) -> date | None:
    # Issued at some point: not a draft, and numbered (a draft cancelled before being issued never took a
    # number and is no legal document to keep).
    issued = customer.invoices.exclude(status=DRAFT_STATUS).exclude(number__isnull=True)
    return issued.aggregate(last=Max("issue_date"))["last"]


def erasure_retained_until(customer: Customer) -> date | None:
    """What `request_erasure` would do now: None if it would anonymise the customer at once, otherwise the
    last day its identity must be kept. For previews (the admin's confirmation); writes nothing."""
    last_issued = _last_issued_invoice_date(customer)
    retain_until = retention_end(last_issued) if last_issued else None
    if retain_until is None or retain_until < clock_today():
        return None
    return retain_until


@dataclass(frozen=True)
class MergePreview:
    """What `merge_customers` would do: the drafts that move to the survivor, the issued invoices that stay."""

    duplicate: Customer
    survivor: Customer
    drafts_moving: int
    issued_staying: int


def merge_preview(*, scope: DataScope, customer_id: str, into_id: str) -> MergePreview:
    duplicate = get_customer(scope=scope, customer_id=customer_id)
    survivor = get_customer(scope=scope, customer_id=into_id)
    drafts = duplicate.invoices.filter(status=DRAFT_STATUS).count()
    return MergePreview(
        duplicate=duplicate,
        survivor=survivor,
        drafts_moving=drafts,
        issued_staying=duplicate.invoices.count() - drafts,
    )


@dataclass(frozen=True)
class ErasureOutcome:
    customer: Customer
    anonymized: bool
    retain_until: date | None = None


def request_erasure(*, scope: DataScope, customer_id: str, actor: Actor) -> ErasureOutcome:
    """A request to be forgotten (GDPR art. 17). Without issued invoices still under retention the customer's
    personal data are scrubbed now. Otherwise the request is recorded: the customer is deactivated (it can
    take no invoice, nor be reactivated) and `anonymize_due_customers` scrubs it once `retain_until` has
    passed. Idempotent: asking again answers the same outcome."""
    with transaction.atomic():
        customer = get_customer(scope=scope, customer_id=customer_id, for_update=True)
        if customer.merged_into_id is not None:
            raise CustomerMerged(details={"merged_into": str(customer.merged_into_id)})
        if customer.anonymized_at is not None:
            return ErasureOutcome(customer=customer, anonymized=True)
        now = timezone.now()
        retain_until = erasure_retained_until(customer)
        if retain_until is None:
            _anonymize(customer, actor=actor, at=now)
            return ErasureOutcome(customer=customer, anonymized=True)
        if customer.erasure_requested_at is None:
            changed = ["erasure_requested_at", "retain_until"]
            customer.erasure_requested_at, customer.retain_until = now, retain_until
            if customer.active:
                customer.active, customer.deactivated_at = False, now
                changed += ["active", "deactivated_at"]
                AuditEntry.record(customer_ids=[customer.pk], action=AuditEntry.Action.DEACTIVATED, actor=actor, at=now)
            customer.save(update_fields=[*changed, "updated_at"])
            if "active" in changed:
                record_events([_event(EventType.CUSTOMER_DEACTIVATED, customer)], at=now)
            AuditEntry.record(
                customer_ids=[customer.pk], action=AuditEntry.Action.ERASURE_REQUESTED, actor=actor, at=now
            )
        return ErasureOutcome(customer=customer, anonymized=False, retain_until=customer.retain_until)


def _anonymize(customer: Customer, *, actor: Actor, at) -> None:
    """Scrub the personal data in place; the row, its id and its history (which holds no values) remain."""
    customer.legal_name = f"Anonymised customer {customer.pk.hex[:8]}"
    for name in PERSONAL_FIELDS[1:]:
        setattr(customer, name, "")
    customer.active = False
    customer.deactivated_at = customer.deactivated_at or at
    customer.erasure_requested_at = customer.erasure_requested_at or at
    customer.anonymized_at = at
    customer.save(
        update_fields=[
            *PERSONAL_FIELDS,
            "active",
            "deactivated_at",
            "erasure_requested_at",
            "anonymized_at",
            "updated_at",
        ]
    )
    AuditEntry.record(
        customer_ids=[customer.pk],
        action=AuditEntry.Action.ANONYMIZED,
        actor=actor,
        at=at,
        changed_fields=PERSONAL_FIELDS,
    )
    record_events([_event(EventType.CUSTOMER_ANONYMIZED, customer)], at=at)


def anonymize_due_customers(*, actor: Actor) -> list[Customer]:
    """Anonymise every customer whose erasure waited for a retention period that ended before today (run
    daily: `anonymizeduecustomers`). Each in its own short transaction."""
    anonymized = []
    for pk in Customer.objects.erasure_due(clock_today()).values_list("pk", flat=True):
        with transaction.atomic():
            customer = Customer.objects.select_for_update().filter(pk=pk, anonymized_at__isnull=True).first()
            if customer is not None:
                _anonymize(customer, actor=actor, at=timezone.now())
                anonymized.append(customer)
    return anonymized


def merge_customers(*, scope: DataScope, customer_id: str, into_id: str, actor: Actor) -> Customer:
    """Merge a duplicate into the customer that survives (same account and mode): its draft invoices move to
    the survivor, its issued invoices stay where they are (legal documents name the recipient they were
    issued to), and it becomes inactive with `merged_into`, still answering with its record. Idempotent."""
    duplicate_pk = parse_customer_id(customer_id)
    survivor_pk = parse_uuid(into_id, field="into")
    if duplicate_pk == survivor_pk:
        raise ValidationFailed(details={"into": "A customer cannot be merged into itself."})
    with transaction.atomic():
        # Locked in the model's order, as every multi-customer lock is taken (deactivate_customers).
        locked = {
            customer.pk: customer
            for customer in Customer.objects.within(scope)
            .filter(pk__in=[duplicate_pk, survivor_pk])
            .select_for_update()
        }
        duplicate, survivor = locked.get(duplicate_pk), locked.get(survivor_pk)
        if duplicate is None:
            raise CustomerNotFound()
        if survivor is None:
            raise CustomerNotFound("The customer to merge into was not found", details={"into": "Not found."})
        if duplicate.merged_into_id == survivor.pk:
            return duplicate
        ensure_lifecycle_allows_changes(duplicate)
        ensure_lifecycle_allows_changes(survivor)
        if not survivor.active:
            raise CustomerInactive("The customer to merge into is deactivated; reactivate it first")
        now = timezone.now()
        duplicate.invoices.filter(status=DRAFT_STATUS).update(customer=survivor, updated_at=now)
        duplicate.merged_into = survivor
        changed = ["merged_into"]
        if duplicate.active:
            duplicate.active, duplicate.deactivated_at = False, now
            changed += ["active", "deactivated_at"]
        duplicate.save(update_fields=[*changed, "updated_at"])
        AuditEntry.record(customer_ids=[duplicate.pk], action=AuditEntry.Action.MERGED, actor=actor, at=now)
        AuditEntry.record(customer_ids=[survivor.pk], action=AuditEntry.Action.ABSORBED, actor=actor, at=now)
        record_events([_event(EventType.CUSTOMER_MERGED, duplicate)], at=now)
    return duplicate


def _event(event_type: EventType, customer: Customer) -> NewEvent:
    """The event of a change to `customer`, recorded in the change's transaction (the outbox)."""
    return NewEvent(
        account_id=customer.account_id,
        mode=customer.mode,
        type=event_type,
        data=customer_detail_representation(customer),
    )
