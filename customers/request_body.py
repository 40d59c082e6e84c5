"""What a body of POST, PATCH and PUT /customers may hold, field by field: BeeL 1.9.0's CreateCustomerRequest
(RECORD), PatchCustomerRequest and UpdateCustomerRequest (CHANGES), each value checked by its function in
customers.validators with the messages and codes of DRF's fields (beel.payloads). customers.record applies
them and the rules between fields; customers.serializers declares the same fields for the OpenAPI schema."""

from typing import Any

from beel.payloads import Choice, DecimalNumber, Field, Flag, ListOf, Obj, Text, WholeNumber, checked
from customers.validators import (
    ALTERNATIVE_ID_TYPES_BY_NAME,
    CONTACT_PERSON_MAX_LENGTH,
    LEGAL_NAME_MAX_LENGTH,
    MAX_BILLING_EMAILS,
    PAYMENT_TERM_MAX_DAYS,
    TRADE_NAME_MAX_LENGTH,
    WEBSITE_MAX_LENGTH,
    AlternativeIdType,
    PaymentMethod,
    normalize_bic,
    normalize_country_code,
    normalize_iban,
    validate_legal_name,
    validate_metadata,
    validate_url,
)

# BeeL 1.9.0's CreateCustomerRequest, UpdateCustomerRequest and PatchCustomerRequest: keys it does not know are
# ignored (a customer read, with its id and timestamps, can be written back), and every optional field
# takes `null` for "none".


def _country_code(**options) -> Text:
    return Text(2, trim=False, check=normalize_country_code, allow_null=True, **options)


def _compact(normalize):
    return lambda value: checked(normalize, value) if value else ""


def _text(max_length: int, **options) -> Text:
    return Text(max_length, allow_blank=True, allow_null=True, **options)


ADDRESS = Obj(
    {
        "street": _text(255),
        "number": _text(20),
        "floor": _text(20),
        "door": _text(20),
        "postal_code": _text(20),
        "city": _text(100),
        "province": _text(100),
        "country": Text(100, allow_null=True),
        "country_code": _country_code(),
    },
    inline=True,
    ignore_unknown=True,
)
ALTERNATIVE_ID_TYPE_VALUES = [*AlternativeIdType.values, *ALTERNATIVE_ID_TYPES_BY_NAME]
ALTERNATIVE_ID = Obj(
    {
        # BeeL's name or AEAT's code (deprecated by BeeL, still taken), stored as the code.
        "type": Choice(
            ALTERNATIVE_ID_TYPE_VALUES, required=True, then=lambda type_: ALTERNATIVE_ID_TYPES_BY_NAME.get(type_, type_)
        ),
        "number": Text(32, required=True, allow_blank=True),
        "country_code": _country_code(),
    },
    allow_null=True,
    ignore_unknown=True,
)
PAYMENT_METHOD = Obj(
    {
        "method": Choice(PaymentMethod.values, allow_null=True),
        "iban": _text(42, then=_compact(normalize_iban)),
        "swift": _text(14, then=_compact(normalize_bic)),
        "payment_term_days": WholeNumber(minimum=0, maximum=PAYMENT_TERM_MAX_DAYS, allow_null=True),
    },
    allow_null=True,
    ignore_unknown=True,
)


class Metadata(Field):
    def convert(self, data: Any, *, partial: bool) -> dict:
        return checked(validate_metadata, data)


RECORD_FIELDS: dict[str, Field] = {
    "legal_name": Text(LEGAL_NAME_MAX_LENGTH, trim=False, check=validate_legal_name, required=True),
    "trade_name": _text(TRADE_NAME_MAX_LENGTH),
    "nif": Text(32, allow_null=True),
    "alternative_id": ALTERNATIVE_ID,
    "email": _text(254, email=True, then=lambda value: value.strip().lower() if value else value),
    "phone": _text(32),
    "address": ADDRESS,
    "billing_emails": ListOf(
        Text(254, email=True, required=True),
        max_length=MAX_BILLING_EMAILS,
        allow_null=True,
        then=lambda emails: list(dict.fromkeys(email.strip().lower() for email in emails or ())),
    ),
    "contact_person": _text(CONTACT_PERSON_MAX_LENGTH),
    "website": _text(WEBSITE_MAX_LENGTH, trim=False, check=validate_url),
    "notes": _text(2000, trim=False),
    "general_discount": DecimalNumber(decimal_places=2, minimum=0, maximum=100, allow_null=True),
    "preferred_payment_method": PAYMENT_METHOD,
    "metadata": Metadata(),
}
RECORD = Obj(RECORD_FIELDS, ignore_unknown=True)
# PATCH and PUT: no field is required, and `active` (false deactivates, true reactivates).
CHANGES = Obj(
    {
        **RECORD_FIELDS,
        "legal_name": Text(LEGAL_NAME_MAX_LENGTH, trim=False, check=validate_legal_name),
        "active": Flag(),
    },
    ignore_unknown=True,
)

# Where each model field is in the API's shape, for the errors of the rules between fields (clean_record).
