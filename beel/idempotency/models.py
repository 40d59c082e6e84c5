from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models

from beel.clock import clock
from beel.tenancy import Mode


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def lease() -> timedelta:
    """How long a request may hold its key before a retry may assume it died and take the key over."""
    return timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)


def now() -> datetime:
    return datetime.fromtimestamp(clock.now(), UTC)


class IdempotencyRecordQuerySet(models.QuerySet):
    def expired(self) -> "IdempotencyRecordQuerySet":
        return self.filter(created_at__lt=now() - ttl())


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, kept so a retry gets the same answer
    instead of a second write (beel.idempotency.decorators). A row without a status is still being served."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.LIVE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True)
    # The response's data as it was rendered, as text (beel.idempotency.decorators.stored); null while in progress,
    # as `status_code` (not "": the reverse migration casts it back to jsonb).
    response_data = models.TextField(null=True)  # noqa: DJ001
    # When the request claimed the key (a retry that takes over a dead request's key claims it anew).
    created_at = models.DateTimeField(default=now, db_index=True)

    objects = IdempotencyRecordQuerySet.as_manager()

    class Meta:
        # The table was created by the apikeys app, where this model lived first.
        db_table = "apikeys_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(fields=["account", "mode", "key"], name="idempotency_key_unique_per_account_mode")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'in progress'})"


def purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.expired().delete()
    return deleted
