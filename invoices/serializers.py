import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beel.api.serializers import APIModelSerializer, APISerializer, StrictUUIDField, UTCDateTimeField
from customers.serializers import AddressSerializer, AlternativeIdSerializer
from invoices.currencies import ISO_4217_CODES
from invoices.models import CURRENCY_MESSAGE, DEFAULT_CURRENCY, DRAFT_FIELDS, Invoice, check_draft_amounts
from invoices.representations import issuer_of, recipient_of

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
AMOUNT_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN, "example": "814.00"})
class AmountField(serializers.DecimalField):
    """A non-negative amount with up to two decimals, given as a decimal string ("814.00"): exactly the
    strings the schema's pattern allows, no exponent, sign or surrounding blanks."""

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
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

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
    currency = CurrencyField(r"^[A-Z]{3}$", required=False, error_messages={"invalid": CURRENCY_MESSAGE})
    subtotal = AmountField(required=False, **MONEY)
    tax_total = AmountField(required=False, **MONEY)

    def validate(self, attrs):
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
