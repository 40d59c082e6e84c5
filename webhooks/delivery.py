"""Getting events to endpoints, at least once. Called by the Celery tasks (webhooks.tasks); every step
takes `now` so tests drive the clock.

1. `dispatch_events`: an event of the outbox becomes one delivery per enabled endpoint of its account and
   mode that listens to its company, and is marked dispatched, in one transaction (so a crash leaves it in
   the outbox, whole).
2. `attempt_delivery`: one signed POST. The delivery is first claimed with a lease (WEBHOOK_LEASE_SECONDS,
   longer than the attempt's deadline) by a conditional UPDATE, so two workers never send it at once, and
   a worker killed mid-request leaves a lease that expires and the sweep hands it out again. An endpoint
   has at most WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight: a slow receiver holds that many workers,
   not all of them; the attempt that frees its slot hands over its next due delivery (webhooks.tasks).
3. `sweep`: dispatches what the outbox still holds and returns the deliveries that are due, round robin
   between endpoints, so one endpoint's backlog does not push the others' deliveries back.

Lock order: an endpoint's row, then its deliveries' (claiming and recording alike).
"""

import json
import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beel.events.models import Event
from webhooks import transport
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.security import UnsafeURL, check_url
from webhooks.signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=12)
SWEEP_BATCH = 500


def retry_delay(attempt_count: int) -> timedelta:
    """1 min, 2, 4, ... doubling after each failed attempt, at most 12 h apart: 14 attempts over
    the three days of WEBHOOK_RETRY_HOURS, the last one about 65 h after the first."""
    return min(FIRST_RETRY * 2 ** max(attempt_count - 1, 0), LONGEST_WAIT)


def dispatch_events(event_ids=None, *, now: datetime | None = None) -> list[int]:
    """Fan undispatched events (these ids, or the oldest of the outbox) out to their endpoints; the ids
    of the deliveries due now."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = Event.objects.filter(dispatched_at__isnull=True)
        pending = pending.filter(pk__in=event_ids) if event_ids is not None else pending.order_by("created_at")
        # Skip rows another worker is dispatching: it will create their deliveries.
        events = list(pending.select_for_update(skip_locked=True)[:SWEEP_BATCH])
        if not events:
            return []
        endpoints: dict[tuple[int, str], list[WebhookEndpoint]] = {}
        owners = {(event.account_id, event.mode) for event in events}
        # Locked (against deletion only) before deliveries are added to them, as their deletion locks them first
        # (webhooks.services.delete_endpoint): one deleted meanwhile is not read, never given a delivery.
        for endpoint in (
            WebhookEndpoint.objects.filter(
                account_id__in={account for account, _mode in owners}, status=WebhookEndpoint.Status.ENABLED
            )
            .order_by("pk")
            .select_for_update(no_key=True)
        ):
            endpoints.setdefault((endpoint.account_id, endpoint.mode), []).append(endpoint)
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now, created_at=now)
                for event in events
                for endpoint in endpoints.get((event.account_id, event.mode), [])
                if endpoint.receives(event)
            ],
            ignore_conflicts=True,
        )
        Event.objects.filter(pk__in=[event.pk for event in events]).update(dispatched_at=now)
    return list(
        WebhookDelivery.objects.filter(
            event_id__in=[event.pk for event in events], status=WebhookDelivery.Status.PENDING
        )
        .round_robin()
        .values_list("pk", flat=True)
    )


def due_deliveries(*, now: datetime) -> list[int]:
    return list(WebhookDelivery.objects.due(now).round_robin().values_list("pk", flat=True)[:SWEEP_BATCH])


def next_due(endpoint_id, *, now: datetime | None = None) -> int | None:
    """The endpoint's oldest due delivery, which the attempt that frees one of its slots hands over (its own
    task may have been turned away while the slots were taken)."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(endpoint_id=endpoint_id).due(now).order_by("next_attempt_at", "pk")
    return due.values_list("pk", flat=True).first()


