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
The copy is built by SQL frozen here (the shape of customers.representations.fiscal_identity when this
migration was written: floor and door only when not empty), because a migration must not depend on the
current code. Every step is one set-based statement per table (docs/deploy.md, "Data migrations"): the
first version saved invoice by invoice and took over 17 minutes at 200,000 invoices.
Reversing gives drafts new numbers after each series' last one, in the order they were created.
"""

from django.conf import settings
from django.db import migrations, models


def _recipient_sql(vendor: str) -> str:
    """The recipient copy of customer `c`, as JSON: PostgreSQL's jsonb or SQLite's JSON text."""
    if vendor == "postgresql":
        build, empty, merge = "jsonb_build_object", "'{}'::jsonb", "({} || {})"
    else:
        build, empty, merge = "json_object", "'{}'", "json_patch({}, {})"

    def only_if_filled(name: str) -> str:
        return f"CASE WHEN COALESCE(c.{name}, '') <> '' THEN {build}('{name}', c.{name}) ELSE {empty} END"

    address = f"{build}('street', c.street, 'number', c.number)"
    for part in (only_if_filled("floor"), only_if_filled("door")):
        address = merge.format(address, part)
    rest = f"{build}('postal_code', c.postal_code, 'city', c.city, 'province', c.province, 'country', c.country)"
    address = merge.format(address, rest)
    return f"{build}('legal_name', c.legal_name, 'nif', c.nif, 'address', {address})"


def _tables(apps, schema_editor) -> tuple[str, str, str]:
    quote = schema_editor.quote_name
    return tuple(
        quote(apps.get_model(app, model)._meta.db_table)
        for app, model in (("invoices", "Invoice"), ("invoices", "InvoiceSeriesCounter"), ("customers", "Customer"))
    )


def _highest_held(invoices: str, counters: str) -> str:
    return (
        f"(SELECT MAX(i.number) FROM {invoices} i WHERE i.account_id = {counters}.account_id"
        f" AND i.mode = {counters}.mode AND i.series = {counters}.series)"
    )


def unnumber_drafts_and_copy_recipients(apps, schema_editor):
    invoices, counters, customers = _tables(apps, schema_editor)
    execute = schema_editor.execute
    execute(f"UPDATE {invoices} SET number = NULL WHERE status = 'draft'")
    execute(
        f"UPDATE {invoices} AS i SET recipient = {_recipient_sql(schema_editor.connection.vendor)}"
        f" FROM {customers} AS c WHERE c.id = i.customer_id AND i.status <> 'draft' AND i.recipient IS NULL"
    )
    execute(f"UPDATE {counters} SET last_number = COALESCE({_highest_held(invoices, counters)}, 0)")


def number_drafts_again(apps, schema_editor):
    invoices, counters, _customers = _tables(apps, schema_editor)
    execute = schema_editor.execute
    same_series = "c.account_id = d.account_id AND c.mode = d.mode AND c.series = d.series"
    execute(
        f"INSERT INTO {counters} (account_id, mode, series, last_number)"
        f" SELECT DISTINCT d.account_id, d.mode, d.series, 0 FROM {invoices} d"
        f" WHERE d.number IS NULL AND NOT EXISTS (SELECT 1 FROM {counters} c WHERE {same_series})"
    )
    # Each draft of a series takes the next number after the higher of its counter and its highest number held.
    execute(
        f"UPDATE {invoices} AS target SET number = numbered.new_number FROM ("
        "  SELECT d.id, CASE WHEN c.last_number > COALESCE(h.held, 0) THEN c.last_number ELSE COALESCE(h.held, 0) END"
        "   + ROW_NUMBER() OVER (PARTITION BY d.account_id, d.mode, d.series ORDER BY d.created_at, d.id) AS new_number"
        f"  FROM {invoices} d JOIN {counters} c ON {same_series}"
        f"  LEFT JOIN (SELECT account_id, mode, series, MAX(number) AS held FROM {invoices}"
        "   GROUP BY account_id, mode, series) h ON h.account_id = d.account_id AND h.mode = d.mode AND h.series = d.series"
        "  WHERE d.number IS NULL"
        ") AS numbered WHERE target.id = numbered.id"
    )
    execute(
        f"UPDATE {counters} SET last_number = {_highest_held(invoices, counters)}"
        f" WHERE {_highest_held(invoices, counters)} > last_number"
    )


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
