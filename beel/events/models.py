import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

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


@dataclass(frozen=True)
class NewEvent:
    account_id: int
    mode: str
    type: str
    data: dict[str, Any]
    # The company the changed object belongs to (companies.Company): every event names it, so a receiver of
    # an account with several companies knows whose change it is, and an endpoint may listen to some only.
    company_id: uuid.UUID


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

    class Meta:
        ordering = ["created_at", "id"]
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
            "created_at": format_utc(self.created_at),
            "api_version": API_VERSION,
            "livemode": self.mode == Mode.LIVE,
            "company_id": str(self.company_id) if self.company_id else None,
            "data": self.data,
        }


def record_events(new_events: Iterable[NewEvent], *, at=None) -> list[Event]:
    """Write events in the caller's transaction (one INSERT however many) and announce them once it
    commits: a rolled-back change leaves no event behind and announces nothing."""
    at = at or timezone.now()
    events = Event.objects.bulk_create(
        [
            Event(
                account_id=e.account_id, company_id=e.company_id, mode=e.mode, type=e.type, data=e.data, created_at=at
            )
            for e in new_events
        ]
    )
    if events:
        ids = [event.pk for event in events]
        transaction.on_commit(lambda: events_committed.send(sender=Event, event_ids=ids), robust=True)
    return events
