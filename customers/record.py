"""The customer record's write rules, in one place outside the HTTP layer: what a body of POST, PATCH and
PUT /customers (and each item of the bulk create and each row of a CSV import) may hold, how it is
normalised into the model's columns, the rules between fields (`clean_record`), and what an invalid one is
answered with. The API's serializers (customers.serializers) only adapt it to DRF; the CSV import
(customers.services, for the API and the admin alike) and the admin's form call it directly, so an import
accepts exactly what the API accepts.

The body is checked as the API documents it (nested `address`, `alternative_id` and
`preferred_payment_method`), each value by its function in customers.validators, with the messages and
codes of DRF's fields (beel.payloads)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from beel.errors import DomainError, ValidationFailed
from beel.payloads import (
    Choice,
    DecimalNumber,
    Field,
    Flag,
    Invalid,
    ListOf,
    Obj,
    Problem,
    Text,
    WholeNumber,
    checked,
    deserialization_refusal,
    wrong_type,
)
from customers import errors
from customers.validators import (
    ALTERNATIVE_ID_INVALID,
    CONTACT_PERSON_MAX_LENGTH,
    DEFAULT_COUNTRY,
    LEGAL_NAME_MAX_LENGTH,
    MAX_BILLING_EMAILS,
    PAYMENT_TERM_MAX_DAYS,
    SPAIN,
    TRADE_NAME_MAX_LENGTH,
    AlternativeIdInvalid,
    AlternativeIdType,
    PaymentMethod,
    country_code_of,
    country_name,
    normalize_bic,
    normalize_country_code,
    normalize_iban,
    normalize_phone,
    validate_alternative_id,
    validate_legal_name,
    validate_metadata,
    validate_nif,
    validate_url,
)

# What a record's fields hold when nothing was given: a new customer's, and what a full replace (PUT) resets
# an absent field to.
RECORD_DEFAULTS = {
    "legal_name": "",
    "trade_name": "",
    "nif": "",
    "alternative_id_type": "",
    "alternative_id_number": "",
    "alternative_id_country": "",
    "email": "",
    "phone": "",
    "street": "",
    "number": "",
    "floor": "",
    "door": "",
    "postal_code": "",
    "city": "",
    "province": "",
    "country": DEFAULT_COUNTRY,
    "country_code": SPAIN,
    "billing_emails": [],
    "contact_person": "",
    "web": "",
    "notes": "",
    "general_discount": Decimal("0.00"),
    "payment_method": "",
    "iban": "",
    "swift": "",
    "payment_term_days": None,
    "metadata": {},
}


IDENTITY_REQUIRED = "A customer needs a nif or, without a Spanish NIF, an alternative_id."


def clean_record(values: dict, *, current: Mapping | None = None) -> dict:
    """The rules between a customer's fields, applied by the API (single, bulk, PATCH, PUT), the admin and
    the imports alike. `values` are the fields being written, each already valid on its own (see
    customers.validators); `current` the stored record they change (None for a new one). Returns `values`
    normalised, with the country name or code derived when only the other was given. Raises a
    ValidationError mapping model field names (and `alternative_id` for the id as a whole) to messages;
    an AEAT rule broken by the alternative id carries the code ALTERNATIVE_ID_INVALID.

    - The address' `country_code` decides the NIF check and the phone's default region. Sent alone, it
      gives `country` its Spanish name; `country` sent alone (in Spanish or English) gives the code, and an
      unknown name is refused; both sent are kept as sent.
    - A customer has a Spanish `nif` or an `alternative_id`, never both: an invoice names its recipient by
      exactly one of them (AEAT's NIF or IDOtro)."""
    stored = {**RECORD_DEFAULTS, **(current or {})}
    values = dict(values)
    errors: dict[str, list] = {}
    _derive_country(values, errors)
    country_code = values.get("country_code", stored["country_code"])
    _check_identity(values, stored, new=current is None, country_code=country_code, errors=errors)
    if values.get("phone"):
        try:
            values["phone"] = normalize_phone(values["phone"], country_code=country_code)
        except ValidationError as error:
            errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


def _derive_country(values: dict, errors: dict) -> None:
    if "country_code" in values and "country" not in values:
        values["country"] = country_name(values["country_code"])
    elif "country" in values and "country_code" not in values:
        code = country_code_of(values["country"])
        if code is None:
            errors["country"] = ["Unknown country name: send address.country_code (ISO 3166-1 alpha-2)."]
        else:
            values["country_code"] = code


def _check_identity(values: dict, stored: Mapping, *, new: bool, country_code: str, errors: dict) -> None:
    def value(name: str):
        return values[name] if name in values else stored[name]

    nif, alternative_type = value("nif"), value("alternative_id_type")
    # A change that leaves the identity alone is not refused for a record stored without one.
    identity_sent = new or any(name == "nif" or name.startswith("alternative_id_") for name in values)
    if identity_sent and nif and alternative_type:
        errors["alternative_id"] = [
            AlternativeIdInvalid("A customer has a nif or an alternative_id, not both (the invoice names one).")
        ]
    elif identity_sent and not nif and not alternative_type:
        errors["nif"] = [IDENTITY_REQUIRED]
    elif nif and ("nif" in values or "country_code" in values):
        try:
            values["nif"] = validate_nif(nif, country_code=country_code)
        except ValidationError as error:
            errors["nif"] = error.messages
    if identity_sent and alternative_type and any(name.startswith("alternative_id_") for name in values):
        try:
            values["alternative_id_number"] = validate_alternative_id(
                type=alternative_type,
                number=value("alternative_id_number"),
                country_code=value("alternative_id_country"),
            )
        except ValidationError as error:
            errors["alternative_id"] = [error]


def stored_values(customer) -> dict[str, Any]:
    """The record as stored: what a change is checked against (`current` of clean_record)."""
    return {name: getattr(customer, name) for name in RECORD_DEFAULTS}


# --- the body, as the API documents it (customers.serializers declares the same fields for the schema) -----


def _country_code(**options) -> Text:
    return Text(2, trim=False, check=normalize_country_code, **options)


def _compact(normalize):
    return lambda value: checked(normalize, value) if value else ""


ADDRESS = Obj(
    {
        "street": Text(255, allow_blank=True),
        "number": Text(20, allow_blank=True),
        "floor": Text(20, allow_blank=True),
        "door": Text(20, allow_blank=True),
        "postal_code": Text(10, allow_blank=True),
        "city": Text(100, allow_blank=True),
        "province": Text(100, allow_blank=True),
        "country": Text(100),
        "country_code": _country_code(),
    },
    inline=True,
)
ALTERNATIVE_ID = Obj(
    {
        "type": Choice(AlternativeIdType.values, required=True),
        "number": Text(32, required=True),
        "country_code": _country_code(required=True),
    },
    allow_null=True,
)
PAYMENT_METHOD = Obj(
    {
        "method": Choice(PaymentMethod.values, required=True),
        "iban": Text(42, allow_blank=True, then=_compact(normalize_iban)),
        "swift": Text(14, allow_blank=True, then=_compact(normalize_bic)),
        "payment_term_days": WholeNumber(minimum=0, maximum=PAYMENT_TERM_MAX_DAYS, allow_null=True),
    },
    allow_null=True,
)


class Metadata(Field):
    def convert(self, data: Any, *, partial: bool) -> dict:
        return checked(validate_metadata, data)


RECORD_FIELDS: dict[str, Field] = {
    "legal_name": Text(LEGAL_NAME_MAX_LENGTH, trim=False, check=validate_legal_name, required=True),
    "trade_name": Text(TRADE_NAME_MAX_LENGTH, allow_blank=True),
    "nif": Text(32, allow_null=True),
    "alternative_id": ALTERNATIVE_ID,
    "email": Text(254, allow_blank=True, email=True, then=lambda value: value.strip().lower()),
    "phone": Text(32, allow_blank=True),
    "address": ADDRESS,
    "billing_emails": ListOf(
        Text(254, email=True, required=True),
        max_length=MAX_BILLING_EMAILS,
        then=lambda emails: list(dict.fromkeys(email.strip().lower() for email in emails)),
    ),
    "contact_person": Text(CONTACT_PERSON_MAX_LENGTH, allow_blank=True),
    "web": Text(200, allow_blank=True, trim=False, check=validate_url),
    "notes": Text(2000, allow_blank=True, trim=False),
    "general_discount": DecimalNumber(max_digits=5, decimal_places=2, minimum=0, maximum=100),
    "preferred_payment_method": PAYMENT_METHOD,
    "metadata": Metadata(),
}
RECORD = Obj(RECORD_FIELDS)
# PUT: the whole record, and `active` (false deactivates, true reactivates).
WHOLE_RECORD = Obj({**RECORD_FIELDS, "active": Flag()})

# Where each model field is in the API's shape, for the errors of the rules between fields (clean_record).
API_PATHS = {
    "alternative_id": "alternative_id",
    "alternative_id_type": "alternative_id.type",
    "alternative_id_number": "alternative_id.number",
    "alternative_id_country": "alternative_id.country_code",
    "country": "address.country",
    "country_code": "address.country_code",
    "payment_method": "preferred_payment_method.method",
    "iban": "preferred_payment_method.iban",
    "swift": "preferred_payment_method.swift",
    "payment_term_days": "preferred_payment_method.payment_term_days",
}


def check_record(body: Any, *, current: Mapping | None = None, partial: bool = False, whole: bool = False) -> dict:
    """A body of POST (`current` None), PATCH (`partial`, `current` the stored record) or PUT (`whole`: a
    field left out is reset to its default) as the model's columns, normalised. Raises Invalid with every
    error by its path in the body."""
    if body is None:  # `null`: a body of the wrong JSON type (BeeL: 400 INVALID_JSON_FORMAT)
        raise Invalid({("non_field_errors",): [wrong_type(None, "object", "No data provided")]})
    try:
        values = (WHOLE_RECORD if whole else RECORD).clean(body, partial=partial)
    except Invalid as error:
        # A new record (or a full replace) without any identity says so with its other errors, not after.
        missing = isinstance(body, dict) and not body.get("nif") and not body.get("alternative_id")
        if missing and not partial and ("nif",) not in error.errors:
            error.errors["nif",] = [Problem(IDENTITY_REQUIRED, "required")]
        raise
    values = _columns(values)
    active = values.pop("active", None)
    try:
        values = clean_record(values, current=None if whole else current)
    except ValidationError as error:
        raise Invalid(
            {
                tuple(API_PATHS.get(name, name).split(".")): [
                    Problem(message, getattr(item, "code", None) or "invalid")
                    for item in items
                    for message in item.messages
                ]
                for name, items in error.error_dict.items()
            }
        ) from None
    if whole:
        values = {**RECORD_DEFAULTS, **values}
        if active is not None:
            values["active"] = active
    return values


def _columns(values: dict) -> dict:
    """The API's nested objects as the model's columns (null: the object cleared)."""
    values = dict(values)
    if "nif" in values and values["nif"] is None:
        values["nif"] = ""
    if "alternative_id" in values:
        alternative_id = values.pop("alternative_id") or {}
        values["alternative_id_type"] = alternative_id.get("type", "")
        values["alternative_id_number"] = alternative_id.get("number", "")
        values["alternative_id_country"] = alternative_id.get("country_code", "")
    if "preferred_payment_method" in values:
        payment = values.pop("preferred_payment_method") or {}
        values["payment_method"] = payment.get("method", "")
        values["iban"] = payment.get("iban", "")
        values["swift"] = payment.get("swift", "")
        values["payment_term_days"] = payment.get("payment_term_days")
    return values


def refusal(error: Invalid) -> DomainError:
    """What an invalid record is answered with: 422 ALTERNATIVE_ID_INVALID when only AEAT's rules for the
    alternative id were broken, else 400 VALIDATION_ERROR with every error."""
    if error.codes == {ALTERNATIVE_ID_INVALID}:
        return errors.AlternativeIdInvalid(details=error.details)
    return ValidationFailed(details=error.details)


def validated_record(body: Any, **how) -> dict:
    """check_record, or the DomainError its errors amount to (see check_record for `how`)."""
    try:
        return check_record(body, **how)
    except Invalid as error:
        raise deserialization_refusal(error) or refusal(error) from None


def validate_bulk_items(raw_items: list) -> list[dict | DomainError]:
    """Each item of POST /customers/bulk validated on its own: its columns, or the error it gets in the report,
    so one bad item fails alone."""
    items = []
    for raw in raw_items:
        try:
            items.append(check_record(raw))
        except Invalid as error:
            items.append(refusal(error))
    return items


def validate_import_rows(payloads: list[dict]) -> list[dict | DomainError]:
    """As `validate_bulk_items`, for the rows of a CSV (objects of strings); a row breaking only AEAT's rules
    is an ERROR row like any other, so every refusal is a ValidationFailed."""
    items = []
    for payload in payloads:
        try:
            items.append(check_record(payload))
        except Invalid as error:
            items.append(ValidationFailed(details=error.details))
    return items
