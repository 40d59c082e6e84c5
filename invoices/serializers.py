from decimal import Decimal

from rest_framework import serializers

from beel.api.serializers import APIModelSerializer, APISerializer, StrictUUIDField
from invoices.models import Invoice

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
# The stored total has the same 12 digits as each amount, so the sum must fit too.
MAX_TOTAL = Decimal("9999999999.99")


class InvoiceSerializer(APIModelSerializer):
    customer_id = serializers.UUIDField(read_only=True)
    full_number = serializers.CharField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "customer_id",
            "series",
            "number",
            "full_number",
            "status",
            "issue_date",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InvoiceCreateSerializer(APISerializer):
    """A draft invoice: only the customer is required; the number is assigned by the service and the total
    is subtotal + tax_total."""

    customer_id = StrictUUIDField()
    series = serializers.RegexField(
        r"^[A-Z0-9][A-Z0-9-]{0,19}$",
        required=False,
        error_messages={"invalid": "Upper-case letters, digits and dashes, at most 20 characters."},
    )
    issue_date = serializers.DateField(required=False)
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, error_messages={"invalid": "An ISO 4217 code such as EUR."}
    )
    subtotal = serializers.DecimalField(required=False, **MONEY)
    tax_total = serializers.DecimalField(required=False, **MONEY)

    def validate(self, attrs):
        attrs["total"] = attrs.get("subtotal", Decimal("0")) + attrs.get("tax_total", Decimal("0"))
        if attrs["total"] > MAX_TOTAL:
            message = f"subtotal + tax_total must not exceed {MAX_TOTAL}."
            raise serializers.ValidationError({"subtotal": message, "tax_total": message})
        return attrs
