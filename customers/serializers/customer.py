"""The customer's API shapes, as one customer is read and written. Reading: the declared fields describe
the shape for the OpenAPI schema, and customers.representations writes it. Writing: the declared fields
describe the body, and customers.record checks and normalises it (the CSV import and the admin call it
too); the serializers only adapt it to DRF."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from beel.api.serializers import APIModelSerializer, APISerializer, StrictUUIDField, UTCDateTimeField
from beel.payloads import Invalid, dotted
from customers import record
from customers.models import Customer
from customers.representations import customer_detail_representation, customer_representation
from customers.validators import (
    CONTACT_PERSON_MAX_LENGTH,
    LEGAL_NAME_MAX_LENGTH,
    MAX_BILLING_EMAILS,
    METADATA_KEY_MAX_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX_LENGTH,
    PAYMENT_TERM_MAX_DAYS,
    TRADE_NAME_MAX_LENGTH,
    AlternativeIdType,
    PaymentMethod,
)


@extend_schema_field(
    {
        "type": "string",
        # Empty only in answers: an anonymised customer, or one stored before codes with an unknown name.
        "pattern": "^([A-Za-z]{2})?$",
        "description": "ISO 3166-1 alpha-2 country code, upper-cased when stored (e.g. ES, PT, DE). Shown "
        "empty for an anonymised customer, or one stored before country codes whose country was not recognised.",
    }
)
class CountryCodeField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", 2)
        super().__init__(**kwargs)


class AddressSerializer(APISerializer):
    """Postal address. In responses `floor` and `door` appear only when set; the other fields always do
    (empty string when unknown). `country_code` (default ES) decides the Spanish NIF check and the phone's
    default region. Sent alone it gives `country` its Spanish name; `country` sent alone (a Spanish or
    English name) gives the code, and an unknown name is refused; both sent are kept as sent."""

    street = serializers.CharField(max_length=255, required=False, allow_blank=True)
    number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    floor = serializers.CharField(max_length=20, required=False, allow_blank=True)
    door = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    province = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=False)
    country_code = CountryCodeField(required=False)


# The same shape as a NIF's (customers.validators.validate_alternative_id compacts it the same way).
ID_NUMBER_PATTERN = r"^[ .\-]*(?:[A-Za-z0-9][ .\-]*){1,20}$"


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": 32,
        "pattern": ID_NUMBER_PATTERN,
        "description": "1 to 20 letters and digits (spaces, dots and dashes are dropped); a type 02 number is "
        "an EU VAT number checked with its country's checksum.",
    }
)
class AlternativeIdNumberField(serializers.CharField):
    pass


class AlternativeIdSerializer(APISerializer):
    """AEAT's identifier of a recipient without a Spanish NIF. With country_code ES only types 03 and 07 are
    allowed, and 07 requires ES; a type 02 number is checked with its country's VAT checksum and stored
    compact with its country prefix (DE136695976). A violation is 422 ALTERNATIVE_ID_INVALID."""

    type = serializers.ChoiceField(
        choices=AlternativeIdType.choices,
        help_text="02 NIF-IVA (EU VAT number), 03 passport, 04 official document of the country of residence, "
        "05 residence certificate, 06 other document, 07 not registered.",
    )
    number = AlternativeIdNumberField(max_length=32)
    country_code = CountryCodeField(help_text="ISO 3166-1 alpha-2 code of the issuing country.")


class PaymentMethodSerializer(APISerializer):
    """How the customer prefers to pay. IBAN and BIC are checked (checksum and format) and stored compact."""

    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    iban = serializers.CharField(max_length=42, required=False, allow_blank=True)
    swift = serializers.CharField(max_length=14, required=False, allow_blank=True, help_text="BIC (8 or 11).")
    payment_term_days = serializers.IntegerField(
        min_value=0, max_value=PAYMENT_TERM_MAX_DAYS, required=False, allow_null=True
    )


# The metadata's keys and values, as the body's `metadata` and the list's `metadata[key]` filter take them.
# OpenAPI 3.0 has no `propertyNames`: the keys' limits are in the description only.
METADATA_PAIRS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "string", "maxLength": METADATA_VALUE_MAX_LENGTH, "pattern": "^[^\\x00]*$"},
}


@extend_schema_field(
    {
        **METADATA_PAIRS_SCHEMA,
        "maxProperties": METADATA_MAX_KEYS,
        "description": f"Your own key-value pairs: at most {METADATA_MAX_KEYS} keys of 1 to "
        f"{METADATA_KEY_MAX_LENGTH} characters (no square brackets), string values of at most "
        f"{METADATA_VALUE_MAX_LENGTH}. Filter the list with `metadata[key]=value`. A write replaces the whole "
        "object.",
    }
)
class MetadataField(serializers.Field):
    def to_representation(self, value):
        return value


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": "^(100(\\.0{1,2})?|\\d{1,2}(\\.\\d{1,2})?)$",
        "description": 'A percentage, 0 to 100 with at most two decimals, as a string (e.g. "12.50").',
    }
)
class DiscountField(serializers.DecimalField):
    pass


class CustomerSerializer(APIModelSerializer):
    """The customer as documented in beel-list-customers.txt."""

    address = AddressSerializer(source="*", read_only=True)
    email = serializers.EmailField(read_only=True, allow_null=True)
    phone = serializers.CharField(read_only=True, allow_null=True)
    nif = serializers.CharField(read_only=True, help_text="Empty for a customer identified by `alternative_id`.")
    trade_name = serializers.CharField(read_only=True)
    alternative_id = AlternativeIdSerializer(read_only=True, allow_null=True)
    billing_emails = serializers.ListField(child=serializers.EmailField(), read_only=True)
    contact_person = serializers.CharField(read_only=True)
    web = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    general_discount = DiscountField(max_digits=5, decimal_places=2, read_only=True)
    preferred_payment_method = PaymentMethodSerializer(read_only=True, allow_null=True)
    metadata = MetadataField(read_only=True)

    class Meta:
        model = Customer
        # The spec's fields first, in its order (beel-list-customers.txt); the rest of the record after them.
        fields = [
            "id",
            "legal_name",
            "nif",
            "email",
            "phone",
            "address",
            "active",
            "created_at",
            "updated_at",
            "trade_name",
            "alternative_id",
            "billing_emails",
            "contact_person",
            "web",
            "notes",
            "general_discount",
            "preferred_payment_method",
            "metadata",
        ]
        read_only_fields = fields

    def to_representation(self, customer: Customer) -> dict:
        # Written out by hand (customers.representations) because the list renders up to 100 customers per
        # request and DRF's field-by-field path cost more than the SQL behind it (docs/performance.md). The
        # declared fields above still describe the shape for the OpenAPI schema; the tests hold both to the
        # spec.
        return customer_representation(customer)


class CustomerDetailSerializer(CustomerSerializer):
    """One customer, with where it is in its lifecycle: deactivated, merged into a survivor, waiting for the
    end of its retention period to be anonymised, anonymised."""

    deactivated_at = UTCDateTimeField(read_only=True, allow_null=True)
    merged_into = serializers.UUIDField(read_only=True, allow_null=True, source="merged_into_id")
    retain_until = serializers.DateField(read_only=True, allow_null=True)
    anonymized_at = UTCDateTimeField(read_only=True, allow_null=True)

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "deactivated_at", "merged_into", "retain_until", "anonymized_at"]
        read_only_fields = fields

    def to_representation(self, customer: Customer) -> dict:
        return customer_detail_representation(customer)


class MergeSerializer(APISerializer):
    into = StrictUUIDField(help_text="The customer that survives (same account and mode).")


@extend_schema_field(
    {
        "type": "string",
        "format": "es-tax-id",
        "minLength": 1,
        "maxLength": 32,
        "pattern": ID_NUMBER_PATTERN,
        "description": "1 to 20 letters and digits (spaces, dots and dashes are dropped). While the address' "
        "country is Spain (the default) it must be a valid DNI, NIE or CIF, control character included "
        "(format es-tax-id).",
    }
)
class NIFField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "format": "phone",
        # At least one character: the empty string is the schema's other, blank alternative (oneOf), and
        # a value must match exactly one of them.
        "minLength": 1,
        "maxLength": 32,
        "pattern": r"^[0-9+()\-. ]+$",
        "description": "A dialable number (format phone), stored in E.164; without a country code it is read as "
        "Spanish while the address' country is Spain. Empty for none.",
    }
)
class PhoneField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": 120,
        # Python's blanks and ECMAScript's \\s differ in a few characters; both kinds are refused first.
        "pattern": "^[^\\s\\x1c-\\x1f\\x85\\x00][^\\x00]*$",
        "description": "1 to 120 characters, the first one not blank (trailing blanks are dropped).",
    }
)
class LegalNameField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.update(trim_whitespace=False, max_length=LEGAL_NAME_MAX_LENGTH)
        super().__init__(**kwargs)


@extend_schema_field(
    {
        "type": "string",
        "format": "uri",
        "maxLength": 200,
        "pattern": "^(https?://[^\\s\\x00]+)?$",
        "description": "The customer's web site: an http or https URL, or empty.",
    }
)
class WebField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.update(trim_whitespace=False, max_length=200, allow_blank=True)
        super().__init__(**kwargs)


class CustomerWriteSerializer(APISerializer):
    """Input for create (all rules), update (partial=True: only what is sent) and full replace
    (CustomerReplaceSerializer). Produces the model's flat fields, normalised: NIF upper case without
    separators, phone in E.164, email lower case, country code upper case, IBAN/BIC/VAT number compact.

    The fields below describe the body for the schema; customers.record.check_record checks it (the same
    fields, tests/customers/test_record_rules.py holds them together). `validated_or_refused()` gives the
    fields or raises the DomainError the errors amount to; `is_valid()` works as usual, with the errors by
    their dotted paths."""

    whole = False  # PUT: a field left out is reset to its default

    legal_name = LegalNameField()
    trade_name = serializers.CharField(max_length=TRADE_NAME_MAX_LENGTH, required=False, allow_blank=True)
    nif = NIFField(
        max_length=32,
        required=False,
        allow_null=True,
        help_text="Required unless `alternative_id` is given (never both); null clears it.",
    )
    alternative_id = AlternativeIdSerializer(
        required=False, allow_null=True, help_text="For a customer without a Spanish NIF; null clears it."
    )
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = PhoneField(max_length=32, required=False, allow_blank=True)
    address = AddressSerializer(source="*", required=False)
    billing_emails = serializers.ListField(
        child=serializers.EmailField(max_length=254),
        max_length=MAX_BILLING_EMAILS,
        required=False,
        help_text=f"Where invoices are sent: at most {MAX_BILLING_EMAILS} addresses.",
    )
    contact_person = serializers.CharField(max_length=CONTACT_PERSON_MAX_LENGTH, required=False, allow_blank=True)
    web = WebField(required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, trim_whitespace=False)
    general_discount = DiscountField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        help_text='Percentage, 0 to 100 with at most two decimals, as a string (e.g. "12.50").',
    )
    preferred_payment_method = PaymentMethodSerializer(required=False, allow_null=True)
    metadata = MetadataField(required=False)

    def run_validation(self, data=empty):
        try:
            return record.check_record(data, **self._how())
        except Invalid as error:
            raise serializers.ValidationError(
                {
                    dotted(path): [serializers.ErrorDetail(problem.message, code=problem.code) for problem in problems]
                    for path, problems in error.errors.items()
                }
            ) from None

    def validated_or_refused(self) -> dict:
        return record.validated_record(self.initial_data, **self._how())

    def _how(self) -> dict:
        stored = None if self.instance is None else record.stored_values(self.instance)
        return {"current": stored, "partial": self.partial, "whole": self.whole}


class CustomerReplaceSerializer(CustomerWriteSerializer):
    """PUT /customers/{id}: the whole record. A field left out is reset to its default (empty, España/ES,
    0 discount, no payment method, no metadata); `legal_name` and a `nif` or `alternative_id` are required.
    `active`, when sent, deactivates or reactivates the customer with those endpoints' rules."""

    active = serializers.BooleanField(required=False, help_text="false deactivates, true reactivates.")
    whole = True
