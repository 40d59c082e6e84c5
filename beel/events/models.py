import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beel.clock import clock
from beel.db.copy import insert_many
from beel.tenancy import Mode
from beel.timestamps import format_utc

# Bumped only when the envelope or an object's representation changes incompatibly.
API_VERSION = "v1"

# Sent after the transaction that recorded events commits, with `event_ids`; never for a rolled-back one.
events_committed = Signal()


class EventType(models.TextChoices):
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CUSTOMER_DEACTIVATED = "customer.deactivated"
    CUSTOMER_REACTIVATED = "customer.reactivated"
    CUSTOMER_ANONYMIZED = "customer.anonymized"
    CUSTOMER_MERGED = "customer.merged"
    CUSTOMER_DELETED = "customer.deleted"
    # The registry's verdict on a customer's tax id, reached by a re-check after the save (customers.tasks).
    CUSTOMER_TAX_ID_VERIFIED = "customer.tax_id_verified"
    # A customer export job's end (customers.services.exports): its file is ready to download, or it failed.
    CUSTOMER_EXPORT_SUCCEEDED = "customer_export.succeeded"
    CUSTOMER_EXPORT_FAILED = "customer_export.failed"
    INVOICE_CREATED = "invoice.created"
    INVOICE_ISSUED = "invoice.issued"
    INVOICE_CANCELLED = "invoice.cancelled"
    # Its payments came to cover its total (invoices.payments.record_payment).
    INVOICE_PAID = "invoice.paid"
    # Issued, unpaid and past its due date: sent once per invoice by the daily sweep (notifyoverdueinvoices).
    INVOICE_OVERDUE = "invoice.overdue"
    # Sent on request to one endpoint (POST /webhook-endpoints/{id}/test) to try a receiver: it describes no
    # change, so no other endpoint receives it and the event stream (GET /events) leaves it out.
    WEBHOOK_TEST = "webhook.test"


# The types of the account's event stream (GET /events), which an endpoint may select (`events`).
STREAM_TYPES: tuple[str, ...] = tuple(value for value in EventType.values if value != EventType.WEBHOOK_TEST)
# How long events are kept and listed (GET /events); `purgeevents` deletes older ones.
RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class NewEvent:
    account_id: int
    mode: str
    type: str
    data: dict[str, Any]
    # The company the changed object belongs to (companies.Company): every event names it, so a receiver of
    # an account with several companies knows whose change it is, and an endpoint may listen to some only.
    company_id: uuid.UUID


class EventQuerySet(models.QuerySet):
    def stream_of(self, account, mode: str) -> "EventQuerySet":
        """An account's events in one mode as GET /events lists them: the changes (not the test events)."""
        return self.filter(account=account, mode=mode).exclude(type=EventType.WEBHOOK_TEST)

    def retained(self, now: datetime) -> "EventQuerySet":
        return self.filter(created_at__gte=now - RETENTION)


class Event(models.Model):
    """One thing that happened, with the object as the API showed it at that moment. `dispatched_at` is
    set once it has been handed to its consumers; rows without it are the outbox's backlog, which a
    periodic sweep re-dispatches (e.g. after a process died between the commit and the hand-over)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Served by event_account_created_idx, which leads with the account (one index entry less per event).
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    mode = models.CharField(max_length=4, choices=Mode.choices)
    # The company's id, not a foreign key: beel's plumbing knows no app (companies depends on beel, not the
    # reverse), and an event is a record of the past that outlives what it names. Null only for the events
    # recorded before companies existed.
    company_id = models.UUIDField(null=True, blank=True)
    type = models.CharField(max_length=40, choices=EventType.choices)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # The event's place among its account's events of its mode, in the order their transactions committed
    # (record_events): 1, 2, 3... A receiver applies an event to an object only if its sequence is higher
    # than the last one it applied to that object (docs/sync.md).
    sequence = models.BigIntegerField()

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        constraints = [
            # Also the index GET /events reads in order (account, mode, sequence).
            models.UniqueConstraint(fields=["account", "mode", "sequence"], name="event_sequence_unique")
        ]
        indexes = [
            models.Index(fields=["account", "mode", "created_at"], name="event_account_created_idx"),
            # Small: only the backlog is indexed, and the sweep reads nothing else.
            models.Index(
                fields=["created_at"], name="event_undispatched_idx", condition=models.Q(dispatched_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.id.hex}"

    def envelope(self) -> dict[str, Any]:
        """The event as webhooks send it: BeeL's event envelope, with the company whose object changed."""
        return {
            "id": self.public_id,
            "type": self.type,
            "sequence": self.sequence,
            "created_at": format_utc(self.created_at),
            "api_version": API_VERSION,
            "livemode": self.mode == Mode.LIVE,
            "company_id": str(self.company_id) if self.company_id else None,
            "data": self.data,
        }


