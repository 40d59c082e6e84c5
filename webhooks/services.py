"""Webhook endpoint use cases, shared by the API and the admin."""

import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from beel.clock import clock
from beel.errors import Conflict, ValidationFailed
from beel.events.models import STREAM_TYPES, Event, EventType, NewEvent, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from companies.models import Company
from webhooks.errors import WebhookDeliveryNotFound, WebhookEndpointNotFound
from webhooks.models import (
    ATTEMPTS_SHOWN,
    EVERY_EVENT,
    LONGEST_SECRET_OVERLAP,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    new_signing_secret,
)
from webhooks.security import UnsafeURL, check_url


def _checked_url(url: str, *, mode: str) -> str:
    try:
        check_url(url, mode=mode)
    except UnsafeURL as refusal:
        raise ValidationFailed(details={"url": str(refusal)}) from None
    return url


def _listened_companies(company_ids: Iterable[uuid.UUID | str], *, account, reachable: Collection[str]) -> list[str]:
    """The companies an endpoint is to listen to, checked: companies of its account, and, for a credential
    restricted to some companies (`reachable`), only those; none named means every company, or, for such a
    credential, every company it reaches."""
    wanted = sorted({str(company_id) for company_id in company_ids})
    if not wanted:
        return sorted(str(company_id) for company_id in reachable)
    known = {str(pk) for pk in Company.objects.of_account(account).filter(pk__in=wanted).values_list("pk", flat=True)}
    if reachable:
        known &= {str(company_id) for company_id in reachable}
    if unknown := [company_id for company_id in wanted if company_id not in known]:
        raise ValidationFailed(details={"company_ids": f"Not companies this key can reach: {', '.join(unknown)}"})
    return wanted


def selected_event_types(events: Iterable[str] | None) -> list[str]:
    """The event types an endpoint is to receive, as stored: `["*"]` (or none named) is every type, present
    and future, stored as []; otherwise known types of the event stream, each once."""
    wanted = list(dict.fromkeys(str(name) for name in events or ()))
    if not wanted or wanted == [EVERY_EVENT]:
        return []
    if EVERY_EVENT in wanted:
        raise ValidationFailed(details={"events": '"*" (every event) cannot be combined with event types.'})
    if unknown := [name for name in wanted if name not in STREAM_TYPES]:
        raise ValidationFailed(
            details={"events": f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(STREAM_TYPES)}."}
        )
    return sorted(wanted)


def get_endpoint(
    *,
    scope: DataScope,
    endpoint_id: str | uuid.UUID,
    for_update: bool = False,
    reachable_companies: Collection[str] = (),
) -> WebhookEndpoint:
    """One endpoint of the scope's account and mode; for a credential restricted to some companies, only one
    that listens to none but those (WebhookEndpointQuerySet.reachable_with)."""
    endpoint_uuid = parse_uuid(str(endpoint_id), field="endpoint_id")
    endpoints = WebhookEndpoint.objects.within(scope).reachable_with(reachable_companies).filter(pk=endpoint_uuid)
    endpoint = (endpoints.select_for_update() if for_update else endpoints).first()
    if endpoint is None:
        raise WebhookEndpointNotFound()
    return endpoint


def create_endpoint(
    *,
    scope: DataScope,
    url: str,
    description: str = "",
    company_ids: Iterable[uuid.UUID | str] = (),
    events: Iterable[str] | None = None,
    reachable_companies: Collection[str] = (),
) -> WebhookEndpoint:
    """An enabled endpoint for the scope's account and mode, with a new signing secret (the caller shows
    it once), listening to the events of `company_ids` (none: every company the credential reaches) whose
    type is among `events` (none, or ["*"]: every type)."""
    account, mode = scope.owner()
    listened = _listened_companies(company_ids, account=account, reachable=reachable_companies)
    return WebhookEndpoint.objects.create(
        account=account,
        mode=mode,
        url=_checked_url(url, mode=mode),
        description=description,
        company_ids=listened,
        event_types=selected_event_types(events),
    )


def update_endpoint(
    *, scope: DataScope, endpoint_id: str, data: Mapping[str, Any], reachable_companies: Collection[str] = ()
) -> WebhookEndpoint:
    """Change `url`, `description`, `company_ids`, `events` or `enabled`: enabling a disabled endpoint clears why it
    was disabled and its run of failures, so it gets three fresh days."""
    with transaction.atomic():
        endpoint = get_endpoint(
            scope=scope, endpoint_id=endpoint_id, for_update=True, reachable_companies=reachable_companies
        )
        if "company_ids" in data:
            endpoint.company_ids = _listened_companies(
                data["company_ids"], account=endpoint.account_id, reachable=reachable_companies
            )
        if "events" in data:
            endpoint.event_types = selected_event_types(data["events"])
        if "url" in data:
            endpoint.url = _checked_url(data["url"], mode=endpoint.mode)
        if "description" in data:
            endpoint.description = data["description"]
        if "enabled" in data and data["enabled"] != endpoint.enabled:
            endpoint.status = WebhookEndpoint.Status.ENABLED if data["enabled"] else WebhookEndpoint.Status.DISABLED
            endpoint.disabled_reason = "" if data["enabled"] else "Disabled by the account."
            endpoint.failing_since = None
        endpoint.save()
    return endpoint


