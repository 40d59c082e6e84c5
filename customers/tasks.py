"""Celery tasks of the customers app. The work is in customers.services.tax_id; these only connect it to the
queue (the pattern of webhooks.tasks)."""

from celery import shared_task
from django.conf import settings

from customers.services import exports, tax_id


@shared_task(ignore_result=True)
def recheck_tax_id(customer_id: str) -> None:
    """One customer's PENDING tax id asked again, with the registry's own retries (TAX_ID_RETRIES)."""
    tax_id.recheck_tax_id(customer_id=customer_id)


@shared_task(ignore_result=True)
def recheck_pending_tax_ids() -> None:
    """Run by beat every TAX_ID_RECHECK_SWEEP_SECONDS: every customer whose re-check is due, each its own task."""
    for customer_id in tax_id.claim_due_rechecks():
        recheck_tax_id.delay(customer_id)


# The lease is the run's time limit: a run past it is killed (hard limit) before the sweep may hand the job to
# another worker, so two runs of one job never write at once. acks_late (beel.settings) redelivers the message
# of a worker that died; its lease then turns the redelivery away until it expires, and the sweep resends it.
@shared_task(
    ignore_result=True,
    soft_time_limit=max(settings.EXPORT_LEASE_SECONDS - 30, 1),
    time_limit=settings.EXPORT_LEASE_SECONDS,
)
def run_customer_export(export_id: str) -> None:
    exports.run_export(export_id)


@shared_task(ignore_result=True)
def sweep_customer_exports() -> None:
    """Run by beat every EXPORT_SWEEP_SECONDS: purges expired exports and resends abandoned or lost jobs."""
    for export_id in exports.sweep_exports():
        run_customer_export.delay(export_id)
