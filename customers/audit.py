"""A customer's history (AuditEntry), kept apart from the record's model; customers.models registers it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beel.actors import Actor, Channel
from beel.db.copy import insert_many

# How the history names the channels to staff.
CHANNEL_CHOICES = [(Channel.API.value, "API"), (Channel.ADMIN.value, _("admin")), (Channel.COMMAND.value, _("command"))]


class AuditEntry(models.Model):
    """A customer's history: every creation, update, deactivation and reactivation, with who did it (API
    key prefix, staff user or command), when, through which channel and, for updates, which fields
    changed (their names only: the history must not keep personal data the record itself may erase).
    Written by customers.services in the same transaction as the change."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        ERASURE_REQUESTED = "erasure_requested", _("Erasure requested")
        ANONYMIZED = "anonymized", _("Anonymized")
        MERGED = "merged", _("Merged into another customer")
        ABSORBED = "absorbed", _("Absorbed a duplicate")
        DELETED = "deleted", _("Deleted")

    # Served by status_change_customer_idx, which leads with the customer: an index of its own would be
    # one more entry written per audited row (a bulk deactivation writes 100).
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="audit_entries", db_index=False
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=CHANNEL_CHOICES)
    actor = models.CharField(_("actor"), max_length=150, help_text=_("API key prefix, staff username or command name."))
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    changed_fields = models.JSONField(
        _("changed fields"), default=list, blank=True, help_text=_("For updates: the fields that changed.")
    )
    # The entries one bulk call wrote share it, so "undo that deactivation" finds exactly its customers.
    batch = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"], name="status_change_customer_idx")]

    def __str__(self) -> str:
        return f"{self.action} by {self.channel}:{self.actor} at {self.at:%Y-%m-%d %H:%M}"

    def changed_field_labels(self) -> list[str]:
        """The changed fields as staff read them: each one's label in their language (its name if the record
        no longer has such a field)."""
        customer_model = self._meta.get_field("customer").related_model
        fields = {field.name: field for field in customer_model._meta.get_fields() if hasattr(field, "verbose_name")}
        return [str(fields[name].verbose_name) if name in fields else name for name in self.changed_fields]

    @classmethod
    def record(cls, *, customer_ids, action: str, actor: Actor, at=None, changed_fields=(), batch=None) -> None:
        at = at or timezone.now()
        insert_many(
            cls,
            [
                cls(
                    customer_id=pk,
                    action=action,
                    channel=actor.channel,
                    actor=actor.name,
                    at=at,
                    changed_fields=sorted(changed_fields),
                    batch=batch,
                )
                for pk in customer_ids
            ],
        )
