from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


class IdempotencyRecordQuerySet(models.QuerySet):
    def expired(self, now=None) -> "IdempotencyRecordQuerySet":
        return self.filter(created_at__lt=(now or timezone.now()) - ttl())


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, kept so a retry gets the same answer
    instead of a second write (beel.idempotency.decorators). A row without a status is still being served."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True)
    response_data = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = IdempotencyRecordQuerySet.as_manager()

    class Meta:
        # The table was created by the apikeys app, where this model lived first.
        db_table = "apikeys_idempotencyrecord"
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="idempotency_key_unique_per_account")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'in progress'})"


def purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.expired().delete()
    return deleted
