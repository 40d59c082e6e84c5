"""API keys: `beel_sk_<mode>_<43 letters and digits>`, shown once, stored only as a SHA-256 hash.

The secret carries 256 bits of entropy, so a fast hash is as safe as a slow password hasher here and
keeps authentication cheap on every request. The first characters after `beel_sk_` are stored in clear
as the lookup prefix (and shown in the admin to tell keys apart); the rest is never stored.
"""

import hashlib
import hmac
import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apikeys import keycache
from beel.errors import InsufficientScope
from beel.tenancy import DataScope, Mode
from companies.access import active_company as active_company_of
from companies.access import company_in_path, not_of_account
from companies.models import Company

KEY_PREFIX = "beel_sk_"
LOOKUP_LENGTH = 12
# Letters and digits only, so a double-click selects the whole key (a `-` stops the selection); 43 of them
# carry 256 bits, as the 32 random bytes of the url-safe keys issued before did. Those keep working: the
# lookup accepts `-` and `_` in a presented key.
SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 43
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Scope(models.TextChoices):
    COMPANIES_READ = "companies:read", _("List the account's companies")
    CUSTOMERS_READ = "customers:read", _("Read customers")
    CUSTOMERS_WRITE = "customers:write", _("Create, update and deactivate customers")
    INVOICES_READ = "invoices:read", _("Read invoices")
    INVOICES_WRITE = "invoices:write", _("Create invoices")
    WEBHOOKS_READ = "webhooks:read", _("Read webhook endpoints and their delivery attempts")
    WEBHOOKS_WRITE = "webhooks:write", _("Manage webhook endpoints, rotate secrets, retry deliveries")
    NIF_VALIDATE = "nif:validate", _("Validate NIFs against AEAT's census")
    EVENTS_READ = "events:read", _("Read the account's events (GET /events), the same a webhook receives")


ALL_SCOPES: list[str] = [scope.value for scope in Scope]


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def key_marker(mode: str) -> str:
    return f"{KEY_PREFIX}{mode}_"


def lookup_prefix_of(raw_key: str) -> str | None:
    """The stored lookup prefix of a presented key (`beel_sk_live_...` or `beel_sk_test_...`), or None
    when it cannot be one of ours."""
    for mode in Mode:
        if raw_key.startswith(key_marker(mode)):
            secret = raw_key[len(key_marker(mode)) :]
            break
    else:
        return None
    if len(secret) < 32 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in secret):
        return None
    return secret[:LOOKUP_LENGTH]