def delete_endpoint(*, scope: DataScope, endpoint_id: str, reachable_companies: Collection[str] = ()) -> None:
    """The endpoint with its deliveries and attempts. Locked first, as whoever adds a delivery or an attempt to it
    locks it first (webhooks.delivery): an attempt in flight then records itself before the deletion reads what
    to delete, or finds the endpoint gone, never a row the deletion missed (a foreign key violation)."""
    with transaction.atomic():
        get_endpoint(
            scope=scope, endpoint_id=endpoint_id, for_update=True, reachable_companies=reachable_companies
        ).delete()


def rotate_secret(
    *,
    scope: DataScope,
    endpoint_id: str,
    reachable_companies: Collection[str] = (),
    previous_valid_for: timedelta = timedelta(0),
) -> WebhookEndpoint:
    """A new signing secret, used from the next delivery on. The old one stops working at once, or, with
    `previous_valid_for` (at most LONGEST_SECRET_OVERLAP), keeps signing deliveries next to the new one for
    that long (Stripe's `expiration`), so the receiver can switch without refusing a delivery. Only the
    secret being replaced overlaps: one rotated earlier stops at once."""
    if not timedelta(0) <= previous_valid_for <= LONGEST_SECRET_OVERLAP:
        raise ValidationFailed(
            details={"expires_in_seconds": f"From 0 to {int(LONGEST_SECRET_OVERLAP.total_seconds())} seconds."}
        )
    with transaction.atomic():
        endpoint = get_endpoint(
            scope=scope, endpoint_id=endpoint_id, for_update=True, reachable_companies=reachable_companies
        )
        if previous_valid_for:
            endpoint.previous_secret = endpoint.secret
            endpoint.previous_secret_expires_at = datetime.fromtimestamp(clock.now(), UTC) + previous_valid_for
        else:
            endpoint.previous_secret, endpoint.previous_secret_expires_at = "", None
        endpoint.secret = new_signing_secret()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint


def send_test_event(
    *, scope: DataScope, endpoint_id: str, reachable_companies: Collection[str] = ()
) -> WebhookDelivery:
    """A `webhook.test` event for this endpoint alone, delivered like any other (signed, retried, listed in
    its attempts); the caller hands the delivery to the queue. It is marked dispatched as it is written, so
    the outbox never fans it out to the account's other endpoints, and GET /events leaves it out. Refused
    while the endpoint is disabled, where it would never be sent."""
    with transaction.atomic():
        endpoint = get_endpoint(scope=scope, endpoint_id=endpoint_id, reachable_companies=reachable_companies)
        if not endpoint.enabled:
            raise Conflict("The endpoint is disabled; enable it before sending it a test event")
        now = timezone.now()
        data = {
            "webhook_endpoint_id": str(endpoint.pk),
            "message": "A test event sent on request; it describes no change.",
        }
        test = NewEvent(
            account_id=endpoint.account_id, mode=endpoint.mode, type=EventType.WEBHOOK_TEST, data=data, company_id=None
        )
        (event,) = record_events([test], at=now)
        Event.objects.filter(pk=event.pk).update(dispatched_at=now)
        return WebhookDelivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=now, created_at=now)


def recent_attempts(*, endpoint: WebhookEndpoint) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(endpoint=endpoint).select_related("delivery__event")[:ATTEMPTS_SHOWN])


def schedule_retry(
    *, scope: DataScope, endpoint_id: str, delivery_id: int | str, reachable_companies: Collection[str] = ()
) -> WebhookDelivery:
    """Make a delivery due now, whatever came of it before (a succeeded one is sent again: the receiver
    asked for it). The caller hands it to the queue. Refused while the endpoint is disabled, where it
    would silently never be sent."""
    with transaction.atomic():
        endpoint = get_endpoint(scope=scope, endpoint_id=endpoint_id, reachable_companies=reachable_companies)
        if not endpoint.enabled:
            raise Conflict("The endpoint is disabled; enable it before retrying its deliveries")
        try:
            delivery = WebhookDelivery.objects.select_for_update().get(pk=int(delivery_id), endpoint=endpoint)
        except (ValueError, WebhookDelivery.DoesNotExist):
            raise WebhookDeliveryNotFound() from None
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.next_attempt_at = timezone.now()
        # A manual retry gets the full retry window again.
        delivery.created_at = delivery.next_attempt_at
        delivery.save(update_fields=["status", "next_attempt_at", "created_at"])
    return delivery
