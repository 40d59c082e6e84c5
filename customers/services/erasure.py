"""The right to be forgotten under legal retention: erasure now, or once the invoices need not be kept."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beel.actors import Actor
from beel.clock import today as clock_today
from beel.db.locking import lock_settled
from beel.events.models import EventType, record_events
from beel.tenancy import DataScope
from customers.errors import CustomerNotFound
from customers.models import PERSONAL_FIELDS, AuditEntry, Customer
from customers.services import dependents
from customers.services.base import customer_event, get_customer
from customers.services.erasure_copies import ErasedValues, erase_copies
from customers.services.reports import ErasureOutcome
from customers.services.tax_id import VERIFICATION_FIELDS, verification_values


def retention_end(last_issue_date: date) -> date:
    """The last day the invoices issued to a customer, and its identity on them, must be kept: the end of the
    year of the last one, plus CUSTOMER_RETENTION_YEARS (6: Código de Comercio art. 30 keeps books and their
    documents six years, outlasting the four of Ley General Tributaria art. 66)."""
    return date(last_issue_date.year + settings.CUSTOMER_RETENTION_YEARS, 12, 31)


def erasure_retained_until(customer: Customer) -> date | None:
    """What `request_erasure` would do now: None if it would anonymise the customer at once, otherwise the
    last day its identity must be kept. For previews (the admin's confirmation); writes nothing."""
    last_kept = dependents.last_kept_date(customer)
    retain_until = retention_end(last_kept) if last_kept else None
    if retain_until is None or retain_until < clock_today():
        return None
    return retain_until


def request_erasure(*, scope: DataScope, customer_id: str, actor: Actor) -> ErasureOutcome:
    """A request to be forgotten (GDPR art. 17). Without issued invoices still under retention the customer's
    personal data, and every copy of them (customers.services.erasure_copies), are scrubbed now. Otherwise the
    request is recorded: the customer is deactivated (it can take no invoice, nor be reactivated) and
    `anonymize_due_customers` scrubs it once `retain_until` has passed. Idempotent: asking again answers the
    same outcome.

    The duplicates merged into the customer are the same person: each is erased with it, by the same rule
    (anonymised now, or once the invoices issued to it need no longer be kept), and keeps pointing at it. A
    merged duplicate asked for alone is erased alone, keeping its link to its survivor."""
    with transaction.atomic():
        customer, duplicates = _locked_with_duplicates(scope, customer_id)
        now = timezone.now()
        for duplicate in duplicates:
            _erase(duplicate, actor=actor, at=now)
        return _erase(customer, actor=actor, at=now)


def _locked_with_duplicates(scope: DataScope, customer_id: str) -> tuple[Customer, list[Customer]]:
    """The customer and every customer merged into it (through chains of merges), their rows locked together by
    ascending id, as every multi-customer lock is taken (CustomerQuerySet.locked). Read first without a
    lock, then locked and read again: a merge into one of them that committed in between makes it start over
    (lock_settled) with that customer taken in too, and
    none can commit once they are locked (a merge locks its survivor)."""
    customer = get_customer(scope=scope, customer_id=customer_id)
    family = _with_duplicates(customer.pk)

    def take() -> dict | None:
        nonlocal family
        locked = {c.pk: c for c in Customer.objects.filter(pk__in=family).locked()}
        now_family = _with_duplicates(customer.pk)
        if now_family != family:
            family = now_family
            return None
        return locked

    locked = lock_settled(take)
    customer = locked[customer.pk]
    if customer.deleted_at is not None:  # deleted (BeeL's deleteCompanyCustomer) while we waited for its lock
        raise CustomerNotFound()
    return customer, [locked[pk] for pk in family if pk != customer.pk]


def _with_duplicates(pk) -> set:
    family, newest = {pk}, {pk}
    while newest:
        newest = set(Customer.objects.filter(merged_into__in=newest).values_list("pk", flat=True)) - family
        family |= newest
    return family


def _erase(customer: Customer, *, actor: Actor, at) -> ErasureOutcome:
    """Erase one locked customer now, or record the request until its retention ends."""
    if customer.anonymized_at is not None:
        return ErasureOutcome(customer=customer, anonymized=True)
    retain_until = erasure_retained_until(customer)
    if retain_until is None:
        _anonymize(customer, actor=actor, at=at)
        return ErasureOutcome(customer=customer, anonymized=True)
    if customer.erasure_requested_at is None:
        changed = ["erasure_requested_at", "retain_until"]
        customer.erasure_requested_at, customer.retain_until = at, retain_until
        if customer.active:
            customer.active, customer.deactivated_at = False, at
            changed += ["active", "deactivated_at"]
            AuditEntry.record(customer_ids=[customer.pk], action=AuditEntry.Action.DEACTIVATED, actor=actor, at=at)
        customer.save(update_fields=[*changed, "updated_at"])
        if "active" in changed:
            record_events([customer_event(EventType.CUSTOMER_DEACTIVATED, customer)], at=at)
        AuditEntry.record(customer_ids=[customer.pk], action=AuditEntry.Action.ERASURE_REQUESTED, actor=actor, at=at)
    return ErasureOutcome(customer=customer, anonymized=False, retain_until=customer.retain_until)


# What an erasure leaves in the fields that are not text.
SCRUBBED = {"billing_emails": [], "metadata": {}, "general_discount": Decimal("0"), "payment_term_days": None}


def _anonymize(customer: Customer, *, actor: Actor, at) -> None:
    """Scrub the personal data in place, and every copy of them; the row, its id, its link to the customer it
    was merged into and its history (which holds no values) remain."""
    erased = ErasedValues(customer)
    customer.legal_name = f"Anonymised customer {customer.pk.hex[:8]}"
    for name in PERSONAL_FIELDS[1:]:
        setattr(customer, name, SCRUBBED.get(name, ""))
    # The registry's name for the taxpayer and its check go with the tax id.
    for name, value in verification_values(None).items():
        setattr(customer, name, value)
    customer.active = False
    customer.deactivated_at = customer.deactivated_at or at
    customer.erasure_requested_at = customer.erasure_requested_at or at
    customer.anonymized_at = at
    customer.save(
        update_fields=[
            *PERSONAL_FIELDS,
            *VERIFICATION_FIELDS,
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
    erase_copies(customer, erased)
    record_events([customer_event(EventType.CUSTOMER_ANONYMIZED, customer)], at=at)


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
