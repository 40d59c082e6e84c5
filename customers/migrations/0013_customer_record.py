"""The whole customer record (issue #14): trade name, alternative id (AEAT's IDOtro), the address' country
code, billing details and metadata. Existing rows get the country code of their country name (empty when
the name is not recognised, which leaves their NIF unchecked as before); the NIF's uniqueness now skips
customers without one. On PostgreSQL a GIN index (jsonb_path_ops) serves the `metadata[key]=value` filter."""

from django.conf import settings
from django.db import migrations, models

from beel.db.operations import PostgreSQLOnlyRunSQL


def fill_country_codes(apps, schema_editor):
    from customers.validators import country_code_of

    Customer = apps.get_model("customers", "Customer")
    for name in Customer.objects.values_list("country", flat=True).distinct():
        Customer.objects.filter(country=name).update(country_code=country_code_of(name) or "")


def forget_country_codes(apps, schema_editor):
    pass  # the column goes away with the reversed AddField


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0012_field_labels_translated"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="customer",
            name="customer_unique_active_nif_per_account",
        ),
        migrations.AddField(
            model_name="customer",
            name="alternative_id_country",
            field=models.CharField(blank=True, max_length=2, verbose_name="alternative id country"),
        ),
        migrations.AddField(
            model_name="customer",
            name="alternative_id_number",
            field=models.CharField(blank=True, max_length=20, verbose_name="alternative id number"),
        ),
        migrations.AddField(
            model_name="customer",
            name="alternative_id_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("02", "NIF-IVA (EU VAT number)"),
                    ("03", "Passport"),
                    ("04", "Official document of the country of residence"),
                    ("05", "Residence certificate"),
                    ("06", "Other document"),
                    ("07", "Not registered"),
                ],
                max_length=2,
                verbose_name="alternative id type",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="billing_emails",
            field=models.JSONField(blank=True, default=list, verbose_name="billing emails"),
        ),
        migrations.AddField(
            model_name="customer",
            name="contact_person",
            field=models.CharField(blank=True, max_length=200, verbose_name="contact person"),
        ),
        migrations.AddField(
            model_name="customer",
            name="country_code",
            field=models.CharField(blank=True, default="ES", max_length=2, verbose_name="country code"),
        ),
        migrations.AddField(
            model_name="customer",
            name="general_discount",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=5, verbose_name="general discount (%)"),
        ),
        migrations.AddField(
            model_name="customer",
            name="iban",
            field=models.CharField(blank=True, max_length=34, verbose_name="IBAN"),
        ),
        migrations.AddField(
            model_name="customer",
            name="metadata",
            field=models.JSONField(blank=True, default=dict, verbose_name="metadata"),
        ),
        migrations.AddField(
            model_name="customer",
            name="notes",
            field=models.TextField(blank=True, verbose_name="notes"),
        ),
        migrations.AddField(
            model_name="customer",
            name="payment_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("transfer", "Bank transfer"),
                    ("direct_debit", "Direct debit"),
                    ("card", "Card"),
                    ("cash", "Cash"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="payment method",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="payment_term_days",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="0 to 365.", null=True, verbose_name="payment term (days)"
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="swift",
            field=models.CharField(blank=True, max_length=11, verbose_name="BIC/SWIFT"),
        ),
        migrations.AddField(
            model_name="customer",
            name="trade_name",
            field=models.CharField(blank=True, max_length=120, verbose_name="trade name"),
        ),
        migrations.AddField(
            model_name="customer",
            name="web",
            field=models.URLField(blank=True, verbose_name="web"),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True), models.Q(("nif", ""), _negated=True)),
                fields=("account", "mode", "nif"),
                name="customer_unique_active_nif_per_account",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True), models.Q(("alternative_id_type", ""), _negated=True)),
                fields=("account", "mode", "alternative_id_country", "alternative_id_number"),
                name="customer_unique_active_alternative_id",
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="nif",
            field=models.CharField(
                blank=True,
                help_text="Normalised: upper case, no spaces or dashes. Empty for a customer with an alternative id.",
                max_length=20,
                verbose_name="NIF",
            ),
        ),
        migrations.RunPython(fill_country_codes, forget_country_codes, elidable=True),
        PostgreSQLOnlyRunSQL(
            sql="CREATE INDEX IF NOT EXISTS customer_metadata_gin_idx ON customers_customer "
            "USING gin (metadata jsonb_path_ops)",
            reverse_sql="DROP INDEX IF EXISTS customer_metadata_gin_idx",
        ),
    ]
