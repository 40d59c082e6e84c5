"""What every customer use case shares: finding a customer in the caller's scope, reading a list of ids
sent by a caller, and the event a change records."""

import uuid
from collections.abc import Iterable

from beel.events.models import EventType, NewEvent
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from customers.errors import CustomerNotFound, InvalidCustomerId
from customers.models import Customer
from customers.representations import customer_detail_representation


def parse_customer_id(raw: str) -> uuid.UUID:
    return parse_uuid(raw, field="customer_id", error_class=InvalidCustomerId)


def get_customer(*, scope: DataScope, customer_id: str | uuid.UUID, for_update: bool = False) -> Customer:
    """The customer with this id in `scope`; with `for_update`, its row locked until the transaction ends."""
    customer_uuid = customer_id if isinstance(customer_id, uuid.UUID) else parse_customer_id(customer_id)
    customers = Customer.objects.within(scope).filter(pk=customer_uuid)
    customer = (customers.locked() if for_update else customers).first()
    if customer is None:
        raise CustomerNotFound()
    return customer


def parse_ids(ids: Iterable[str], report) -> dict[str, uuid.UUID]:
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


def sort_failures(report) -> None:
    position = {raw: index for index, raw in enumerate(report.requested_ids)}
    report.failures.sort(key=lambda failure: position[failure.customer_id])


def customer_event(event_type: EventType, customer: Customer) -> NewEvent:
    """The event of a change to `customer`, recorded in the change's transaction (the outbox)."""
    return NewEvent(
        account_id=customer.account_id,
        mode=customer.mode,
        type=event_type,
        data=customer_detail_representation(customer),
        company_id=customer.company_id,
    )
