"""Celery tasks of the customers app. The work is in customers.services.tax_id; these only connect it to the
queue (the pattern of webhooks.tasks)."""

from celery import shared_task

from customers.services import tax_id


@shared_task(ignore_result=True)
def recheck_tax_id(customer_id: str) -> None:
    """One customer's PENDING tax id asked again, with the registry's own retries (TAX_ID_RETRIES)."""
    tax_id.recheck_tax_id(customer_id=customer_id)


@shared_task(ignore_result=True)
def recheck_pending_tax_ids() -> None:
    """Run by beat every TAX_ID_RECHECK_SWEEP_SECONDS: every customer whose re-check is due, each its own task."""
    for customer_id in tax_id.claim_due_rechecks():
        recheck_tax_id.delay(customer_id)