class APIKeyQuerySet(models.QuerySet):
    def usable(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


@dataclass(frozen=True)
class IssuedKey:
    """A freshly made key: the row, and the raw key that exists only here and is shown exactly once."""

    api_key: "APIKey"
    raw_key: str


class APIKey(models.Model):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list, help_text=_("Scopes this key grants, e.g. customers:read."))
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.LIVE)
    prefix = models.CharField(max_length=LOOKUP_LENGTH, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    # The companies of its account the key may act on (their ids); empty: every company, present and future.
    # Kept on the key's own row, so the copy each process holds (apikeys.keycache) carries it and a change
    # reaches every process with the key's next generation.
    company_ids = models.JSONField(
        _("companies"), default=list, blank=True, help_text=_("Restrict the key to these companies; empty: all.")
    )

    objects = APIKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"{key_marker(self.mode)}{self.prefix}…"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, at=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (at or timezone.now())

    def matches(self, raw_key: str) -> bool:
        return self.matches_hash(hash_key(raw_key))

    def matches_hash(self, presented_hash: str) -> bool:
        """Whether a presented key's hash (hash_key) is this key's, in constant time."""
        return hmac.compare_digest(self.secret_hash, presented_hash)

    def grants(self, scope: str) -> bool:
        return scope in self.scopes

    def data_scope(self, *, company_id: str | None = None, active_company: str | None = None) -> DataScope:
        """What a request with this key acts on: the company a canonical route names (`company_id`), else the
        flat routes' active company (the `BeeL-Active-Company` header, or the account's only company), in the
        key's mode. Raises the 400/403 of companies.access, and 403 INSUFFICIENT_SCOPE for a header sent with a
        key without `companies:read` (BeeL 1.9.0's ActiveCompanyHeader requires it)."""
        if company_id is not None:
            company = company_in_path(account=self.account, allowed_ids=self.company_ids, company_id=company_id)
        elif active_company is None:
            company = self._only_company()
        else:
            if active_company is not None and not self.grants(Scope.COMPANIES_READ):
                raise InsufficientScope(required=[Scope.COMPANIES_READ.value], granted=list(self.scopes))
            company = active_company_of(account=self.account, allowed_ids=self.company_ids, header=active_company)
        return DataScope.of_company(company, self.mode)

    def _only_company(self):
        """The company a flat route without the header acts on, read once per copy of this key: a process's
        copy (apikeys.keycache) lives only while the key's generation stands, and saving or deleting a company
        renews the generations of its account's keys (below). That read was ~19% of the default page
        (docs/performance.md). Only the company's identity is used from it; issuing reads the row again."""
        if "_only_company_memo" not in self.__dict__:
            self.__dict__["_only_company_memo"] = active_company_of(
                account=self.account, allowed_ids=self.company_ids, header=None
            )
        return self.__dict__["_only_company_memo"]

    @classmethod
    def issue(
        cls, *, account, name: str, scopes: list[str], mode: str = Mode.LIVE, expires_at=None, company_ids=()
    ) -> IssuedKey:
        unknown = set(scopes) - set(ALL_SCOPES)
        if unknown:
            raise ValueError(f"Unknown scopes: {', '.join(sorted(unknown))}")
        foreign = not_of_account(account=account, company_ids=[str(company_id) for company_id in company_ids])
        if foreign:
            raise ValueError(f"Not companies of this account: {', '.join(foreign)}")
        api_key = cls(
            account=account,
            name=name,
            scopes=list(dict.fromkeys(scopes)),
            mode=mode,
            expires_at=expires_at,
            company_ids=list(dict.fromkeys(str(uuid.UUID(str(company_id).strip())) for company_id in company_ids)),
        )
        raw_key = api_key.save_with_new_secret()
        return IssuedKey(api_key=api_key, raw_key=raw_key)

    def save_with_new_secret(self) -> str:
        """Draw a secret, store its hash and prefix, save, and return the raw key: the only moment it
        exists. On the (2^-72-rare) prefix collision a new secret is drawn."""
        for _attempt in range(5):
            raw_key = key_marker(self.mode) + "".join(
                secrets.choice(SECRET_ALPHABET) for _position in range(SECRET_LENGTH)
            )
            self.prefix = lookup_prefix_of(raw_key)
            self.secret_hash = hash_key(raw_key)
            try:
                with transaction.atomic():
                    self.save()
            except IntegrityError:
                if type(self).objects.filter(prefix=self.prefix).exists():
                    self.pk = None
                    continue
                raise
            return raw_key
        raise RuntimeError("Could not draw a unique API key prefix")

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            type(self).objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=self.revoked_at)
            keycache.forget([self.prefix])

    def touch(self) -> None:
        """Record use at most once per LAST_USED_RESOLUTION, so authentication is not a write per request."""
        now = timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < LAST_USED_RESOLUTION:
            return
        type(self).objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now


@receiver([post_save, post_delete], sender=APIKey)
def _key_changed(sender, instance: APIKey, **kwargs) -> None:
    keycache.forget([instance.prefix])


@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL)
def _account_changed(sender, instance, **kwargs) -> None:
    """A copied key carries its account (disabled accounts are refused), so copies of its keys go too."""
    if keycache.enabled():
        keycache.forget(list(APIKey.objects.filter(account_id=instance.pk).values_list("prefix", flat=True)))


@receiver([post_save, post_delete], sender=Company)
def _company_changed(sender, instance, **kwargs) -> None:
    """A copied key carries the company it acts on without the header (APIKey._only_company): a company added,
    changed or deleted in its account sends the copies of the account's keys away."""
    if keycache.enabled():
        keycache.forget(list(APIKey.objects.filter(account_id=instance.account_id).values_list("prefix", flat=True)))
