"""Celery tasks. The work is in webhooks.delivery; these only connect it to the queue."""

import logging

from celery import shared_task

from webhooks import delivery

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def dispatch_webhook_events(event_ids: list[str]) -> None:
    for delivery_id in delivery.dispatch_events(event_ids):
        deliver_webhook.delay(delivery_id)


@shared_task(bind=True, ignore_result=True)
def deliver_webhook(self, delivery_id: int) -> None:
    attempt = delivery.attempt_delivery(delivery_id)
    # The endpoint's slot is free again: its next due delivery goes to the back of the queue, behind the
    # other endpoints' (its own task may have been turned away while the slot was taken). Run eagerly, the
    # caller's loop attempts every delivery it has in turn, and handing over would recurse through them.
    if attempt is None or self.request.is_eager:
        return
    if (following := delivery.next_due(attempt.endpoint_id)) is not None:
        deliver_webhook.delay(following)


@shared_task(ignore_result=True)
def sweep_webhooks() -> None:
    """Run by beat every WEBHOOK_SWEEP_SECONDS: the outbox's leftovers and the retries that are due."""
    for delivery_id in delivery.sweep():
        deliver_webhook.delay(delivery_id)


def dispatch_committed_events(sender, event_ids, **kwargs) -> None:
    """Receiver of beel.events' `events_committed`: hand the new events to the queue at once. If this
    fails (broker down, process killed), the events stay in the outbox and the sweep sends them."""
    dispatch_webhook_events.delay([str(event_id) for event_id in event_ids])
