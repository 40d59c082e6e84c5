"""A customer's tax id checked against its registry (beel.registries): AEAT's census for a Spanish NIF (a legal
entity's CIF alone, a natural person's NIF with its legal name), VIES for a NIF_IVA alternative id; other
alternative ids are held by no registry and never checked.

BeeL's rule (1.9.0 §4, "AEAT census rules"): checked on create, and on PUT/PATCH only when what the registry
is asked changes (`nif`, a natural person's `legal_name`, the alternative id), so resending the stored pair
never asks. The outcome never blocks a save (issue 25; docs/api.md, "Tax id verification").

The registry is asked outside the transaction that saves the customer, so a slow registry never holds the
customer's row or its company's counter: before the save (`precheck_*`, one call with no inline retry), and
the answer written with the row. Without a verdict (PENDING: not configured, unreachable, busy) the customer
is saved PENDING with a re-check due; the periodic sweep (customers.tasks) asks again, with backoff, until a
verdict, which is stored and reported by a `customer.tax_id_verified` event."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from beel import registries
from beel.clock import clock
from beel.errors import DomainError, ValidationFailed
from beel.events.models import EventType, record_events
from beel.registries import RegistryAnswer, Status, TaxId, state
from beel.tenancy import DataScope
from customers.models import Customer, TaxIdStatus
from customers.services.base import customer_event, get_customer
from customers.validators import AlternativeIdType

# The model fields a check writes (besides the re-check's schedule).
VERIFICATION_FIELDS = [
    "tax_id_status",
    "tax_id_checked_at",
    "tax_id_registry",
    "tax_id_registry_name",
    "tax_id_consultation",
    "tax_id_result_code",
    "tax_id_recheck_at",
    "tax_id_recheck_attempts",
]


def tax_id_of(values: Mapping[str, Any] | Customer) -> TaxId | None:
    """What the registry is asked about a customer with these values, or None when no registry holds its id."""

    def get(name: str) -> str:
        return (values.get(name) if isinstance(values, Mapping) else getattr(values, name, "")) or ""

    if nif := get("nif"):
        return TaxId.spanish(nif, get("legal_name") if registries.is_natural_person(nif) else "")
    if get("alternative_id_type") == AlternativeIdType.EU_VAT:
        return TaxId.eu_vat(get("alternative_id_country"), get("alternative_id_number"))
    return None


@dataclass(frozen=True)
class Precheck:
    """The registry's answer for `tax_id`, asked before a save, for the values the save will write."""

    tax_id: TaxId | None
    answer: RegistryAnswer | None


NOTHING_ASKED = Precheck(None, None)


def precheck_new(data: Mapping[str, Any]) -> Precheck:
    """The check of a customer about to be created (a request path: no inline retry)."""
    tax_id = tax_id_of(data)
    return Precheck(tax_id, registries.check(tax_id, retries=0) if tax_id else None)


def precheck_change(*, scope: DataScope, customer_id: str, data: Mapping[str, Any]) -> Precheck:
    """The check of a change, asked only when it changes what the registry is asked (read without a lock: the
    save compares again under its lock, see `verification_of_change`)."""
    customer = get_customer(scope=scope, customer_id=customer_id)
    before = tax_id_of(customer)
    after = tax_id_of({**{name: getattr(customer, name) for name in ASKED_FIELDS}, **data})
    if after is None or after == before:
        return NOTHING_ASKED
    return Precheck(after, registries.check(after, retries=0))


ASKED_FIELDS = ("nif", "legal_name", "alternative_id_type", "alternative_id_country", "alternative_id_number")


def prechecks_for(items: Iterable[Mapping[str, Any]]) -> dict[TaxId, RegistryAnswer]:
    """The answers for many customers about to be created (bulk create, CSV import): each distinct tax id asked
    once, concurrently within TAX_ID_CONCURRENCY, through the verdict cache."""
    tax_ids = [tax_id for item in items if (tax_id := tax_id_of(item)) is not None]
    return registries.check_many(tax_ids, retries=0) if tax_ids else {}


def screen_tax_ids(items: list[Mapping[str, Any] | DomainError]) -> tuple[list, dict[TaxId, RegistryAnswer]]:
    """Bulk create and CSV import (BeeL: `NIF_INVALID` rows when the census says so): the valid items' tax ids
    asked at once (`prechecks_for`), and each item whose Spanish NIF the census does not identify replaced by
    the refusal that makes its row NIF_INVALID; with the answers, which the created customers record. VIES's
    verdicts, and every PENDING (no certificate, census down), change no row."""
    checks = prechecks_for(item for item in items if not isinstance(item, DomainError))
    screened: list = []
    for item in items:
        tax_id = None if isinstance(item, DomainError) else tax_id_of(item)
        if tax_id is not None and tax_id.nif and checks[tax_id].status == Status.INVALID:
            whom = "this NIF with this legal name" if tax_id.name else "this NIF"
            item = ValidationFailed(details={"nif": f"AEAT's census does not identify {whom}."})
        screened.append(item)
    return screened, checks