class EventSequence(models.Model):
    """The last sequence number given to an account's events in one mode. Its row is locked by the
    transaction that records events (record_events) until that transaction ends, so the numbers follow the
    order in which the transactions commit: an event with sequence n+1 cannot be visible before the one
    with n. A PostgreSQL SEQUENCE would not do that (nextval is not transactional: a transaction that took
    5 may commit after the one that took 6, and a reader resuming after 6 would never see 5), and
    `created_at` cannot either (two changes in the same second, or a clock step back). The price: the
    transactions recording events of one account and mode commit one at a time from the moment they record
    their events, which services do last, after every other lock they take."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    last = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("event sequence")
        verbose_name_plural = _("event sequences")
        constraints = [models.UniqueConstraint(fields=["account", "mode"], name="event_sequence_owner_unique")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.mode}: {self.last}"


def _take_sequences(account_id: int, mode: str, count: int) -> int:
    """The first of `count` consecutive numbers for an account and mode, with the counter's row locked
    until the caller's transaction ends (an upsert: the first event of an account creates the row)."""
    table = connection.ops.quote_name(EventSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (account_id, mode, last) VALUES (%s, %s, %s) "
            f"ON CONFLICT (account_id, mode) DO UPDATE SET last = {table}.last + excluded.last RETURNING last",
            [account_id, mode, count],
        )
        (last,) = cursor.fetchone()
    return last - count + 1


def record_events(new_events: Iterable[NewEvent], *, at=None) -> list[Event]:
    """Write events in the caller's transaction (one statement however many: beel.db.copy) and announce them
    once it commits: a rolled-back change leaves no event behind, announces nothing and takes no sequence number.
    Call it last in a transaction, after the change's row locks: from here on the account's counter is
    locked (EventSequence), and a lock taken after it could deadlock with a transaction waiting for it."""
    at = at or timezone.now()
    by_owner = sorted(new_events, key=lambda e: (e.account_id, e.mode))
    events = []
    # The counter's lock and the events commit together; inside the caller's transaction, without a
    # savepoint of its own (a failure here fails the caller's change anyway).
    with transaction.atomic(savepoint=False):
        # Counters are locked in one order (account, mode), so two transactions never wait for each other in a
        # cycle.
        for (account_id, mode), owned in groupby(by_owner, key=lambda e: (e.account_id, e.mode)):
            owned = list(owned)
            first = _take_sequences(account_id, mode, len(owned))
            events += [
                Event(
                    account_id=e.account_id,
                    company_id=e.company_id,
                    mode=e.mode,
                    type=e.type,
                    data=e.data,
                    created_at=at,
                    sequence=first + offset,
                )
                for offset, e in enumerate(owned)
            ]
        events = insert_many(Event, events)
    if events:
        ids = [event.pk for event in events]
        transaction.on_commit(lambda: events_committed.send(sender=Event, event_ids=ids), robust=True)
    return events


PURGE_BATCH = 1000


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete the events older than RETENTION, with what refers to them (their webhook deliveries and
    attempts, long finished: deliveries are retried for 3 days), account by account so each delete reads the
    (account, mode, created_at) index, in batches that keep each transaction short. Run daily
    (`purgeevents`); GET /events never lists an older event either way."""
    cutoff = (now or datetime.fromtimestamp(clock.now(), UTC)) - RETENTION
    deleted = 0
    for account_id, mode in EventSequence.objects.values_list("account_id", "mode"):
        expired = Event.objects.filter(account_id=account_id, mode=mode, created_at__lt=cutoff)
        while batch := list(expired.values_list("pk", flat=True)[:PURGE_BATCH]):
            Event.objects.filter(pk__in=batch).delete()
            deleted += len(batch)
    return deleted
