"""Companies: the Spanish tax identities an account invoices as (BeeL 1.9.0's `CompanyData`).

An account is one invoicing business; it holds one company or several (a freelancer with a second activity,
a group, an accounting firm invoicing on behalf of its clients). Customers, invoices, numbering series and the
customer counters belong to a company. Every account has exactly one primary company, made with the account
(companies.signals) and, for the accounts that existed before companies, by migration 0002; its fiscal
identity may be incomplete until someone fills it in, and an incomplete company cannot issue invoices
(RD 1619/2012, art. 6: an invoice names its issuer's name, NIF and address)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SPAIN = "ES"


class EntityType(models.TextChoices):
    """BeeL 1.9.0's `entity_type` (CreateCompanyRequest, CompanyData): a natural person (a self-employed
    individual) invoices under their own NIF, a legal entity (SL, SA, ...) under its CIF."""

    INDIVIDUAL = "INDIVIDUAL", _("Individual (self-employed)")
    LEGAL_ENTITY = "LEGAL_ENTITY", _("Legal entity")


class IssuingBlocker(models.TextChoices):
    """Why a company cannot issue yet, in BeeL 1.9.0's `CompanyDataReadiness.blockers` words (the ones that
    apply to beel: it has no series to configure, no activations and no VeriFactu submission)."""

    COMPANY_HAS_NO_NIF = "COMPANY_HAS_NO_NIF"
    PROFILE_INCOMPLETE = "PROFILE_INCOMPLETE"


class CompanyQuerySet(models.QuerySet):
    def of_account(self, account) -> "CompanyQuerySet":
        return self.filter(account=account)

    def search(self, text: str) -> "CompanyQuerySet":
        """BeeL's `search`: case-insensitive, on the NIF, the legal name or the trade name; blank: all."""
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(nif__icontains=text) | Q(legal_name__icontains=text) | Q(trade_name__icontains=text))

    def in_listing_order(self) -> "CompanyQuerySet":
        """BeeL lists the primary company first."""
        return self.order_by("-is_primary", "legal_name", "id")


class Company(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="companies", verbose_name=_("account")
    )
    nif = models.CharField("NIF", max_length=9, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True)
    trade_name = models.CharField(_("trade name"), max_length=255, blank=True)
    entity_type = models.CharField(_("entity type"), max_length=20, choices=EntityType.choices, blank=True)
    street = models.CharField(_("street"), max_length=255, blank=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    country_code = models.CharField(_("country code"), max_length=2, default=SPAIN)
    is_primary = models.BooleanField(_("primary"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["-is_primary", "legal_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=Q(is_primary=True), name="company_one_primary"),
        ]

    def __str__(self) -> str:
        name = self.trade_name or self.legal_name or _("(no fiscal name yet)")
        return f"{name} ({self.nif})" if self.nif else str(name)

    def missing_fiscal_fields(self) -> list[str]:
        """What an invoice must name about its issuer (RD 1619/2012, art. 6) and this company lacks."""
        required = ["nif", "legal_name", "street", "postal_code", "city"]
        if self.country_code == SPAIN:
            required.append("province")
        return [name for name in required if not getattr(self, name)]

    @property
    def can_issue(self) -> bool:
        return not self.missing_fiscal_fields()

    def issuing_blockers(self) -> list[str]:
        """`missing_fiscal_fields` in BeeL's readiness words: a missing NIF is COMPANY_HAS_NO_NIF, anything
        else missing PROFILE_INCOMPLETE, never both for the NIF alone (CompanyDataReadiness)."""
        missing = self.missing_fiscal_fields()
        blockers = []
        if "nif" in missing:
            blockers.append(IssuingBlocker.COMPANY_HAS_NO_NIF.value)
        if set(missing) - {"nif"}:
            blockers.append(IssuingBlocker.PROFILE_INCOMPLETE.value)
        return blockers

    def fiscal_identity(self) -> dict:
        """The issuer as an issued invoice keeps it: what the company was when it issued, never what it is later."""
        return {
            "legal_name": self.legal_name,
            "trade_name": self.trade_name or None,
            "nif": self.nif,
            "address": {
                "street": self.street,
                "number": self.number or None,
                "postal_code": self.postal_code,
                "city": self.city,
                "province": self.province or None,
                "country_code": self.country_code,
            },
        }


def primary_company_of(account) -> Company:
    """The account's primary company (made with the account: see companies.signals)."""
    return Company.objects.get(account=account, is_primary=True)
