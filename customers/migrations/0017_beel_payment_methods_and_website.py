"""BeeL 1.9.0's customer (issue 23): `web` is named `website` as BeeL names it (and takes BeeL's 255
characters), postal codes take BeeL's 20 characters, and the payment methods are BeeL's PaymentMethod values. Existing rows are mapped in one UPDATE
each way; a row with a method and no term gets BeeL's 30 days (kept on the way back, where it is valid too)."""

from django.db import migrations, models

FORWARD = """
UPDATE customers_customer SET payment_method = CASE payment_method
    WHEN 'transfer' THEN 'BANK_TRANSFER'
    WHEN 'direct_debit' THEN 'DIRECT_DEBIT'
    WHEN 'card' THEN 'CARD'
    WHEN 'cash' THEN 'CASH'
    WHEN 'other' THEN 'OTHER'
    ELSE payment_method END
WHERE payment_method IN ('transfer', 'direct_debit', 'card', 'cash', 'other');
"""
TERM = "UPDATE customers_customer SET payment_term_days = 30 WHERE payment_method <> '' AND payment_term_days IS NULL;"
# BeeL's methods beel had no word for go back as 'other', and NONE as no method at all.
BACKWARD = """
UPDATE customers_customer SET payment_method = CASE payment_method
    WHEN 'BANK_TRANSFER' THEN 'transfer'
    WHEN 'DIRECT_DEBIT' THEN 'direct_debit'
    WHEN 'CARD' THEN 'card'
    WHEN 'CASH' THEN 'cash'
    WHEN 'NONE' THEN ''
    ELSE 'other' END
WHERE payment_method <> '';
"""


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0016_no_redundant_fk_index"),
    ]

    operations = [
        migrations.RenameField(model_name="customer", old_name="web", new_name="website"),
        migrations.AlterField(
            model_name="customer",
            name="website",
            field=models.CharField(blank=True, max_length=255, verbose_name="website"),
        ),
        # BeeL's postal codes have up to 20 characters.
        migrations.AlterField(
            model_name="customer",
            name="postal_code",
            field=models.CharField(blank=True, max_length=20, verbose_name="postal code"),
        ),
        migrations.AlterField(
            model_name="customer",
            name="payment_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("NONE", "None (no payment details on the invoice)"),
                    ("BANK_TRANSFER", "Bank transfer"),
                    ("CARD", "Card"),
                    ("CASH", "Cash"),
                    ("CHECK", "Check"),
                    ("DIRECT_DEBIT", "Direct debit"),
                    ("BIZUM", "Bizum"),
                    ("OTHER", "Other"),
                ],
                max_length=20,
                verbose_name="payment method",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD, elidable=False),
        migrations.RunSQL(TERM, migrations.RunSQL.noop, elidable=False),
    ]
