"""`total_items` of the customer lists without counting rows where it can be avoided: the counters
(`CustomerCount`) for the unfiltered and `active`-only lists, and a count kept once per version of the
company's customers for every other filter. customers.selectors.list_customers chooses between them.

Counting the rows a filter matches (`search=garcia`: tens of thousands of a million) costs nearly all of a
page's time, and pages 2, 3, ... of the same list would pay it again although nothing changed. The count is
kept in Django's cache under the company, the mode, the filters and the customers' version
(`CustomerCount.version_of`), which PostgreSQL triggers raise in the transaction of every write. A count is
therefore only ever read back while the rows it counted are unchanged: `total_items` stays exact, and a
write, by any path, makes the next request count again.

The version is read before the rows are counted, so a write committed in between can only file a newer
count under an older version, which no later request asks for. Where no trigger keeps a version (SQLite),
or when the cache fails, lists count as they always did: never a stale total.

The measurements behind each shortcut are in docs/performance.md, "Fast paths".
"""

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, models
from django.utils.translation import gettext_lazy as _

from beel.lists import Totals
from beel.tenancy import DataScope, Mode

logger = logging.getLogger(__name__)


class CustomerCount(models.Model):
    """How many customers a company has, per mode and status, so the lists' `total_items` for the common
    unfiltered and `active`-only requests is one row read instead of a count over up to millions of rows.

    Kept exact by statement-level triggers on PostgreSQL, in the same transaction as the change
    (migration 0007); SQLite has no such triggers and counts the rows instead (see `total`)."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    active = models.BooleanField()
    n = models.BigIntegerField(default=0)
    # Raised by the same triggers with every statement that writes this group's customers, even one that
    # changes no count (migration 0013): a version of the company's customers that cached counts depend on.
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("customer count")
        verbose_name_plural = _("customer counts")
        constraints = [
            models.UniqueConstraint(fields=["company", "mode", "active"], name="customer_count_unique_company_group")
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.mode}/{'active' if self.active else 'inactive'}: {self.n}"

    @classmethod
    def total(cls, *, scope: DataScope, active: bool | None) -> int | None:
        """The number of customers in `scope` (only active or inactive ones when `active` is given), or
        None where the triggers do not exist and the caller must count."""
        if scope.company is not None:
            return cls._sum("n", company_id=scope.company.pk, mode=scope.mode, active=active)
        account_id = None if scope.account is None else scope.account.pk
        return cls._sum("n", account_id=account_id, mode=scope.mode, active=active)

    @classmethod
    def version_of(cls, *, company_id, mode: str) -> int | None:
        """A number that changes in the same transaction as any write to the company's customers in `mode`
        and never returns to an earlier value (each group's version only grows), or None where no trigger
        keeps it (SQLite). One read of at most two rows by the unique (company, mode, active) index."""
        return cls._sum("version", company_id=company_id, mode=mode)

    @classmethod
    def _sum(cls, column: str, **equal_to) -> int | None:
        """SUM(column) over the groups whose columns equal the values given (None: any), or None without
        the triggers (SQLite). The one hand-written statement of the list: the default page reads it on
        every request, and compiling the ORM aggregate cost more than running it (docs/performance.md,
        "Fast paths")."""
        connection = connections[cls.objects.db]
        if connection.vendor != "postgresql":
            return None
        asked = {name: value for name, value in equal_to.items() if value is not None}
        where = " AND ".join(f"{name} = %s" for name in asked) or "TRUE"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(SUM({column}), 0) FROM {cls._meta.db_table} WHERE {where}", list(asked.values())
            )
            return int(cursor.fetchone()[0])


def from_counters(*, scope: DataScope, active: bool | None) -> Totals:
    """`total_items` read from the counters (counted by the paginator where there are none: SQLite)."""
    return Totals(known=lambda: CustomerCount.total(scope=scope, active=active))


# Correctness does not depend on it (a version change retires a count); it only bounds how long counts of
# lists nobody asks for again stay in the cache.
TOTAL_CACHE_SECONDS = 3600
# The parameters that order a list rather than choose its rows: they do not change its count.
_ORDER_PARAMS = {"sort_by", "sort_order", "currency", "include"}


def counted_once_per_version(*, scope: DataScope, filters: Mapping[str, Any]) -> Totals:
    """`total_items` counted by the paginator at most once per version of `scope`'s customers and `filters`
    (the list's parameters), and kept in the cache for the next pages."""
    kept = _KeptCount(scope=scope, filters=filters)
    return Totals(known=kept.known, on_counted=kept.remember)


class _KeptCount:
    """The cache entry of one list request's count: looked up first, filled if the rows had to be counted."""

    def __init__(self, *, scope: DataScope, filters: Mapping[str, Any]):
        self.scope, self.filters = scope, filters
        self.key: str | None = None

    def known(self) -> int | None:
        self.key = total_key(scope=self.scope, filters=self.filters)
        return None if self.key is None else cached_total(self.key)

    def remember(self, total: int) -> None:
        if self.key is not None:
            remember_total(self.key, total)


def _normalised(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else repr(value)


def total_key(*, scope: DataScope, filters: Mapping[str, Any]) -> str | None:
    """Where the count of the list of `scope`'s customers matching `filters` is kept at the customers'
    current version; None when it cannot be cached."""
    if scope.company is None or scope.mode is None:
        return None
    version = CustomerCount.version_of(company_id=scope.company.pk, mode=scope.mode)
    if version is None:
        return None
    asked = sorted(
        (name, _normalised(value))
        for name, value in filters.items()
        if name not in _ORDER_PARAMS and value not in (None, "")
    )
    digest = hashlib.sha256(repr(asked).encode()).hexdigest()[:32]
    return f"customers:total:{scope.company.pk}:{scope.mode}:{version}:{digest}"


def cached_total(key: str) -> int | None:
    try:
        total = cache.get(key)
    except Exception:
        logger.warning("cache unavailable: counting the customer list", exc_info=True)
        return None
    return total if isinstance(total, int) else None


def remember_total(key: str, total: int) -> None:
    try:
        cache.set(key, total, TOTAL_CACHE_SECONDS)
    except Exception:
        logger.warning("cache unavailable: the customer list's count is not kept", exc_info=True)
