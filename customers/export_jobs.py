"""An export of customers run as a background job (issue 26): what was asked (the list's filters and sort),
where the job is, and the file it wrote. Imported by customers.models, so Django registers it there.

A job is claimed with a lease (`lease_expires_at`) by a conditional UPDATE: a worker killed mid-export leaves
a lease that expires, and the sweep (customers.tasks.sweep_customer_exports) hands the job out again, up to
EXPORT_MAX_ATTEMPTS; a job is never left `running` for ever. The file lives in `STORAGES["customer_exports"]`
until `expires_at`; the purge deletes it with the job."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beel.tenancy import Mode, ScopedQuerySet


class ExportStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


UNFINISHED = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class CustomerExportQuerySet(ScopedQuerySet):
    def unfinished(self) -> "CustomerExportQuerySet":
        return self.filter(status__in=UNFINISHED)

    def expired(self, now) -> "CustomerExportQuerySet":
        """Finished jobs whose file (or failure) is no longer kept."""
        return self.filter(expires_at__lte=now)


class CustomerExport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    # customers.selectors.CustomerFilters as JSON (customers.services.exports.stored_filters): the rows and
    # their order, as the direct export reads them from the query string.
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=9, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    # Who asked (beel.actors.Actor as text), as the audit trail names them.
    requested_by = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # The name in STORAGES["customer_exports"]; empty until the job succeeded, and once the file is purged.
    file_name = models.CharField(max_length=200, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer export")
        verbose_name_plural = _("customer exports")
        ordering = ["created_at", "id"]
        indexes = [
            # The sweep reads only the jobs still queued or running.
            models.Index(
                fields=["created_at"], condition=Q(status__in=UNFINISHED), name="customer_export_unfinished_idx"
            ),
            models.Index(fields=["expires_at"], name="customer_export_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"customer export {self.pk} ({self.status})"
