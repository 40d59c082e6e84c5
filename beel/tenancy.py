"""Whose data a use case sees: an account's, in one mode (live or test), or, for staff and operators,
every account's. Services take a `DataScope` rather than an `account=None` that silently meant "all"."""

from dataclasses import dataclass
from typing import Any

from django.db import models


class Mode(models.TextChoices):
    """Live keys see live data only; test keys see only their account's test data, so an integration can
    be built without touching real customers."""

    LIVE = "live", "Live"
    TEST = "test", "Test"


@dataclass(frozen=True)
class DataScope:
    """`account=None` is every account; `mode=None` both modes. Build one with the named constructors."""

    account: Any = None
    mode: str | None = None

    @classmethod
    def of_account(cls, account, mode: str | None = None) -> "DataScope":
        """One account's data in one mode, as an API key sees it (or both modes, for an operator)."""
        if account is None:
            raise ValueError("DataScope.of_account needs an account; use DataScope.everything() for all")
        return cls(account=account, mode=mode)

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

    def filter(self, queryset: models.QuerySet) -> models.QuerySet:
        """`queryset` narrowed to this scope (the model has `account` and `mode` fields)."""
        if self.account is not None:
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
