import secrets
import uuid
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beel.clock import clock
from beel.events.models import Event
from beel.tenancy import Mode, ScopedQuerySet

SECRET_PREFIX = "whsec_"
ATTEMPTS_SHOWN = 50
# An endpoint's `events` that selects every event type, present and future (Stripe's `enabled_events`).
EVERY_EVENT = "*"
# How long a rotated secret may keep signing next to the new one (Stripe allows 7 days too).
LONGEST_SECRET_OVERLAP = timedelta(days=7)


def new_signing_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookEndpointQuerySet(ScopedQuerySet):
    def reachable_with(self, company_ids: Collection[str]) -> "WebhookEndpointQuerySet":
        """The endpoints a credential restricted to `company_ids` may see and manage: those that listen only to
        some of those companies (an endpoint listening to every company would hand it the others' events).
        Empty `company_ids`: no restriction. An account has a handful of endpoints: read in Python, which
        works alike on every database's JSON."""
        if not company_ids:
            return self
        allowed = {str(company_id) for company_id in company_ids}
        pks = [pk for pk, listened in self.values_list("pk", "company_ids") if listened and set(listened) <= allowed]
        return self.filter(pk__in=pks)


class WebhookEndpoint(models.Model):
    """Where an account's events of one mode are sent. The signing secret is stored as is, because every
    delivery is signed with it; it is shown once (on creation and rotation) and never listed again."""

    class Status(models.TextChoices):
        ENABLED = "enabled", _("Enabled")
        DISABLED = "disabled", _("Disabled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("account")
    )
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.LIVE)
    url = models.URLField("URL", max_length=2048)
    description = models.CharField(_("description"), max_length=255, blank=True)
    secret = models.CharField(max_length=80, default=new_signing_secret, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ENABLED)
    disabled_reason = models.CharField(_("disabled reason"), max_length=255, blank=True)
    # The companies of the account whose events it receives (their ids); empty: every company, present and
    # future. Each event names its company (beel.events.models.Event.company_id).
    company_ids = models.JSONField(default=list, blank=True)
    # The event types it receives (beel.events.models.STREAM_TYPES); empty: every type, present and future
    # (the API shows that as ["*"]).
    event_types = models.JSONField(default=list, blank=True)
    # The secret replaced by the last rotation, which still signs deliveries (next to the new one) until
    # `previous_secret_expires_at`, so a receiver can switch secrets without refusing a delivery.
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the run of failed deliveries began (None while the last one succeeded).
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["account", "mode", "status"], name="webhook_endpoint_account_idx")]

    def __str__(self) -> str:
        return self.url

    @property
    def enabled(self) -> bool:
        return self.status == self.Status.ENABLED

    def listens_to(self, company_id) -> bool:
        """Whether an event of `company_id` is sent here (an event recorded before companies names none: only
        the endpoints listening to every company receive it)."""
        return not self.company_ids or (company_id is not None and str(company_id) in self.company_ids)

    def receives(self, event: Event) -> bool:
        """Whether `event` is sent here: its company is listened to, and its type selected."""
        return self.listens_to(event.company_id) and (not self.event_types or event.type in self.event_types)

    def previous_secret_signs_until(self, at: datetime | None = None) -> datetime | None:
        """When the secret replaced by the last rotation stops signing, or None if it no longer does at `at`
        (default: now on the service's clock)."""
        at = at or datetime.fromtimestamp(clock.now(), UTC)
        ends = self.previous_secret_expires_at
        return ends if self.previous_secret and ends is not None and at < ends else None

    def signing_secrets(self, at: datetime | None = None) -> list[str]:
        """The secrets that sign a delivery made at `at`: the current one, then the previous one while its
        overlap lasts."""
        return [self.secret, self.previous_secret] if self.previous_secret_signs_until(at) else [self.secret]


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, now: datetime) -> "WebhookDeliveryQuerySet":
        """Pending, due, to an enabled endpoint, and not held by an attempt in flight (a retry asked for by
        hand while an attempt runs waits for it rather than being sent twice at once)."""
        return self.filter(
            models.Q(leased_until__isnull=True) | models.Q(leased_until__lte=now),
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__status=WebhookEndpoint.Status.ENABLED,
        )

    def in_flight(self, now: datetime) -> "WebhookDeliveryQuerySet":
        """Deliveries an attempt holds now (a lease past its end is a dead worker's: not in flight)."""
        return self.filter(leased_until__gt=now)

    def round_robin(self) -> "WebhookDeliveryQuerySet":
        """Each endpoint's oldest due first, then each one's second, and so on: one endpoint's backlog is
        handed out between the others' deliveries, not before them."""
        turn = models.Window(
            RowNumber(), partition_by=[models.F("endpoint_id")], order_by=[models.F("next_attempt_at").asc(), "pk"]
        )
        return self.annotate(turn=turn).order_by("turn", "next_attempt_at", "pk")


class WebhookDelivery(models.Model):
    """One event for one endpoint: retried until the endpoint answers 2xx or the retry window closes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # When the next attempt is due; while an attempt runs, the end of its lease (see webhooks.delivery).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # While an attempt runs: the end of its lease (cleared when the attempt is recorded). What counts the
    # attempts in flight to an endpoint, which WEBHOOK_ENDPOINT_CONCURRENCY bounds.
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                name="webhook_delivery_next_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["endpoint", "leased_until"],
                name="webhook_delivery_lease_idx",
                condition=models.Q(leased_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came of it."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("delivery")
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("webhook endpoint")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-at"], name="webhook_attempt_endpoint_idx")]

    def __str__(self) -> str:
        outcome = self.status_code or self.error
        return f"{self.delivery} · {self.at:%Y-%m-%d %H:%M:%S} · {outcome}"
