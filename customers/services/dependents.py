"""What other apps keep under a customer, and how a merge and an erasure treat it.

Invoices hang from customers, but customers may not import invoices: the dependency points the other way
(invoices imports customers). So the merge and the erasure never name an invoice's status or field; each app
that keeps records under a customer implements `CustomerDependents` in its own package and registers it here
from its AppConfig.ready() (invoices.apps -> invoices.customer_side). The use cases ask every registered side,
in registration order, inside their own transaction, with the customer rows already locked."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from beel.copies import ObjectScrub
from customers.models import Customer


@dataclass(frozen=True)
class MergeShare:
    """What a merge would do with one app's records of the duplicate."""

    moving: int  # follow the duplicate to the survivor (e.g. draft invoices)
    staying: int  # stay with the duplicate (e.g. issued invoices, which name the recipient they were issued to)


class CustomerDependents(Protocol):
    def merge_share(self, duplicate: Customer) -> MergeShare:
        """For previews: nothing is written."""

    def move_to_survivor(self, duplicate: Customer, survivor: Customer, *, at: datetime) -> None:
        """Move the records that follow a merged duplicate, in the merge's transaction."""

    def last_kept_date(self, customer: Customer) -> date | None:
        """The date of the latest record of `customer` the law obliges the business to keep, from which the
        retention of its identity runs (customers.services.erasure.retention_end); None if there is none."""

    def copy_scrubs(self, customer: Customer) -> list[ObjectScrub]:
        """How this app's objects in the copies beel keeps (events, stored responses) name the anonymised
        `customer`, and what each keeps of it (customers.services.erasure_copies)."""


_registered: dict[str, CustomerDependents] = {}


def register_dependents(name: str, dependents: CustomerDependents) -> None:
    """Called from an AppConfig.ready(); registering the same name again replaces it (ready() may run twice)."""
    _registered[name] = dependents


def registered_dependents() -> dict[str, CustomerDependents]:
    return dict(_registered)


def merge_share(duplicate: Customer) -> MergeShare:
    shares = [dependents.merge_share(duplicate) for dependents in _registered.values()]
    return MergeShare(moving=sum(s.moving for s in shares), staying=sum(s.staying for s in shares))


def move_to_survivor(duplicate: Customer, survivor: Customer, *, at: datetime) -> None:
    for dependents in _registered.values():
        dependents.move_to_survivor(duplicate, survivor, at=at)


def last_kept_date(customer: Customer) -> date | None:
    dates = [kept for dependents in _registered.values() if (kept := dependents.last_kept_date(customer))]
    return max(dates, default=None)
