"""BeeL 1.9.0's `CompanyData` (ListCompanies) and `MyIdentity` (getMyIdentity), as far as beel has their
fields: what beel does not hold (VeriFactu status, activations, branding, bank details, ...) is left out
rather than invented, and a fiscal field a company has not filled in yet is absent, not an empty string
(docs/api.md, "Companies"). The serializers describe the shapes for the schema; `render_*` build them."""

from rest_framework import serializers

from beel.api.serializers import UTCDateTimeField
from companies.models import Company, EntityType, IssuingBlocker

_ADDRESS_FIELDS = ("street", "number", "postal_code", "city", "province", "country_code")
_TEXT_FIELDS = ("nif", "legal_name", "trade_name", "entity_type")


class CompanyAddressSerializer(serializers.Serializer):
    street = serializers.CharField(allow_null=True)
    number = serializers.CharField(allow_null=True)
    postal_code = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    province = serializers.CharField(allow_null=True)
    country_code = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-2 country code.")


class CompanyReadinessSerializer(serializers.Serializer):
    ready = serializers.BooleanField(help_text="true if the company can issue invoices (no blockers).")
    blockers = serializers.ListField(
        child=serializers.ChoiceField(choices=IssuingBlocker.choices),
        help_text="Reasons the company cannot issue yet (empty when ready): `COMPANY_HAS_NO_NIF`, or "
        "`PROFILE_INCOMPLETE` (legal name or fiscal address missing).",
    )
    missing_fields = serializers.ListField(
        child=serializers.CharField(),
        help_text="beel's extension: the fiscal fields the company lacks, as EMISSION_NOT_READY names them.",
    )


class CompanyDataSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    nif = serializers.CharField(required=False, help_text="Spanish tax ID (NIF/CIF); absent until set.")
    legal_name = serializers.CharField(required=False, help_text="Legal/fiscal name; absent until set.")
    trade_name = serializers.CharField(required=False, help_text="Commercial/trade name; absent when none.")
    entity_type = serializers.ChoiceField(choices=EntityType.choices, required=False)
    is_primary = serializers.BooleanField(help_text="True for the account's primary company.")
    address = CompanyAddressSerializer(allow_null=True, help_text="Fiscal address; null when none is set.")
    created_at = UTCDateTimeField()
    readiness = CompanyReadinessSerializer(
        required=False, help_text="Issuing readiness; present only with `include=readiness`."
    )


def render_company(company: Company, *, readiness: bool = False) -> dict:
    data: dict = {"id": str(company.id)}
    data.update({name: getattr(company, name) for name in _TEXT_FIELDS if getattr(company, name)})
    data["is_primary"] = company.is_primary
    address = {name: getattr(company, name) or None for name in _ADDRESS_FIELDS}
    has_address = any(address[name] for name in _ADDRESS_FIELDS if name != "country_code")
    data["address"] = address if has_address else None
    data["created_at"] = UTCDateTimeField().to_representation(company.created_at)
    if readiness:
        blockers = company.issuing_blockers()
        data["readiness"] = {
            "ready": not blockers,
            "blockers": blockers,
            "missing_fields": company.missing_fiscal_fields(),
        }
    return data


class MyCredentialSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("api_key", "api_key")], help_text="How the caller authenticated.")
    environment = serializers.ChoiceField(
        choices=[("live", "live"), ("test", "test")],
        help_text="The key's mode, as its prefix says (`beel_sk_live_...`, `beel_sk_test_...`).",
    )
    scopes = serializers.ListField(child=serializers.CharField(), help_text="The scopes the key was issued with.")


class MyIdentitySerializer(serializers.Serializer):
    account_id = serializers.CharField(help_text="The key's account (beel's account ids are whole numbers).")
    name = serializers.CharField(
        allow_null=True, help_text="trade_name ?? legal_name of the first company the key reaches; null if none."
    )
    email = serializers.EmailField(required=False, help_text="The account's email; absent when it has none.")
    logo_url = serializers.CharField(allow_null=True, help_text="Always null: beel keeps no logos.")
    language = serializers.CharField(help_text="The language the API speaks: always `en` in beel.")
    credential = MyCredentialSerializer()


def render_identity(*, account, api_key, company: Company | None, language: str) -> dict:
    data: dict = {"account_id": str(account.pk)}
    data["name"] = (company.trade_name or company.legal_name or None) if company is not None else None
    if account.email:
        data["email"] = account.email
    data["logo_url"] = None
    data["language"] = language
    data["credential"] = {"type": "api_key", "environment": api_key.mode, "scopes": list(api_key.scopes)}
    return data
