"""Celery tasks. The work is in webhooks.delivery; these only connect it to the queue."""

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

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


def queue_delivery(delivery_id: int) -> None:
    """Hand a delivery that is due in the database to the queue once the transaction that made it due commits.
    With the broker down it is left to the sweep (beat's `sweep_webhooks`, or `manage.py sweepwebhooks`), as
    the outbox's events are: the caller's change stands, and nothing fails because the queue is away."""

    def hand_over() -> None:
        try:
            deliver_webhook.delay(delivery_id)
        except BrokerUnavailable as failure:
            logger.warning("Broker unavailable; delivery %s is left to the sweep: %s", delivery_id, failure)

    transaction.on_commit(hand_over)
