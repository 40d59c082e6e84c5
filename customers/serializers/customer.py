"""The customer's API shapes, as one customer is read and written. Reading: the declared fields describe
the shape for the OpenAPI schema, and customers.representations writes it. Writing: the declared fields
describe the body, and customers.record checks and normalises it (the CSV import and the admin call it
too); the serializers only adapt it to DRF."""

from rest_framework import serializers
from rest_framework.fields import empty

from beel.api.serializers import APIModelSerializer, APISerializer, StrictUUIDField, UTCDateTimeField
from beel.payloads import Invalid, dotted
from customers import receivables, record
from customers.models import Customer
from customers.representations import customer_detail_representation, customer_representation
from customers.serializers.fields import (
    AlternativeIdNumberField,
    CountryCodeField,
    DiscountField,
    IbanField,
    LegalNameField,
    MetadataField,
    NIFField,
    PhoneField,
    WebsiteField,
)
from customers.serializers.stats import CustomerStatsSerializer
from customers.validators import (
    ALTERNATIVE_ID_TYPE_NAMES,
    CONTACT_PERSON_MAX_LENGTH,
    MAX_BILLING_EMAILS,
    PAYMENT_TERM_MAX_DAYS,
    TRADE_NAME_MAX_LENGTH,
    AlternativeIdType,
    PaymentMethod,
)


def _text(max_length: int, **options) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, allow_null=True, **options)


class AddressSerializer(APISerializer):
    """BeeL's Address (request) and AddressResponse (answer). Every field is null (never "") when unknown in
    answers; `floor` and `door` are left out there when unset. An address sent is the whole address (a PATCH
    replaces it); a Spanish one needs `province` (422 VALIDATION_ERROR). `country_code` (default ES) decides the
    Spanish NIF check and the phone's default region, and `country` is always its Spanish name; `country`
    sent alone (an ISO code or a name in Spanish or English, case and accents ignored) gives the code, an
    unknown one is 422 COUNTRY_CODE_REQUIRED, and both sent naming different countries 422
    COUNTRY_CODE_MISMATCH (a plain "España" yields to the code). beel's extension: `street`, `postal_code` and
    `city`, which BeeL requires, may be left out, and so may the whole address."""

    street = _text(255)
    number = _text(20)
    floor = _text(20)
    door = _text(20)
    postal_code = _text(20)
    city = _text(100)
    province = _text(100)
    country = serializers.CharField(max_length=100, required=False, allow_null=True)
    country_code = CountryCodeField(required=False)


# The same shape as a NIF's (customers.validators.validate_alternative_id compacts it the same way).
ALTERNATIVE_ID_TYPE_CHOICES = [
    *((name, name) for name in ALTERNATIVE_ID_TYPE_NAMES.values()),
    *AlternativeIdType.choices,
]


class AlternativeIdSerializer(APISerializer):
    """BeeL's AlternativeIdentifier: AEAT's identifier of a recipient without a Spanish NIF. `type` by name
    (answers always use the name); AEAT's numeric codes 02 to 07, in the same order, are still accepted. Each
    AEAT rule has BeeL's 422 code: ALTERNATIVE_ID_COUNTRY_REQUIRED (no country_code for a type other than
    PASSPORT and NOT_REGISTERED, which default to ES), ALTERNATIVE_ID_SPAIN_INVALID_TYPE (ES with another
    type), ALTERNATIVE_ID_REQUIRES_SPAIN (NOT_REGISTERED outside ES), RECIPIENT_UNREGISTERED_ID_MUST_BE_DNI_OR_NIE,
    ALTERNATIVE_ID_VAT_REQUIRES_EU_COUNTRY, ALTERNATIVE_ID_VAT_INVALID_FORMAT (NIF_IVA stored compact with its
    country prefix, e.g. DE136695976) and ALTERNATIVE_ID_INVALID (blank number, or sent with a `nif`)."""

    type = serializers.ChoiceField(
        choices=ALTERNATIVE_ID_TYPE_CHOICES,
        help_text="NIF_IVA (EU VAT number), PASSPORT, COUNTRY_ID (official document of the country of residence), "
        "RESIDENCE_CERTIFICATE, OTHER_DOCUMENT, NOT_REGISTERED; or AEAT's codes 02 to 07 (deprecated by BeeL).",
    )
    number = AlternativeIdNumberField(max_length=32, allow_blank=True)
    country_code = CountryCodeField(required=False, help_text="ISO 3166-1 alpha-2 code of the issuing country.")


