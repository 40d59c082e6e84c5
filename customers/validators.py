"""How a customer's values are checked and normalised: one function per value, reused by the API
serializers, the admin forms, the management commands and the search filters."""

import gettext as gnu_gettext
import re
import unicodedata
from functools import lru_cache

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum import bic, iban
from stdnum.es import dni as spanish_dni
from stdnum.es import nie as spanish_nie
from stdnum.es import nif as spanish_nif
from stdnum.eu import vat as eu_vat

from beel.payloads import unstorable

SPAIN_NAMES = {"espana", "spain", "es", "esp", "reino de espana"}
DEFAULT_COUNTRY = "España"
_NIF_NOISE = re.compile(r"[\s\-.]")
_SPANISH_PHONE_PREFIX = re.compile(r"^(?:\+|00)34")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text: 'María GARCÍA' -> 'maria garcia'.

    Stored beside the original in `*_folded` columns, so the same comparison works (and is indexable) on
    PostgreSQL and SQLite alike, without database-specific collations or the unaccent extension."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.casefold().split())


def normalize_nif(value: str) -> str:
    """Upper case, without spaces, dashes or dots: ' b-1234567 4' -> 'B12345674'."""
    return _NIF_NOISE.sub("", value or "").upper()


# BeeL 1.9.0's NIF: a DNI, a CIF or a NIE, 9 characters.
SPANISH_NIF_PATTERN = re.compile(r"^(\d{8}[A-Z]|[ABCDEFGHJKLMNPQRSUVW]\d{7}[A-Z0-9]|[XYZ]\d{7}[A-Z])$")


def validate_nif(value: str, *, country_code: str = "ES") -> str:
    """Normalised NIF, checked with its control character while the address' country code is ES (DNI, NIE
    and CIF forms): BeeL's NIF_INVALID_FORMAT when it is not shaped as one, NIF_INVALID_CONTROL_DIGIT when
    only its control character is wrong.

    Raises django's ValidationError, which DRF serializers and Django forms both understand."""
    normalized = normalize_nif(value)
    if not normalized:
        raise ValidationError(gettext("NIF is required."))
    spanish = country_code == "ES"
    if len(normalized) > 20 or not normalized.isalnum() or not normalized.isascii():
        raise ValidationError(
            gettext("NIF may contain only letters and digits."), code="NIF_INVALID_FORMAT" if spanish else None
        )
    if spanish and not SPANISH_NIF_PATTERN.match(normalized):
        raise ValidationError(
            gettext("Not shaped as a Spanish NIF, NIE or CIF (9 characters)."), code="NIF_INVALID_FORMAT"
        )
    if spanish and not spanish_nif.is_valid(normalized):
        raise ValidationError(
            gettext("Not a valid Spanish NIF, NIE or CIF (check the control character)."),
            code="NIF_INVALID_CONTROL_DIGIT",
        )
    return normalized


