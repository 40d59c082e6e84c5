"""How a customer's values are checked and normalised: one function per value, reused by the API
serializers, the admin forms, the management commands and the search filters."""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from stdnum.es import nif as spanish_nif

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


def is_spain(country: str | None) -> bool:
    return fold(country or DEFAULT_COUNTRY) in SPAIN_NAMES


def normalize_nif(value: str) -> str:
    """Upper case, without spaces, dashes or dots: ' b-1234567 4' -> 'B12345674'."""
    return _NIF_NOISE.sub("", value or "").upper()


def validate_nif(value: str, *, country: str | None = DEFAULT_COUNTRY) -> str:
    """Normalised NIF, checked with its control character for Spain (DNI, NIE and CIF forms).

    Raises django's ValidationError, which DRF serializers and Django forms both understand."""
    normalized = normalize_nif(value)
    if not normalized:
        raise ValidationError("NIF is required.")
    if len(normalized) > 20 or not normalized.isalnum() or not normalized.isascii():
        raise ValidationError("NIF may contain only letters and digits.")
    if is_spain(country) and not spanish_nif.is_valid(normalized):
        raise ValidationError("Not a valid Spanish NIF, NIE or CIF (check the control character).")
    return normalized


def normalize_phone(value: str, *, country: str | None = DEFAULT_COUNTRY) -> str:
    """E.164 form ('+34912345678'); numbers without a country code are read as Spanish."""
    value = (value or "").strip()
    if not value:
        return ""
    region = "ES" if is_spain(country) else None
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError("Not a valid phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError("Not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_search_fragment(value: str) -> str:
    """What a partial phone filter looks for in stored E.164 numbers: digits only, without the Spanish
    country code, so '+34 912 34', '0034912 34' and '91234' all find +34912345678."""
    compact = re.sub(r"[\s\-().]", "", value or "")
    compact = _SPANISH_PHONE_PREFIX.sub("", compact)
    return "".join(char for char in compact if char.isdigit())
