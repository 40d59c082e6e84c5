"""Every account has a primary company from its first moment, so the flat routes (which act on the only
company of a one-company account) work for a new account without any setup."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from companies.models import Company


def primary_company_for(account) -> Company:
    """A new account's primary company: its fiscal identity is unknown (incomplete) until someone fills it in."""
    full_name = f"{getattr(account, 'first_name', '')} {getattr(account, 'last_name', '')}".strip()
    return Company(account=account, is_primary=True, legal_name=full_name)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _primary_company_with_every_account(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        primary_company_for(instance).save()
