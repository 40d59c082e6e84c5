"""Getting events to endpoints, at least once. Called by the Celery tasks (webhooks.tasks); every step
takes `now` so tests drive the clock.

1. `dispatch_events`: an event of the outbox becomes one delivery per enabled endpoint of its account and
   mode that listens to its company, and is marked dispatched, in one transaction (so a crash leaves it in
   the outbox, whole).
2. `attempt_delivery`: one signed POST. The delivery is first claimed with a lease (its `next_attempt_at`
   pushed past the request's timeout) by a conditional UPDATE, so two workers never send it at once, and
   a worker killed mid-request leaves a lease that expires and the sweep hands it out again.
3. `sweep`: dispatches what the outbox still holds and returns the deliveries that are due.
"""

import json
import logging
import time
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beel.events.models import Event
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.security import UnsafeURL, check_url
from webhooks.signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=12)
# Past the request's timeout before a claimed delivery counts as abandoned (its worker died).
LEASE_MARGIN = timedelta(seconds=5)
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
        for endpoint in WebhookEndpoint.objects.filter(
            account_id__in={account for account, _mode in owners}, status=WebhookEndpoint.Status.ENABLED
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
        ).values_list("pk", flat=True)
    )


def due_deliveries(*, now: datetime) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__status=WebhookEndpoint.Status.ENABLED,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def sweep(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    while dispatch_events(now=now):
        pass
    return due_deliveries(now=now)


def attempt_delivery(delivery_id: int, *, now: datetime | None = None) -> WebhookAttempt | None:
    """One attempt of a due delivery, or None when it is not due (done, leased by another worker, or its
    endpoint disabled)."""
    now = now or timezone.now()
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__status=WebhookEndpoint.Status.ENABLED,
    ).update(next_attempt_at=now + timedelta(seconds=timeout) + LEASE_MARGIN)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = json.dumps(delivery.event.envelope(), separators=(",", ":"), ensure_ascii=False).encode()
    attempt = WebhookAttempt(delivery=delivery, endpoint=endpoint, at=now)
    started = time.monotonic()
    try:
        check_url(endpoint.url, mode=endpoint.mode)
        response = requests.post(
            endpoint.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "BeeL-Webhooks/1.0",
                SIGNATURE_HEADER: signature_header(endpoint.signing_secrets(), body),
            },
            timeout=timeout,
            allow_redirects=False,  # a redirect could lead anywhere, including the service's own network
        )
        attempt.status_code = response.status_code
        attempt.succeeded = 200 <= response.status_code < 300
        if not attempt.succeeded:
            attempt.error = f"HTTP {response.status_code}"
    except UnsafeURL as refusal:
        attempt.error = f"Refused: {refusal}"[:255]
    except requests.Timeout:
        attempt.error = f"No answer within {timeout} s"
    except requests.RequestException as failure:
        attempt.error = f"{type(failure).__name__}: {failure}"[:255]
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    _record(attempt, delivery, endpoint, now=now)
    return attempt


def _record(attempt: WebhookAttempt, delivery: WebhookDelivery, endpoint: WebhookEndpoint, *, now) -> None:
    window = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    with transaction.atomic():
        attempt.save()
        delivery.attempt_count += 1
        if attempt.succeeded:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
        else:
            next_at = now + retry_delay(delivery.attempt_count)
            if next_at - delivery.created_at > window:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
            else:
                delivery.next_attempt_at = next_at
        delivery.save(update_fields=["status", "attempt_count", "next_attempt_at"])
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if attempt.succeeded:
            if endpoint.failing_since is not None:
                endpoint.failing_since = None
                endpoint.save(update_fields=["failing_since", "updated_at"])
            return
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


def _failing_throughout(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> bool:
    """No attempt to the endpoint succeeded since this delivery's first one (a success resets
    `failing_since` to the next failure)."""
    first = WebhookAttempt.objects.filter(delivery=delivery).order_by("at").values_list("at", flat=True).first()
    return first is not None and endpoint.failing_since <= first
