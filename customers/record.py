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

from beel.errors import DomainError, ErrorCode, ValidationFailed
from beel.payloads import (
    MISSING,
    Choice,
    DecimalNumber,
    Errors,
    Field,
    Flag,
    Invalid,
    ListOf,
    Obj,
    Problem,
    Text,
    WholeNumber,
    checked,
)
from customers import errors
from customers.validators import (
    ALTERNATIVE_ID_TYPES_BY_NAME,
    CONTACT_PERSON_MAX_LENGTH,
    DEFAULT_COUNTRY,
    DEFAULT_PAYMENT_METHOD,
    DEFAULT_PAYMENT_TERM_DAYS,
    LEGAL_NAME_MAX_LENGTH,
    MAX_BILLING_EMAILS,
    PAYMENT_TERM_MAX_DAYS,
    RULE_CODES,
    SPAIN,
    TRADE_NAME_MAX_LENGTH,
    WEBSITE_MAX_LENGTH,
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

# What a record's fields hold when nothing was given: a new customer's, and what a cleared field holds.
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
    "website": "",
    "notes": "",
    "general_discount": Decimal("0.00"),
    "payment_method": "",
    "iban": "",
    "swift": "",
    "payment_term_days": None,
    "metadata": {},
}
# What a PUT clears when it leaves them out (BeeL 1.9.0's UpdateCustomerRequest: trade_name is not refilled
# from legal_name); every other field, the identity and `metadata` included, is kept.
CLEARED_BY_PUT = ("trade_name", "email", "website", "billing_emails", "contact_person", "notes", "general_discount")
# What `null` clears (PatchCustomerRequest; a PUT takes them too, so a customer read can be written back).
NULL_CLEARS = (*CLEARED_BY_PUT, "phone")
ADDRESS_COLUMNS = ("street", "number", "floor", "door", "postal_code", "city", "province", "country", "country_code")

IDENTITY_REQUIRED = "A customer needs a nif or, without a Spanish NIF, an alternative_id."


