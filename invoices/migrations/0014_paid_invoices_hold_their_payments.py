"""Invoices marked paid before payments were recorded (invoices 0011) kept `amount_paid` at 0 and had no
payment: the customer's balance, statement and aging would read them as owed. Each gets the one payment that
settled it, dated as known (its `payment_date`, else the day it was marked paid, else its issue date), so
every paid invoice's payments cover its total, as the use cases keep them since 0011.

Row by row through the ORM, in batches: such invoices exist only where staff marked invoices paid before
0011, never many, and the same code runs on SQLite. Reversible: the payments it made carry its mark."""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

RECORDED_BY = "migration invoices 0014 (paid before payments were recorded)"
BATCH_SIZE = 1000


def record_the_settling_payments(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    InvoicePayment = apps.get_model("invoices", "InvoicePayment")
    unsettled = Invoice.objects.filter(status="paid", amount_paid__lt=F("total")).order_by("pk")
    while batch := list(unsettled[:BATCH_SIZE]):
        payments = []
        for invoice in batch:
            paid_on = invoice.payment_date or (
                timezone.localdate(invoice.paid_at) if invoice.paid_at else invoice.issue_date
            )
            payments.append(
                InvoicePayment(
                    invoice=invoice,
                    amount=invoice.total - invoice.amount_paid,
                    payment_date=paid_on,
                    recorded_by=RECORDED_BY,
                )
            )
            invoice.amount_paid, invoice.payment_date = invoice.total, paid_on
        InvoicePayment.objects.bulk_create(payments)
        Invoice.objects.bulk_update(batch, ["amount_paid", "payment_date"])


def forget_the_settling_payments(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    InvoicePayment = apps.get_model("invoices", "InvoicePayment")
    made = InvoicePayment.objects.filter(recorded_by=RECORDED_BY).select_related("invoice")
    for payment in made.iterator(chunk_size=BATCH_SIZE):
        Invoice.objects.filter(pk=payment.invoice_id).update(amount_paid=F("amount_paid") - payment.amount)
    made.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0013_payment_labels_in_spanish"),
    ]

    operations = [
        migrations.RunPython(record_the_settling_payments, forget_the_settling_payments, elidable=False),
    ]
