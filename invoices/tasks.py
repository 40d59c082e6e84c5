"""Celery tasks of the invoices app: the work is in invoices.payments; these only connect it to beat."""

from celery import shared_task

from invoices import payments


@shared_task(ignore_result=True)
def notify_overdue_invoices() -> None:
    """Run by beat every OVERDUE_SWEEP_SECONDS (a day): `invoice.overdue`, once per invoice that fell due."""
    payments.notify_overdue_invoices()