def clean_record(values: dict, *, current: Mapping | None = None) -> dict:
    """The rules between a customer's fields, applied by the API (single, bulk, PATCH, PUT), the admin and
    the imports alike. `values` are the fields being written, each already valid on its own (see
    customers.validators); `current` the stored record they change (None for a new one). Returns `values`
    normalised, with the country name or code derived when only the other was given. Raises a
    ValidationError mapping model field names (and `alternative_id` for the id as a whole) to errors; a rule
    with a code of BeeL's (validators.RULE_CODES) carries it.

    - The address' `country_code` decides the NIF check and the phone's default region, and gives `country`
      its Spanish name; `country` sent alone (a Spanish or English name, or a code) gives the code, and an
      unknown one is COUNTRY_CODE_REQUIRED; both sent must name the same country (COUNTRY_CODE_MISMATCH),
      except a plain "España", which yields to the code.
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
    if "country" not in values:
        if "country_code" in values:
            values["country"] = country_name(values["country_code"])
        return
    code = country_code_of(values["country"])
    if code is None:
        errors["country"] = [
            ValidationError(
                "Unknown country: send address.country_code (ISO 3166-1 alpha-2).", code="COUNTRY_CODE_REQUIRED"
            )
        ]
    elif "country_code" not in values:
        values["country_code"], values["country"] = code, country_name(code)
    elif code == values["country_code"] or code == SPAIN:
        values["country"] = country_name(values["country_code"])
    else:
        errors["country_code"] = [
            ValidationError(
                "address.country and address.country_code name different countries.", code="COUNTRY_CODE_MISMATCH"
            )
        ]


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
            errors["nif"] = [error]
    if identity_sent and alternative_type and any(name.startswith("alternative_id_") for name in values):
        try:
            values["alternative_id_number"], values["alternative_id_country"] = validate_alternative_id(
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
API_PATHS = {
    "alternative_id": "alternative_id",
    "alternative_id_type": "alternative_id.type",
    "alternative_id_number": "alternative_id.number",
    "alternative_id_country": "alternative_id.country_code",
    **{name: f"address.{name}" for name in ADDRESS_COLUMNS},
    "payment_method": "preferred_payment_method.method",
    "iban": "preferred_payment_method.iban",
    "swift": "preferred_payment_method.swift",
    "payment_term_days": "preferred_payment_method.payment_term_days",
}


def check_record(body: Any, *, current: Mapping | None = None, partial: bool = False, whole: bool = False) -> dict:
    """A body of POST (`current` None), PATCH (`partial`, `current` the stored record) or PUT (`whole`,
    `current` the stored record: CLEARED_BY_PUT left out are cleared, the rest kept) as the model's columns,
    normalised. Raises Invalid with every error by its path in the body."""
    if body is None:
        raise Invalid({("non_field_errors",): [Problem("No data provided", "null")]})
    try:
        values = (RECORD if current is None else CHANGES).clean(body, partial=partial or whole)
    except Invalid as error:
        # A new record without any identity says so with its other errors, not after.
        missing = isinstance(body, dict) and not body.get("nif") and not body.get("alternative_id")
        if missing and current is None and ("nif",) not in error.errors:
            error.errors["nif",] = [Problem(IDENTITY_REQUIRED, "required")]
        raise
    values = _columns(values, body, new=current is None)
    if whole:
        values = {**{name: RECORD_DEFAULTS[name] for name in CLEARED_BY_PUT}, **values}
    active = values.pop("active", None)
    try:
        values = clean_record(values, current=current)
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
    _check_payment_and_address(values, body, current)
    if active is not None:
        values["active"] = active
    return values


def _columns(values: dict, body: Mapping, *, new: bool) -> dict:
    """The API's nested objects as the model's columns: `null` clears, an `address` or a
    `preferred_payment_method` sent is the whole of it, and a new customer's trade name defaults to its
    legal name (BeeL's creation default)."""
    values = dict(values)
    for name in NULL_CLEARS:
        if name in values and values[name] is None:
            values[name] = RECORD_DEFAULTS[name]
    if new and "trade_name" not in body and values.get("legal_name"):
        values["trade_name"] = values["legal_name"]
    if values.get("nif") is None:
        values.pop("nif", None)  # null or absent: the identity is the alternative id, or kept
    alternative_id = values.pop("alternative_id", MISSING)
    if alternative_id is not MISSING and (alternative_id or "nif" not in values):
        alternative_id = alternative_id or {}
        values["alternative_id_type"] = alternative_id.get("type", "")
        values["alternative_id_number"] = alternative_id.get("number", "")
        values["alternative_id_country"] = alternative_id.get("country_code") or ""
    # nif and alternative_id are exclusive: the one sent replaces the other (both sent is refused later).
    if values.get("alternative_id_type") and "nif" not in values:
        values["nif"] = ""
    elif values.get("nif") and "alternative_id_type" not in values:
        values.update(alternative_id_type="", alternative_id_number="", alternative_id_country="")
    if isinstance(body, Mapping) and isinstance(body.get("address"), Mapping):
        for name in ADDRESS_COLUMNS:
            if values.get(name) is None:
                values.pop(name, None)
                if name not in ("country", "country_code"):
                    values[name] = ""
        if "country" not in values and "country_code" not in values:
            values["country_code"] = SPAIN
    if "preferred_payment_method" in values:
        payment = values.pop("preferred_payment_method")
        values.update(_payment_columns(payment))
    return values


def _payment_columns(payment: Mapping | None) -> dict:
    if payment is None:
        return {"payment_method": "", "iban": "", "swift": "", "payment_term_days": None}
    return {
        "payment_method": payment.get("method") or DEFAULT_PAYMENT_METHOD,
        "iban": payment.get("iban") or "",
        "swift": payment.get("swift") or "",
        "payment_term_days": payment.get("payment_term_days", DEFAULT_PAYMENT_TERM_DAYS),
    }


def _check_payment_and_address(values: dict, body: Any, current: Mapping | None) -> None:
    """BeeL's rules on what was sent: a BANK_TRANSFER needs an IBAN (unless it is the stored one, so a customer
        read can be written back), and a Spanish postal address (one with a street, postal code or city; beel takes
    an address without them, BeeL does not) a province."""
    errors: Errors = {}
    payment = tuple(values.get(name) for name in PAYMENT_COLUMNS)
    stored = current and tuple(current.get(name) for name in PAYMENT_COLUMNS)
    if values.get("payment_method") == PaymentMethod.BANK_TRANSFER and not values["iban"] and payment != stored:
        errors["preferred_payment_method", "iban"] = [Problem("An IBAN is required for BANK_TRANSFER.", "required")]
    spanish = values.get("country_code", (current or RECORD_DEFAULTS)["country_code"]) == SPAIN
    postal = any(values.get(name) for name in ("street", "postal_code", "city"))
    if isinstance(body.get("address"), Mapping) and spanish and postal and not values.get("province"):
        errors["address", "province"] = [Problem("The province is required for a Spanish address.", "required")]
    if errors:
        raise Invalid(errors)


PAYMENT_COLUMNS = ("payment_method", "iban", "swift", "payment_term_days")


def refusal(error: Invalid) -> DomainError:
    """What an invalid record is answered with: when every problem is a rule with a code of BeeL's
    (validators.RULE_CODES: the alternative id's, the NIF's, the country's), that code (422) with the
    details; else VALIDATION_ERROR with every error."""
    codes = [problem.code for problems in error.errors.values() for problem in problems]
    if codes and all(code in RULE_CODES for code in codes):
        return errors.RuleBroken(ErrorCode(codes[0]), details=error.details)
    return ValidationFailed(details=error.details)


def validated_record(body: Any, **how) -> dict:
    """check_record, or the DomainError its errors amount to (see check_record for `how`)."""
    try:
        return check_record(body, **how)
    except Invalid as error:
        raise refusal(error) from None