class AlternativeIdResponseSerializer(APISerializer):
    type = serializers.ChoiceField(choices=list(ALTERNATIVE_ID_TYPE_NAMES.values()))
    number = serializers.CharField()
    country_code = serializers.CharField(allow_null=True)


class PaymentMethodSerializer(APISerializer):
    """BeeL's PaymentInfo: how the customer prefers to pay. `method` omitted or null is BANK_TRANSFER, the only
    one that needs an IBAN (NONE: no payment details on the invoice); `payment_term_days` omitted is 30 (BeeL's
    default), null none. Unset values are null in answers, never "". Sent, it replaces the whole object; null
    clears it, and a customer without one reads without the field."""

    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False, allow_null=True)
    iban = IbanField(max_length=42, required=False, allow_blank=True, allow_null=True)
    swift = serializers.CharField(
        max_length=14, required=False, allow_blank=True, allow_null=True, help_text="BIC (8 or 11 characters)."
    )
    payment_term_days = serializers.IntegerField(
        min_value=0, max_value=PAYMENT_TERM_MAX_DAYS, required=False, allow_null=True
    )


class TaxIdVerificationSerializer(APISerializer):
    """beel's extension: the registry's last word on the customer's tax id (AEAT's census for a NIF, VIES for a
    NIF_IVA alternative id); null when never checked. docs/api.md, "Tax id verification"."""

    status = serializers.ChoiceField(choices=["VALID", "INVALID", "PENDING", "ERROR"], read_only=True)
    registry = serializers.ChoiceField(choices=["AEAT", "VIES"], read_only=True, allow_null=True)
    checked_at = UTCDateTimeField(read_only=True, allow_null=True, help_text="When the registry answered.")
    registry_name = serializers.CharField(read_only=True, allow_null=True, help_text="The registry's name for it.")
    consultation_number = serializers.CharField(
        read_only=True, allow_null=True, help_text="VIES's requestIdentifier (a qualified check's proof)."
    )
    result_code = serializers.CharField(read_only=True, allow_null=True, help_text="The registry's raw result.")


class CustomerSerializer(APIModelSerializer):
    """BeeL 1.9.0's Customer (the seed list's fields first, in beel-list-customers.txt's order): an unset
    optional field is null, never "". `metadata` is beel's extension."""

    address = AddressSerializer(source="*", read_only=True)
    email = serializers.EmailField(read_only=True, allow_null=True)
    phone = serializers.CharField(read_only=True, allow_null=True)
    nif = serializers.CharField(
        read_only=True, allow_null=True, help_text="Null for a customer identified by `alternative_id`."
    )
    trade_name = serializers.CharField(read_only=True, allow_null=True)
    alternative_id = AlternativeIdResponseSerializer(read_only=True, allow_null=True)
    billing_emails = serializers.ListField(child=serializers.EmailField(), read_only=True)
    contact_person = serializers.CharField(read_only=True, allow_null=True)
    website = serializers.CharField(read_only=True, allow_null=True)
    notes = serializers.CharField(read_only=True, allow_null=True)
    general_discount = DiscountField(max_digits=5, decimal_places=2, read_only=True)
    # Not read_only, which the schema would mark required: BeeL's Customer leaves it out for a customer without
    # one. The serializer is never written through (to_representation below, and no view saves it).
    preferred_payment_method = PaymentMethodSerializer(required=False, help_text="Left out for a customer without one.")
    metadata = MetadataField(read_only=True, help_text="beel's extension: your own key-value pairs.")
    tax_id_verification = TaxIdVerificationSerializer(read_only=True, allow_null=True)

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
            "website",
            "notes",
            "general_discount",
            "preferred_payment_method",
            "metadata",
            "tax_id_verification",
        ]
        read_only_fields = fields

    def to_representation(self, customer: Customer) -> dict:
        # Written out by hand (customers.representations) because the list renders up to 100 customers per
        # request and DRF's field-by-field path cost more than the SQL behind it (docs/performance.md). The
        # declared fields above still describe the shape for the OpenAPI schema; the tests hold both to the
        # spec.
        return customer_representation(customer)


EXTENSION = "beel's extension: "


