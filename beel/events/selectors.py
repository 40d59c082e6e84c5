"""Reads of the event stream (GET /events): an account's events of one mode, oldest first by `sequence`, for
a receiver that was down to catch up. The HTTP layer (webhooks.event_views) validates the parameters and
pages the `Listing`; nothing here knows HTTP."""

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from beel.errors import InvalidParameter, NotFound
from beel.events.models import Event
from beel.lists import Listing, SortKey
from beel.tenancy import DataScope

LIST_ORDER = (SortKey("sequence"), SortKey("id"))
PUBLIC_ID = re.compile(r"^evt_([0-9a-f]{32})$")


class EventNotFound(NotFound):
    default_message = "Event not found"


@dataclass(frozen=True, kw_only=True)
class EventFilters:
    """What a list of events asked for, validated. Empty or None: not asked."""

    type: tuple[str, ...] = ()
    after_sequence: int | None = None
    created_since: datetime | None = None
    created_until: datetime | None = None
    company_id: uuid.UUID | None = None


def _visible(scope: DataScope, reachable_companies: Collection[str], now: datetime):
    """The scope's stream within the retention window; for a credential restricted to some companies, only
    their events (an event that names no company belongs to none of them)."""
    events = Event.objects.stream_of(scope.account, scope.mode).retained(now)
    if reachable_companies:
        events = events.filter(company_id__in=[uuid.UUID(str(pk)) for pk in reachable_companies])
    return events


def list_events(
    *, scope: DataScope, asked: EventFilters, now: datetime, reachable_companies: Collection[str] = ()
) -> Listing:
    events = _visible(scope, reachable_companies, now)
    if asked.type:
        events = events.filter(type__in=asked.type)
    if asked.after_sequence is not None:
        events = events.filter(sequence__gt=asked.after_sequence)
    if asked.created_since is not None:
        events = events.filter(created_at__gte=asked.created_since)
    if asked.created_until is not None:
        events = events.filter(created_at__lt=asked.created_until)
    if asked.company_id is not None:
        events = events.filter(company_id=asked.company_id)
    return Listing.sorted(events, LIST_ORDER)


def get_event(*, scope: DataScope, event_id: str, now: datetime, reachable_companies: Collection[str] = ()) -> Event:
    """One event of the stream by its public id (`evt_<32 hex>`); a malformed id is a 400 naming it."""
    match = PUBLIC_ID.match(event_id)
    if match is None:
        raise InvalidParameter(details={"event_id": "event_id must be evt_ followed by 32 hexadecimal digits."})
    event = _visible(scope, reachable_companies, now).filter(pk=uuid.UUID(match.group(1))).first()
    if event is None:
        raise EventNotFound()
    return event
