import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beel.api.serializers import APIModelSerializer, APISerializer, StrictUUIDField, UTCDateTimeField
from beel.clock import today as clock_today
from customers.models import PaymentMethod
from customers.serializers import AddressSerializer, AlternativeIdSerializer
from invoices.currencies import ISO_4217_CODES
from invoices.models import CURRENCY_MESSAGE, DEFAULT_CURRENCY, DRAFT_FIELDS, Invoice, check_draft_amounts
from invoices.representations import issuer_of, payments_of, recipient_of

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
AMOUNT_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN, "example": "814.00"})
class AmountField(serializers.DecimalField):
    """A non-negative amount with up to two decimals, given as a decimal string ("814.00"): exactly the
    strings the schema's pattern allows, no exponent, sign or surrounding blanks."""

    # DRF's "A valid number is required." misleads for "-3" or 12.5 given as a JSON number: say the form.
    default_error_messages = {"invalid": 'Must be a decimal string with up to two decimals and no sign, e.g. "814.00".'}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(AMOUNT_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "enum": sorted(ISO_4217_CODES), "description": "An ISO 4217 code."})
class CurrencyField(serializers.RegexField):
    """Documented as the list of codes the draft amounts check accepts (invoices.currencies)."""


class RecipientSerializer(APISerializer):
    """The recipient's fiscal identity (customers.representations.fiscal_identity)."""

    legal_name = serializers.CharField(read_only=True)
    nif = serializers.CharField(read_only=True)
    alternative_id = AlternativeIdSerializer(
        read_only=True, allow_null=True, help_text="For a recipient without a Spanish NIF; null otherwise."
    )
    address = AddressSerializer(read_only=True)


class IssuerAddressSerializer(APISerializer):
    street = serializers.CharField(read_only=True)
    number = serializers.CharField(read_only=True, allow_null=True)
    postal_code = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    province = serializers.CharField(read_only=True, allow_null=True)
    country_code = serializers.CharField(read_only=True)


class IssuerSerializer(APISerializer):
    """The issuing company's fiscal identity (companies.models.Company.fiscal_identity)."""

    legal_name = serializers.CharField(read_only=True)
    trade_name = serializers.CharField(read_only=True, allow_null=True)
    nif = serializers.CharField(read_only=True)
    address = IssuerAddressSerializer(read_only=True)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d{1,10}\.\d{2}$", "example": "814.00"})
class MoneyField(serializers.DecimalField):
    """An amount answered as a decimal string with its two places, as the invoice's `total`."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, read_only=True, **kwargs)


class PaymentSerializer(APISerializer):
    """beel's extension: one payment recorded for the invoice (POST .../mark-paid), in its currency."""

    id = serializers.UUIDField(read_only=True, help_text="Undo it with DELETE .../payments/{payment_id}.")
    amount = MoneyField()
    payment_date = serializers.DateField(read_only=True, help_text="The business date it was received.")
    method = serializers.ChoiceField(choices=PaymentMethod.choices, read_only=True, allow_null=True)
    created_at = UTCDateTimeField(read_only=True, help_text="When it was recorded.")


