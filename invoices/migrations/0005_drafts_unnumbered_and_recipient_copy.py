"""Drafts stop holding numbers; issued invoices keep a copy of their recipient.

What happens to existing rows (issue #16), and why:
- A draft never had a legal number (it was only reserved when the draft was created), so existing drafts
  lose theirs; they take one when issued. Issued, paid and cancelled invoices keep their numbers: renumbering
  a legal document is forbidden.
- Each series' counter is set back to the highest number still held, so the next issued invoice follows
  the last issued one without the gap the discarded draft numbers would leave. A draft number that sat
  between two issued ones was already a gap before this migration and stays one.
- Existing issued, paid and cancelled invoices get their recipient copy from their customer as it is now:
  the best information available (earlier edits of the customer were never recorded with their values).
  `issued_at` stays empty for them: when they were issued was never recorded.
The copy is written by a frozen version of customers.representations.fiscal_identity, because a migration
must not depend on the current code (later identity fields do not exist in this migration's models).
Reversing gives drafts new numbers after each series' last one.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Max


def _address(customer) -> dict:
    address = {"street": customer.street, "number": customer.number}
    for name in ("floor", "door"):
        if value := getattr(customer, name):
            address[name] = value
    address.update(
        postal_code=customer.postal_code, city=customer.city, province=customer.province, country=customer.country
    )
    return address


def unnumber_drafts_and_copy_recipients(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    InvoiceSeriesCounter = apps.get_model("invoices", "InvoiceSeriesCounter")
    Invoice.objects.filter(status="draft").update(number=None)
    issued = Invoice.objects.exclude(status="draft").filter(recipient__isnull=True).select_related("customer")
    for invoice in issued.iterator(chunk_size=500):
        customer = invoice.customer
        invoice.recipient = {"legal_name": customer.legal_name, "nif": customer.nif, "address": _address(customer)}
        invoice.save(update_fields=["recipient"])
    for counter in InvoiceSeriesCounter.objects.all():
        held = Invoice.objects.filter(account_id=counter.account_id, mode=counter.mode, series=counter.series)
        counter.last_number = held.aggregate(last=Max("number"))["last"] or 0
        counter.save(update_fields=["last_number"])


def number_drafts_again(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    InvoiceSeriesCounter = apps.get_model("invoices", "InvoiceSeriesCounter")
    for draft in Invoice.objects.filter(number__isnull=True).order_by("created_at", "id"):
        counter, _created = InvoiceSeriesCounter.objects.get_or_create(
            account_id=draft.account_id, mode=draft.mode, series=draft.series
        )
        held = Invoice.objects.filter(account_id=draft.account_id, mode=draft.mode, series=draft.series)
        counter.last_number = max(counter.last_number, held.aggregate(last=Max("number"))["last"] or 0) + 1
        counter.save(update_fields=["last_number"])
        draft.number = counter.last_number
        draft.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0012_field_labels_translated"),
        ("invoices", "0004_field_labels_translated"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="invoice",
            options={
                "ordering": [
                    "-issue_date",
                    "series",
                    models.OrderBy(models.F("number"), descending=True, nulls_first=True),
                ]
            },
        ),
        migrations.RemoveConstraint(
            model_name="invoice",
            name="invoice_unique_number_per_series",
        ),
        migrations.AddField(
            model_name="invoice",
            name="issued_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="issued at"),
        ),
        migrations.AddField(
            model_name="invoice",
            name="recipient",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="recipient"),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="number",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="number"),
        ),
        migrations.RunPython(unnumber_drafts_and_copy_recipients, number_drafts_again),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.UniqueConstraint(
                condition=models.Q(("number__isnull", False)),
                fields=("account", "mode", "series", "number"),
                name="invoice_unique_number_per_series",
            ),
        ),
    ]