def verification_values(answer: RegistryAnswer | None, *, attempts: int = 0) -> dict[str, Any]:
    """The model fields that record `answer` (all empty for None: an id no registry holds). PENDING schedules
    the next re-check, later with each attempt (TAX_ID_RECHECK_BACKOFF_SECONDS doubled, at most
    TAX_ID_RECHECK_MAX_WAIT_SECONDS)."""
    if answer is None:
        return {name: "" for name in VERIFICATION_FIELDS[:6]} | {
            "tax_id_checked_at": None,
            "tax_id_recheck_at": None,
            "tax_id_recheck_attempts": 0,
        }
    recheck_at = None
    if answer.status == Status.PENDING:
        wait = float(settings.TAX_ID_RECHECK_BACKOFF_SECONDS) * 2 ** min(attempts, 20)
        wait = min(wait, float(settings.TAX_ID_RECHECK_MAX_WAIT_SECONDS))
        recheck_at = _now() + timedelta(seconds=wait)
    return {
        "tax_id_status": TaxIdStatus(answer.status.value),
        "tax_id_checked_at": answer.checked_at if answer.status != Status.PENDING else None,
        "tax_id_registry": answer.registry.value,
        "tax_id_registry_name": (answer.name or "")[:255] if answer.status == Status.VALID else "",
        "tax_id_consultation": (answer.consultation or "")[:64],
        "tax_id_result_code": (answer.code or "")[:40],
        "tax_id_recheck_at": recheck_at,
        "tax_id_recheck_attempts": attempts + 1 if recheck_at else 0,
    }


def _now() -> datetime:
    return datetime.fromtimestamp(clock.now(), UTC)


def verification_of_new(precheck: Precheck) -> dict[str, Any]:
    return verification_values(precheck.answer)


def verification_of_change(customer: Customer, before: TaxId | None, precheck: Precheck) -> dict[str, Any]:
    """The verification fields to write once a change is applied to `customer` (locked, new values set), whose
    tax id was `before`: none when the registry's question did not change; the precheck's answer when it was
    asked about the values written; else (the row changed between the precheck and the lock) PENDING, for
    the re-check to ask."""
    after = tax_id_of(customer)
    if after == before:
        return {}
    if after is None:
        return verification_values(None)
    if precheck.tax_id == after and precheck.answer is not None:
        return verification_values(precheck.answer)
    return verification_values(registries.RegistryAnswer(Status.PENDING, after.registry, code="CHANGED"))


def recheck_tax_id(*, customer_id: str, retries: int | None = None, fresh: bool = False) -> Customer | None:
    """Ask the registry again about one customer (the background re-check and the admin's action), outside any
    transaction, then store the answer if the customer's tax id is still the one asked about. A new verdict
    (or ERROR) is reported by a `customer.tax_id_verified` event; another PENDING schedules the next try.
    `fresh` (staff asking on purpose) asks the registry even when a verdict is kept in the cache."""
    customer = Customer.objects.filter(pk=customer_id, deleted_at__isnull=True).first()
    tax_id = tax_id_of(customer) if customer else None
    if tax_id is None:
        return customer
    if fresh:
        state.forget_answer(tax_id.cache_key)
    answer = registries.check(tax_id, retries=retries)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None or tax_id_of(customer) != tax_id:
            return customer  # changed meanwhile: its own check (or re-check) is the one that counts
        values = verification_values(answer, attempts=customer.tax_id_recheck_attempts)
        for name, value in values.items():
            setattr(customer, name, value)
        customer.save(update_fields=[*values, "updated_at"])
        if answer.status != Status.PENDING:
            record_events([customer_event(EventType.CUSTOMER_TAX_ID_VERIFIED, customer)])
    return customer


# A claimed re-check is handed out again after this long if its task was lost with its worker (a re-check
# takes at most a few registry deadlines).
RECHECK_LEASE_SECONDS = 600


def claim_due_rechecks(*, limit: int = 500) -> list[str]:
    """The ids of the customers whose PENDING check is due again, oldest first, each claimed for
    RECHECK_LEASE_SECONDS (its re-check moved that far ahead), so the next sweep does not hand it out
    again while its task runs; a task lost with its worker is handed out again once the lease ends."""
    now = _now()
    with transaction.atomic():
        due = Customer.objects.tax_id_recheck_due(now).filter(deleted_at__isnull=True).order_by("tax_id_recheck_at")
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        lease = now + timedelta(seconds=RECHECK_LEASE_SECONDS)
        Customer.objects.filter(pk__in=ids).update(tax_id_recheck_at=lease)
    return [str(pk) for pk in ids]
