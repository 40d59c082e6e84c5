"""Whose data a use case sees: one company's (of one account), or an account's, in one mode (live or test),
or, for staff and operators, every account's. Services take a `DataScope` rather than an `account=None` that
silently meant "all"."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    """Live keys see live data only; test keys see only their account's test data, so an integration can
    be built without touching real customers."""

    LIVE = "live", _("Live")
    TEST = "test", _("Test")


@dataclass(frozen=True)
class DataScope:
    """`account=None` is every account; `company=None` every company of the account; `mode=None` both modes.
    Build one with the named constructors."""

    account: Any = None
    mode: str | None = None
    company: Any = None

    @classmethod
    def of_account(cls, account, mode: str | None = None) -> "DataScope":
        """One account's data in one mode, as an API key sees it (or both modes, for an operator)."""
        if account is None:
            raise ValueError("DataScope.of_account needs an account; use DataScope.everything() for all")
        return cls(account=account, mode=mode)

    @classmethod
    def of_company(cls, company, mode: str | None = None) -> "DataScope":
        """One company's data in one mode, as an API request addressed to that company sees it."""
        if company is None:
            raise ValueError("DataScope.of_company needs a company")
        return cls(account=company.account, mode=mode, company=company)

    @classmethod
    def everything(cls) -> "DataScope":
        """Every account, live and test alike: staff in the admin, operators' commands."""
        return cls()

    @property
    def is_everything(self) -> bool:
        return self.account is None

    def owner(self) -> tuple[Any, str]:
        """The one account and mode that new data of this scope belongs to."""
        if self.account is None or self.mode is None:
            raise ValueError("New data needs a scope of one account and one mode")
        return self.account, self.mode

    def issuer(self) -> tuple[Any, Any, str]:
        """The account, company and mode that new customers and invoices of this scope belong to."""
        account, mode = self.owner()
        if self.company is None:
            raise ValueError("New customers and invoices need a scope of one company")
        return account, self.company, mode

    def filter(self, queryset: models.QuerySet) -> models.QuerySet:
        """`queryset` narrowed to this scope (the model has `account`, `company` and `mode` fields)."""
        if self.company is not None:
            queryset = queryset.filter(company=self.company)
        elif self.account is not None:
            queryset = queryset.filter(account=self.account)
        if self.mode is not None:
            queryset = queryset.filter(mode=self.mode)
        return queryset


class ScopedQuerySet(models.QuerySet):
    """For models owned by an account in a mode (customers, invoices)."""

    def within(self, scope: DataScope) -> "ScopedQuerySet":
        return scope.filter(self)

    def for_account(self, account, mode: str | None) -> "ScopedQuerySet":
        """An account's rows in one mode (live or test); `mode=None` for both."""
        return self.within(DataScope.of_account(account, mode))