class InvoiceSerializer(APIModelSerializer):
    company_id = serializers.UUIDField(read_only=True, help_text="The company that issues the invoice.")
    customer_id = serializers.UUIDField(read_only=True)
    issuer = serializers.SerializerMethodField(
        help_text="Who issues the invoice (its company: legal name, NIF, address). Once issued, the company's "
        "fiscal identity as it was then, never changed afterwards; while a draft, the company's current details."
    )
    recipient = serializers.SerializerMethodField(
        help_text="Whom the invoice is addressed to. Once issued, the customer's fiscal identity as it was then, "
        "never changed afterwards; while a draft, the customer's current details."
    )
    number = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Taken when the invoice is issued; null for a draft."
    )
    full_number = serializers.CharField(
        read_only=True, allow_null=True, help_text="Series, dash and six digits (A-000012); null for a draft."
    )
    issued_at = UTCDateTimeField(
        read_only=True, allow_null=True, help_text="When the invoice was issued; null for a draft."
    )
    due_date = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="BeeL's payment due date: set when issued (the customer's `preferred_payment_method."
        "payment_term_days` then, 30 without one, or the one given); null for a draft without one.",
    )
    payment_date = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="BeeL's: the business date of the payment that settled it; only when paid.",
    )
    paid_at = UTCDateTimeField(
        read_only=True, allow_null=True, help_text="BeeL's: when the payment that settled it was recorded."
    )
    amount_paid = MoneyField(help_text="beel's extension: the sum of its payments, in its currency.")
    amount_due = MoneyField(
        help_text="beel's extension: what is left to pay (total - amount_paid) while issued; 0.00 otherwise."
    )
    overdue = serializers.SerializerMethodField(
        help_text="beel's extension, derived on each read: issued, unpaid and past `due_date` (the due date "
        "itself is the last day to pay). `status` stays `issued`, as BeeL's OVERDUE status is never set."
    )
    payments = serializers.SerializerMethodField(help_text="beel's extension: its payments, oldest first.")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "company_id",
            "customer_id",
            "issuer",
            "recipient",
            "series",
            "number",
            "full_number",
            *DRAFT_FIELDS,
            "issued_at",
            "due_date",
            "payment_date",
            "paid_at",
            "amount_paid",
            "amount_due",
            "overdue",
            "payments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, invoice: Invoice) -> bool:
        return invoice.is_overdue(clock_today())

    @extend_schema_field(PaymentSerializer(many=True))
    def get_payments(self, invoice: Invoice) -> list[dict]:
        return payments_of(invoice)

    @extend_schema_field(IssuerSerializer)
    def get_issuer(self, invoice: Invoice) -> dict:
        return issuer_of(invoice)

    @extend_schema_field(RecipientSerializer)
    def get_recipient(self, invoice: Invoice) -> dict:
        return recipient_of(invoice)


class InvoiceCreateSerializer(APISerializer):
    """A draft invoice: only the customer is required; it takes its number when issued, and the total is
    subtotal + tax_total."""

    customer_id = StrictUUIDField()
    series = serializers.RegexField(
        r"^[A-Z0-9][A-Z0-9-]{0,19}$",
        required=False,
        error_messages={"invalid": "Upper-case letters, digits and dashes, at most 20 characters."},
    )
    issue_date = serializers.DateField(required=False)
    due_date = serializers.DateField(
        required=False, help_text="Kept when it is issued, unless the issue gives another; on or after its issue date."
    )
    currency = CurrencyField(r"^[A-Z]{3}$", required=False, error_messages={"invalid": CURRENCY_MESSAGE})
    subtotal = AmountField(required=False, **MONEY)
    tax_total = AmountField(required=False, **MONEY)

    def validate(self, attrs):
        due_date, issue_date = attrs.get("due_date"), attrs.get("issue_date")
        if due_date is not None and issue_date is not None and due_date < issue_date:
            raise serializers.ValidationError({"due_date": "Must be on or after issue_date."})
        attrs["total"] = attrs.get("subtotal", Decimal("0")) + attrs.get("tax_total", Decimal("0"))
        try:
            check_draft_amounts(
                currency=attrs.get("currency", DEFAULT_CURRENCY),
                subtotal=attrs.get("subtotal", Decimal("0")),
                tax_total=attrs.get("tax_total", Decimal("0")),
                total=attrs["total"],
            )
        except ValidationError as error:
            raise serializers.ValidationError(
                {field: messages[0] for field, messages in error.message_dict.items()}
            ) from None
        return attrs


class IssueInvoiceSerializer(APISerializer):
    """The optional body of issueInvoice: beel takes the due date here (BeeL sets it on the draft)."""

    due_date = serializers.DateField(
        required=False,
        help_text="On or after the issue date (today). Omitted: the draft's, or today + the customer's "
        "`preferred_payment_method.payment_term_days` (30 without one).",
    )


class PaymentMethodInfoSerializer(APISerializer):
    """BeeL's PaymentInfo as markInvoicePaid takes it: only `method` is kept (with the payment)."""

    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False, allow_null=True)
    iban = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=42)
    swift = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=14)
    payment_term_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=999)


class MarkPaidSerializer(APISerializer):
    """BeeL's markInvoicePaid body (`payment_date`, `payment_method`) and beel's `amount`."""

    payment_date = serializers.DateField(required=False, help_text="Payment date (defaults to today).")
    payment_method = PaymentMethodInfoSerializer(required=False, allow_null=True)
    amount = AmountField(
        required=False,
        help_text="beel's extension: a partial payment, in the invoice's currency, at most what is due. "
        "Omitted: what is due (the invoice becomes paid).",
        **MONEY,
    )
