"""`total_items` of filtered customer lists, counted once per version of the account's customers.

Counting the rows a filter matches (`search=garcia`: tens of thousands of a million) costs nearly all of a
page's time, and pages 2, 3, ... of the same list would pay it again although nothing changed. The count is
kept in Django's cache under the account, the mode, the filters and the customers' version
(`CustomerCount.version_of`), which PostgreSQL triggers raise in the transaction of every write. A count is
therefore only ever read back while the rows it counted are unchanged: `total_items` stays exact, and a
write, by any path, makes the next request count again.

The version is read before the rows are counted, so a write committed in between can only file a newer
count under an older version, which no later request asks for. Where no trigger keeps a version (SQLite),
or when the cache fails, lists count as they always did: never a stale total.
"""

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.cache import cache

from beel.tenancy import DataScope
from customers.models import CustomerCount

logger = logging.getLogger(__name__)

# Correctness does not depend on it (a version change retires a count); it only bounds how long counts of
# lists nobody asks for again stay in the cache.
TOTAL_CACHE_SECONDS = 3600
# The parameters that order a list rather than choose its rows: they do not change its count.
_ORDER_PARAMS = {"sort_by", "sort_order"}


def _normalised(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else repr(value)


def total_key(*, scope: DataScope, filters: Mapping[str, Any]) -> str | None:
    """Where the count of the list of `scope`'s customers matching `filters` (the filterset's cleaned
    values) is kept at the customers' current version; None when it cannot be cached."""
    if scope.account is None or scope.mode is None:
        return None
    version = CustomerCount.version_of(account_id=scope.account.pk, mode=scope.mode)
    if version is None:
        return None
    asked = sorted(
        (name, _normalised(value))
        for name, value in filters.items()
        if name not in _ORDER_PARAMS and value not in (None, "")
    )
    digest = hashlib.sha256(repr(asked).encode()).hexdigest()[:32]
    return f"customers:total:{scope.account.pk}:{scope.mode}:{version}:{digest}"


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
