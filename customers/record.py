"""The customer record's write rules, in one place outside the HTTP layer: what a body of POST, PATCH and
PUT /customers (and each item of the bulk create and each row of a CSV import) may hold, how it is
normalised into the model's columns, the rules between fields (`clean_record`), and what an invalid one is
answered with. The API's serializers (customers.serializers) only adapt it to DRF; the CSV import
(customers.services, for the API and the admin alike) and the admin's form call it directly, so an import
accepts exactly what the API accepts.

The body is checked as the API documents it (nested `address`, `alternative_id` and
`preferred_payment_method`) by the fields of customers.request_body."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from beel.errors import DomainError, ErrorCode, ValidationFailed
from beel.payloads import MISSING, Errors, Invalid, Problem, deserialization_refusal, wrong_type
from customers import errors
from customers.request_body import CHANGES, RECORD
from customers.validators import (
    DEFAULT_COUNTRY,
    DEFAULT_PAYMENT_METHOD,
    DEFAULT_PAYMENT_TERM_DAYS,
    RULE_CODES,
    SPAIN,
    AlternativeIdInvalid,
    PaymentMethod,
    country_code_of,
    country_name,
    normalize_phone,
    validate_alternative_id,
    validate_nif,
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


def check_record(
    body: Any, *, current: Mapping | None = None, partial: bool = False, whole: bool = False, province: bool = True
) -> dict:
    """A body of POST (`current` None), PATCH (`partial`, `current` the stored record) or PUT (`whole`,
    `current` the stored record: CLEARED_BY_PUT left out are cleared, the rest kept) as the model's columns,
    normalised. `province`: a Spanish postal address needs one (BeeL's Address; a CSV row does not, as
    spreadsheets often leave it out). Raises Invalid with every error by its path in the body."""
    if body is None:  # `null`: a body of the wrong JSON type (BeeL: 400 INVALID_JSON_FORMAT)
        raise Invalid({("non_field_errors",): [wrong_type(None, "object", "No data provided")]})
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
    _check_payment_and_address(values, body, current, province=province)
    if active is not None:
        values["active"] = active
    return values


def _columns(values: dict, body: Mapping, *, new: bool) -> dict:
    """The API's nested objects as the model's columns: `null` clears, and an `address` or a
    `preferred_payment_method` sent to change a customer is the whole of it."""
    values = dict(values)
    for name in NULL_CLEARS:
        if name in values and values[name] is None:
            values[name] = RECORD_DEFAULTS[name]
    if values.get("nif") is None:
        values.pop("nif", None)  # null or absent: the identity is the alternative id, or kept
    alternative_id = values.pop("alternative_id", MISSING)
    if alternative_id is not MISSING and (alternative_id or "nif" not in values):
        alternative_id = alternative_id or {}
        values["alternative_id_type"] = alternative_id.get("type", "")
        values["alternative_id_number"] = alternative_id.get("number", "")
        values["alternative_id_country"] = alternative_id.get("country_code") or ""
    # nif and alternative_id are exclusive: the one sent replaces the other (both sent is refused later).
    if not new and values.get("alternative_id_type") and "nif" not in values:
        values["nif"] = ""
    elif not new and values.get("nif") and "alternative_id_type" not in values:
        values.update(alternative_id_type="", alternative_id_number="", alternative_id_country="")
    if not new and isinstance(body.get("address"), Mapping):
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


def _check_payment_and_address(values: dict, body: Any, current: Mapping | None, *, province: bool) -> None:
    """BeeL's rules on what was sent: a BANK_TRANSFER needs an IBAN, and a Spanish postal address (one with a
    street, postal code or city; beel takes an address without them, BeeL does not) a province. Neither
    refuses what is stored unchanged, so a customer stored before these rules can be read and written back."""
    errors: Errors = {}
    transfer = values.get("payment_method") == PaymentMethod.BANK_TRANSFER and not values["iban"]
    if transfer and _changes(values, current, PAYMENT_COLUMNS):
        errors["preferred_payment_method", "iban"] = [Problem("An IBAN is required for BANK_TRANSFER.", "required")]
    spanish = values.get("country_code", (current or RECORD_DEFAULTS)["country_code"]) == SPAIN
    postal = any(values.get(name) for name in ("street", "postal_code", "city"))
    address = province and isinstance(body.get("address"), Mapping) and spanish and postal
    if address and not values.get("province") and _changes(values, current, ADDRESS_COLUMNS):
        errors["address", "province"] = [Problem("The province is required for a Spanish address.", "required")]
    if errors:
        raise Invalid(errors)


def _changes(values: Mapping, current: Mapping | None, names: tuple[str, ...]) -> bool:
    return current is None or any(values.get(name, current.get(name)) != current.get(name) for name in names)


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
        raise deserialization_refusal(error) or refusal(error) from None