def normalize_phone(value: str, *, country_code: str = "ES") -> str:
    """E.164 form ('+34912345678'); a number without a country code is read as one of the address'
    country."""
    value = (value or "").strip()
    if not value:
        return ""
    region = country_code or None
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(gettext("Not a valid phone number.")) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(gettext("Not a valid phone number."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_search_fragment(value: str) -> str:
    """What a partial phone filter looks for in stored E.164 numbers: digits only, without the Spanish
    country code, so '+34 912 34', '0034912 34' and '91234' all find +34912345678."""
    compact = re.sub(r"[\s\-().]", "", value or "")
    compact = _SPANISH_PHONE_PREFIX.sub("", compact)
    return "".join(char for char in compact if char.isdigit())


# --- the rest of the record (issue #14): one function per value, as above --------------------------------

LEGAL_NAME_MAX_LENGTH = 120
TRADE_NAME_MAX_LENGTH = 120
CONTACT_PERSON_MAX_LENGTH = 200
MAX_BILLING_EMAILS = 10
# Stripe's limits for metadata, which integrators already design for.
METADATA_MAX_KEYS = 50
METADATA_KEY_MAX_LENGTH = 40
METADATA_VALUE_MAX_LENGTH = 500
PAYMENT_TERM_MAX_DAYS = 365
SPAIN = "ES"


class AlternativeIdType(models.TextChoices):
    """AEAT's IDType for a recipient without a Spanish NIF (SII / VERI*FACTU, L7): stored as AEAT's code, shown
    by BeeL's name (ALTERNATIVE_ID_TYPE_NAMES); the API takes either."""

    EU_VAT = "02", _("NIF-IVA (EU VAT number)")
    PASSPORT = "03", _("Passport")
    RESIDENCE_COUNTRY_DOCUMENT = "04", _("Official document of the country of residence")
    RESIDENCE_CERTIFICATE = "05", _("Residence certificate")
    OTHER_DOCUMENT = "06", _("Other document")
    NOT_REGISTERED = "07", _("Not registered")


# BeeL 1.9.0's names of AEAT's codes, in the same order (AlternativeIdentifier.type); the codes stay accepted.
ALTERNATIVE_ID_TYPE_NAMES = {
    AlternativeIdType.EU_VAT: "NIF_IVA",
    AlternativeIdType.PASSPORT: "PASSPORT",
    AlternativeIdType.RESIDENCE_COUNTRY_DOCUMENT: "COUNTRY_ID",
    AlternativeIdType.RESIDENCE_CERTIFICATE: "RESIDENCE_CERTIFICATE",
    AlternativeIdType.OTHER_DOCUMENT: "OTHER_DOCUMENT",
    AlternativeIdType.NOT_REGISTERED: "NOT_REGISTERED",
}
ALTERNATIVE_ID_TYPES_BY_NAME = {name: code for code, name in ALTERNATIVE_ID_TYPE_NAMES.items()}

# With a Spanish country code AEAT accepts only a passport or "not registered"; "not registered" is only
# for Spain.
SPANISH_ALTERNATIVE_ID_TYPES = {AlternativeIdType.PASSPORT, AlternativeIdType.NOT_REGISTERED}


class PaymentMethod(models.TextChoices):
    """BeeL 1.9.0's PaymentMethod, stored as sent (migration 0017 mapped the older lower-case values)."""

    NONE = "NONE", _("None (no payment details on the invoice)")
    BANK_TRANSFER = "BANK_TRANSFER", _("Bank transfer")
    CARD = "CARD", _("Card")
    CASH = "CASH", _("Cash")
    CHECK = "CHECK", _("Check")
    DIRECT_DEBIT = "DIRECT_DEBIT", _("Direct debit")
    BIZUM = "BIZUM", _("Bizum")
    OTHER = "OTHER", _("Other")


# BeeL's defaults for a preferred_payment_method sent without them: the method when omitted (PaymentInfo), and
# the term the issue (#23) states as BeeL's, as 1.9.0 itself names none.
DEFAULT_PAYMENT_METHOD = PaymentMethod.BANK_TRANSFER
DEFAULT_PAYMENT_TERM_DAYS = 30


class AlternativeIdInvalid(ValidationError):
    """An alternative id that breaks one of AEAT's rules, with BeeL's code for the rule (an ErrorCode, 422):
    told apart from a malformed value by its code, which django forms and DRF serializers both keep."""

    def __init__(self, message: str, code: str = "ALTERNATIVE_ID_INVALID"):
        super().__init__(message, code=code)


ALTERNATIVE_ID_INVALID = "ALTERNATIVE_ID_INVALID"
# BeeL 1.9.0's codes for the rules of an alternative id, of a NIF and of an address' country (each a 422 of its
# own, customers.record.refusal); the first one found answers.
RULE_CODES = (
    "ALTERNATIVE_ID_COUNTRY_REQUIRED",
    "ALTERNATIVE_ID_SPAIN_INVALID_TYPE",
    "ALTERNATIVE_ID_REQUIRES_SPAIN",
    "RECIPIENT_UNREGISTERED_ID_MUST_BE_DNI_OR_NIE",
    "ALTERNATIVE_ID_VAT_REQUIRES_EU_COUNTRY",
    "ALTERNATIVE_ID_VAT_INVALID_FORMAT",
    ALTERNATIVE_ID_INVALID,
    "NIF_INVALID_FORMAT",
    "NIF_INVALID_CONTROL_DIGIT",
    "COUNTRY_CODE_REQUIRED",
    "COUNTRY_CODE_MISMATCH",
)


def validate_legal_name(value: str) -> str:
    """1 to 120 characters, the first one not blank; trailing blanks are dropped."""
    if not value or value[0].isspace():
        raise ValidationError(gettext("The legal name must not be empty nor start with a blank."))
    value = value.rstrip()
    if len(value) > LEGAL_NAME_MAX_LENGTH:
        raise ValidationError(gettext("At most %(n)d characters.") % {"n": LEGAL_NAME_MAX_LENGTH})
    return value


@lru_cache(maxsize=1)
def _country_names() -> tuple[dict[str, str], dict[str, str]]:
    """(code -> Spanish name, folded name in Spanish or English, or code -> code), from ISO 3166-1."""
    spanish = gnu_gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True)
    names, codes = {}, {}
    for country in pycountry.countries:
        code = country.alpha_2
        names[code] = spanish.gettext(country.name)
        for name in {country.name, getattr(country, "common_name", country.name), names[code], code}:
            codes[fold(name)] = code
    for name in SPAIN_NAMES:
        codes[name] = SPAIN
    return names, codes


def normalize_country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased: 'pt' -> 'PT'. Anything else is BeeL's COUNTRY_CODE_REQUIRED."""
    code = (value or "").strip().upper()
    if code not in _country_names()[0]:
        raise ValidationError(
            gettext("Not an ISO 3166-1 alpha-2 country code (e.g. ES, PT, DE)."), code="COUNTRY_CODE_REQUIRED"
        )
    return code


def country_name(code: str) -> str:
    """The country's name in Spanish, as the address shows it when only its code was given."""
    return DEFAULT_COUNTRY if code == SPAIN else _country_names()[0].get(code, code)


def country_code_of(name: str | None) -> str | None:
    """The code of a country written by name (Spanish or English) or code, or None when not known."""
    return _country_names()[1].get(fold(name or DEFAULT_COUNTRY))


def validate_alternative_id(*, type: str, number: str, country_code: str) -> tuple[str, str]:
    """AEAT's rules for an alternative id, each refused with BeeL's code for it; returns its number
    normalised (a VAT number compact, with its country prefix as AEAT expects it) and its country (ES when
    a passport or "not registered" id came without one). Raises AlternativeIdInvalid for a broken rule, a
    plain ValidationError for a malformed number."""
    compact = normalize_nif(number)
    if not compact:
        raise AlternativeIdInvalid(gettext("The alternative id's number is blank."))
    if len(compact) > 20 or not compact.isalnum() or not compact.isascii():
        raise ValidationError(
            gettext("The number has 1 to 20 letters and digits (spaces, dots and dashes are dropped).")
        )
    if not country_code:
        if type not in SPANISH_ALTERNATIVE_ID_TYPES:
            raise AlternativeIdInvalid(
                gettext("alternative_id.country_code is required for this type."), "ALTERNATIVE_ID_COUNTRY_REQUIRED"
            )
        country_code = SPAIN
    if country_code == SPAIN and type not in SPANISH_ALTERNATIVE_ID_TYPES:
        raise AlternativeIdInvalid(
            gettext("With country_code ES only PASSPORT and NOT_REGISTERED are allowed."),
            "ALTERNATIVE_ID_SPAIN_INVALID_TYPE",
        )
    if type == AlternativeIdType.NOT_REGISTERED:
        if country_code != SPAIN:
            raise AlternativeIdInvalid(
                gettext("NOT_REGISTERED requires country_code ES."), "ALTERNATIVE_ID_REQUIRES_SPAIN"
            )
        if not (spanish_dni.is_valid(compact) or spanish_nie.is_valid(compact)):
            raise AlternativeIdInvalid(
                gettext("A NOT_REGISTERED id is a Spanish DNI or NIE."), "RECIPIENT_UNREGISTERED_ID_MUST_BE_DNI_OR_NIE"
            )
    if type == AlternativeIdType.EU_VAT:
        return _eu_vat_number(compact, country_code), country_code
    return compact, country_code


def _eu_vat_number(number: str, country_code: str) -> str:
    prefix = "EL" if country_code == "GR" else country_code
    if country_code.lower() not in eu_vat.MEMBER_STATES or country_code == SPAIN:
        raise AlternativeIdInvalid(
            gettext("NIF_IVA is for a VAT number of another EU member state."), "ALTERNATIVE_ID_VAT_REQUIRES_EU_COUNTRY"
        )
    compact = number if number.startswith(prefix) else prefix + number
    if not eu_vat.is_valid(compact):
        raise AlternativeIdInvalid(
            gettext("Not a valid %(country)s VAT number (check its digits).") % {"country": country_code},
            "ALTERNATIVE_ID_VAT_INVALID_FORMAT",
        )
    return compact


# BeeL 1.9.0's `website`: http(s):// and anything after it (the empty string is "none").
_WEBSITE = re.compile(r"^https?://.+$")
WEBSITE_MAX_LENGTH = 255


def validate_url(value: str) -> str:
    """An http or https URL (a web site; not ftp, mailto or javascript), as BeeL's pattern has it."""
    if not _WEBSITE.match(value):
        raise ValidationError(gettext("Enter a valid http or https URL."))
    return value


def normalize_iban(value: str) -> str:
    if not iban.is_valid(value):
        raise ValidationError(gettext("Not a valid IBAN (check its digits)."))
    return iban.compact(value)


def normalize_bic(value: str) -> str:
    if not bic.is_valid(value):
        raise ValidationError(gettext("Not a valid BIC/SWIFT code."))
    return bic.compact(value)


def validate_metadata(value: dict) -> dict:
    """Up to 50 string keys of 1 to 40 characters, without square brackets (they delimit the key in the
    `metadata[key]=value` filter), with string values of up to 500."""
    if not isinstance(value, dict):
        raise ValidationError(gettext("Must be an object of string values."))
    if len(value) > METADATA_MAX_KEYS:
        raise ValidationError(gettext("At most %(n)d keys.") % {"n": METADATA_MAX_KEYS})
    for key, item in value.items():
        validate_metadata_key(key)
        if not isinstance(item, str):
            raise ValidationError(gettext("The value of '%(key)s' must be a string.") % {"key": key})
        if len(item) > METADATA_VALUE_MAX_LENGTH:
            raise ValidationError(
                gettext("The value of '%(key)s' must have at most %(n)d characters.")
                % {"key": key, "n": METADATA_VALUE_MAX_LENGTH}
            )
        if unstorable(item):
            raise ValidationError(
                gettext("The value of '%(key)s' holds NUL or a lone surrogate, which cannot be stored.") % {"key": key}
            )
    return value


def validate_metadata_key(key: str) -> str:
    if (
        not isinstance(key, str)
        or not 1 <= len(key) <= METADATA_KEY_MAX_LENGTH
        or "[" in key
        or "]" in key
        or unstorable(key)
    ):
        raise ValidationError(
            gettext("Metadata keys have 1 to %(n)d characters, without square brackets, NUL or lone surrogates.")
            % {"n": METADATA_KEY_MAX_LENGTH}
        )
    return key