def sweep(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    while dispatch_events(now=now):
        pass
    return due_deliveries(now=now)


def _claim(delivery_id: int, *, now: datetime) -> WebhookDelivery | None:
    """The delivery, leased to this attempt; None when it is not due or its endpoint has
    WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight already."""
    lease_end = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    with transaction.atomic():
        due = WebhookDelivery.objects.due(now).filter(pk=delivery_id)
        endpoint_id = due.values_list("endpoint_id", flat=True).first()
        if endpoint_id is None:
            return None
        # The endpoint's row lock makes counting its attempts in flight and taking a slot one step: two
        # workers claiming for the same endpoint at once do not both see a free slot.
        if WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first() is None:
            return None
        in_flight = WebhookDelivery.objects.filter(endpoint_id=endpoint_id).in_flight(now).count()
        if in_flight >= settings.WEBHOOK_ENDPOINT_CONCURRENCY:
            return None
        if not due.update(next_attempt_at=lease_end, leased_until=lease_end):
            return None
    return WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()


def attempt_delivery(delivery_id: int, *, now: datetime | None = None) -> WebhookAttempt | None:
    """One attempt of a due delivery, or None when it is not due (done, leased by another worker, or its
    endpoint disabled) or its endpoint has its fill of attempts in flight."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now=now)
    if delivery is None:
        return None
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    deadline = transport.Deadline.after(timeout)
    endpoint = delivery.endpoint
    body = json.dumps(delivery.event.envelope(), separators=(",", ":"), ensure_ascii=False).encode()
    attempt = WebhookAttempt(delivery=delivery, endpoint=endpoint, at=now)
    started = time.monotonic()
    try:
        # Resolved once, here: the request goes to an address this check accepted.
        url = check_url(endpoint.url, mode=endpoint.mode, timeout=deadline.remaining())
        answer = transport.post(
            url,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "BeeL-Webhooks/1.0",
                SIGNATURE_HEADER: signature_header(endpoint.signing_secrets(), body),
            },
            deadline=deadline,
        )
        attempt.status_code = answer.status
        attempt.succeeded = 200 <= answer.status < 300
        if not attempt.succeeded:
            attempt.error = f"HTTP {answer.status}"
    except UnsafeURL as refusal:
        attempt.error = f"Refused: {refusal}"[:255]
    except transport.DeadlinePassed:
        attempt.error = f"No answer within {timeout:g} s"
    except transport.TransportFailure as failure:
        attempt.error = str(failure)[:255]
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    return attempt if _record(attempt, delivery, endpoint, now=now) else None


def _record(attempt: WebhookAttempt, delivery: WebhookDelivery, endpoint: WebhookEndpoint, *, now) -> bool:
    """Whether the attempt was recorded: not when its endpoint or delivery was deleted while it was in flight."""
    window = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    with transaction.atomic():
        # The endpoint first, then the delivery, as the endpoint's deletion takes them
        # (webhooks.services.delete_endpoint): deleted meanwhile, they took this attempt's rows with them.
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        if endpoint is None or not WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).exists():
            logger.info("webhook delivery %s was deleted during its attempt; nothing recorded", delivery.pk)
            return False
        attempt.save()
        delivery.attempt_count += 1
        delivery.leased_until = None
        if attempt.succeeded:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
        else:
            next_at = now + retry_delay(delivery.attempt_count)
            if next_at - delivery.created_at > window:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
            else:
                delivery.next_attempt_at = next_at
        delivery.save(update_fields=["status", "attempt_count", "next_attempt_at", "leased_until"])
        if attempt.succeeded:
            if endpoint.failing_since is not None:
                endpoint.failing_since = None
                endpoint.save(update_fields=["failing_since", "updated_at"])
            return True
        endpoint.failing_since = endpoint.failing_since or now
        # Disabled once a delivery has used up its whole retry window (about three days) without the
        # endpoint answering 2xx to anything in that time.
        if (
            endpoint.enabled
            and delivery.status == WebhookDelivery.Status.FAILED
            and _failing_throughout(endpoint, delivery)
        ):
            endpoint.status = WebhookEndpoint.Status.DISABLED
            endpoint.disabled_reason = (
                f"Disabled automatically: every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC "
                f"({delivery.attempt_count} attempts of the last one; last error: {attempt.error})"
            )[:255]
            logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, endpoint.disabled_reason)
        endpoint.save(update_fields=["failing_since", "status", "disabled_reason", "updated_at"])
    return True


def _failing_throughout(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> bool:
    """No attempt to the endpoint succeeded since this delivery's first one (a success resets
    `failing_since` to the next failure)."""
    first = WebhookAttempt.objects.filter(delivery=delivery).order_by("at").values_list("at", flat=True).first()
    return first is not None and endpoint.failing_since <= first