class CustomerDetailSerializer(CustomerSerializer):
    """One customer, with where it is in its lifecycle (beel's extensions to BeeL's Customer): deactivated,
    merged into a survivor, waiting for the end of its retention period to be anonymised, anonymised."""

    deactivated_at = UTCDateTimeField(read_only=True, allow_null=True, help_text=EXTENSION + "when it was deactivated.")
    merged_into = serializers.UUIDField(
        read_only=True, allow_null=True, source="merged_into_id", help_text=EXTENSION + "the survivor of a merge."
    )
    retain_until = serializers.DateField(
        read_only=True, allow_null=True, help_text=EXTENSION + "anonymised after this day (erasure)."
    )
    anonymized_at = UTCDateTimeField(read_only=True, allow_null=True, help_text=EXTENSION + "when it was anonymised.")

    # Not read-only, so that the schema leaves it optional: events carry the record (customer_detail_representation)
    # without it, every answer has it. Nothing writes through this serializer.
    stats = CustomerStatsSerializer(
        required=False,
        help_text=EXTENSION + "what it was billed and owes, per currency; overdue as of today (docs/api.md). In "
        "every answer that is one customer; not in events (invoices change it, not the record).",
    )

    class Meta(CustomerSerializer.Meta):
        fields = [
            *CustomerSerializer.Meta.fields,
            *("deactivated_at", "merged_into", "retain_until", "anonymized_at", "stats"),
        ]
        read_only_fields = fields

    def to_representation(self, customer: Customer) -> dict:
        # `stats` here, not in customer_detail_representation: events and stored copies carry the record only.
        return {**customer_detail_representation(customer), "stats": receivables.stats_of(customer)}


class MergeSerializer(APISerializer):
    into = StrictUUIDField(help_text="The customer that survives (same account and mode).")


class CustomerWriteSerializer(APISerializer):
    """BeeL 1.9.0's CreateCustomerRequest and PatchCustomerRequest (partial=True: only what is sent changes,
    null clears an optional field; `address` and `preferred_payment_method` sent are replaced whole), and
    UpdateCustomerRequest (CustomerReplaceSerializer). Produces the model's flat fields, normalised: NIF upper
    case without separators, phone in E.164, email lower case, country code upper case, IBAN/BIC/VAT number
    compact. Keys it does not know are ignored, as BeeL ignores them; `metadata` is beel's extension.

    The fields below describe the body for the schema; customers.record.check_record checks it (the same
    fields, tests/customers/test_record_rules.py holds them together). `validated_or_refused()` gives the
    fields or raises the DomainError the errors amount to; `is_valid()` works as usual, with the errors by
    their dotted paths."""

    whole = False  # PUT: see CustomerReplaceSerializer

    legal_name = LegalNameField()
    trade_name = _text(TRADE_NAME_MAX_LENGTH, help_text="Left out on create: the legal name. Null clears it.")
    nif = NIFField(max_length=32, required=False, allow_null=True)
    alternative_id = AlternativeIdSerializer(
        required=False, allow_null=True, help_text="For a customer without a Spanish NIF (exclusive with `nif`)."
    )
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, allow_null=True)
    phone = PhoneField(max_length=32, required=False, allow_blank=True, allow_null=True)
    address = AddressSerializer(source="*", required=False)
    billing_emails = serializers.ListField(
        child=serializers.EmailField(max_length=254),
        max_length=MAX_BILLING_EMAILS,
        required=False,
        allow_null=True,
        help_text=f"Where invoices are sent: at most {MAX_BILLING_EMAILS} addresses (beel's limit). Null or [] "
        "clears them.",
    )
    contact_person = _text(CONTACT_PERSON_MAX_LENGTH)
    website = WebsiteField(required=False)
    notes = _text(2000, trim_whitespace=False)
    general_discount = DiscountField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
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


class CustomerChangeSerializer(CustomerWriteSerializer):
    """PATCH /customers/{id}, BeeL's PatchCustomerRequest: only the fields sent change; null clears
    `trade_name`, `phone`, `email`, `website`, `billing_emails` (or []), `contact_person`, `notes` and
    `general_discount`; `nif`, `legal_name` and `address` cannot be cleared; `address` and
    `preferred_payment_method` sent replace the stored ones whole. `active`: false deactivates, true
    reactivates, with those endpoints' rules."""

    legal_name = LegalNameField(required=False)
    active = serializers.BooleanField(required=False, help_text="false deactivates, true reactivates.")


class CustomerReplaceSerializer(CustomerChangeSerializer):
    """PUT /customers/{id}, BeeL's UpdateCustomerRequest: no field is required. `trade_name`, `email`,
    `website`, `billing_emails`, `contact_person`, `notes` and `general_discount` left out are cleared (the
    trade name is not refilled from the legal name); everything else left out is kept: `legal_name`, the
    identifier (`nif` or `alternative_id`, the one sent replaces the other), `address`, `phone`,
    `preferred_payment_method`, `active` and beel's `metadata`. A customer read with GET is written back
    unchanged. `active`, when sent, deactivates or reactivates the customer with those endpoints' rules."""

    whole = True
