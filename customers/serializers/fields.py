"""The customer API's field types whose OpenAPI schema says more than DRF's would (BeeL 1.9.0's patterns,
nullability, JSON types): declared by the serializers of customer.py for the schema; customers.request_body
checks the values."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.validators import (
    LEGAL_NAME_MAX_LENGTH,
    METADATA_KEY_MAX_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX_LENGTH,
    WEBSITE_MAX_LENGTH,
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[A-Za-z]{2}$",
        "nullable": True,
        "description": "ISO 3166-1 alpha-2 country code, upper-cased when stored (e.g. ES, PT, DE); an unknown one "
        "is 422 COUNTRY_CODE_REQUIRED. Null in answers for a customer stored before country codes whose country "
        "was not recognised, or an anonymised one.",
    }
)
class CountryCodeField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


ID_NUMBER_PATTERN = r"^[ .\-]*(?:[A-Za-z0-9][ .\-]*){0,20}$"


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 32,
        "pattern": ID_NUMBER_PATTERN,
        "description": "1 to 20 letters and digits (spaces, dots and dashes are dropped; blank is 422 "
        "ALTERNATIVE_ID_INVALID); a NIF_IVA number is an EU VAT number checked with its country's checksum, a "
        "NOT_REGISTERED one a Spanish DNI or NIE.",
    }
)
class AlternativeIdNumberField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": "IBAN (spaces allowed, stored compact), checked with its checksum. Required for BANK_TRANSFER "
        "unless it is the stored method unchanged (a customer read is written back).",
    }
)
class IbanField(serializers.CharField):
    pass


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
        "type": "number",
        "minimum": 0,
        "maximum": 100,
        "nullable": True,
        "description": "A percentage, 0 to 100, as a JSON number (a string is refused). Kept exact to two decimals: "
        "more are rounded half up (12.345 is 12.35). Answered as a number (12.5, 10), 0 when none; null clears it.",
    }
)
class DiscountField(serializers.DecimalField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "format": "es-tax-id",
        "minLength": 1,
        "maxLength": 32,
        # 1 to 20 letters and digits once spaces, dots and dashes are dropped (a tax id of another country too).
        "pattern": r"^[ .\-]*(?:[A-Za-z0-9][ .\-]*){1,20}$",
        "nullable": True,
        "description": "While the address' country is Spain (the default) a DNI, NIE or CIF (BeeL's NIF pattern "
        "after dropping spaces, dots and dashes and upper-casing): not shaped as one is 422 NIF_INVALID_FORMAT, "
        "a wrong control character 422 NIF_INVALID_CONTROL_DIGIT. Required on create unless `alternative_id` is "
        "given; exclusive with it: the one sent replaces the other, both sent is 422 ALTERNATIVE_ID_INVALID. "
        "Null or left out on PUT/PATCH keeps the identifier (a NIF cannot be cleared).",
    }
)
class NIFField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "format": "phone",
        "maxLength": 32,
        "pattern": r"^[0-9+()\-. ]*$",
        "nullable": True,
        "description": "A dialable number (format phone), stored in E.164; without a country code it is read as "
        "Spanish while the address' country is Spain. Empty or null for none.",
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
        "description": "1 to 120 characters, the first one not blank (trailing blanks are dropped). Required on "
        "create; PUT and PATCH keep it when left out.",
    }
)
class LegalNameField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.update(trim_whitespace=False, max_length=LEGAL_NAME_MAX_LENGTH)
        super().__init__(**kwargs)


@extend_schema_field(
    {
        "type": "string",
        "maxLength": WEBSITE_MAX_LENGTH,
        "pattern": "^(https?://[^\\x00]+|)$",  # BeeL's `^(https?://.+|)$`, and no NUL (beel refuses it)
        "nullable": True,
        "description": "The customer's web site (BeeL's `website`, formerly beel's `web`): http(s):// and more, or "
        "empty or null for none.",
    }
)
class WebsiteField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.update(trim_whitespace=False, max_length=WEBSITE_MAX_LENGTH, allow_blank=True, allow_null=True)
        super().__init__(**kwargs)
