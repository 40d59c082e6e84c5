"""The right to be forgotten under legal retention: erasure now, or once the invoices need not be kept."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beel.actors import Actor
from beel.clock import today as clock_today
from beel.events.models import EventType, record_events
from beel.tenancy import DataScope
from customers.errors import CustomerMerged
from customers.models import PERSONAL_FIELDS, AuditEntry, Customer
from customers.services import dependents
from customers.services.base import customer_event, get_customer
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
                record_events([customer_event(EventType.CUSTOMER_DEACTIVATED, customer)], at=now)
            AuditEntry.record(
                customer_ids=[customer.pk], action=AuditEntry.Action.ERASURE_REQUESTED, actor=actor, at=now
            )
        return ErasureOutcome(customer=customer, anonymized=False, retain_until=customer.retain_until)


# What an erasure leaves in the fields that are not text.
SCRUBBED = {"billing_emails": [], "metadata": {}, "general_discount": Decimal("0"), "payment_term_days": None}


def _anonymize(customer: Customer, *, actor: Actor, at) -> None:
    """Scrub the personal data in place; the row, its id and its history (which holds no values) remain."""
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
