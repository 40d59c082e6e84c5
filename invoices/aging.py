"""Aging buckets: how far past its due date an unpaid amount is, as of a day. The one definition used by a
customer's statement, the aging report across customers (API, admin and CSV) and the customer's stats.

The due date is the last day to pay (Invoice.is_overdue), so an amount due on the 10th is `current` on the
10th and `days_1_30` from the 11th. An issued invoice without a due date (none can be issued without one since
invoices 0011; kept for rows older than it) is `current`: nothing says it is late.

Bucket keys are the wire names (API fields, CSV headers' order); labels are what staff and the Spanish CSV
read."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class AgingBucket:
    key: str
    label: str
    # Days past due, both ends inclusive; None: unbounded on that side.
    first_day: int | None
    last_day: int | None

    def holds(self, days_past_due: int) -> bool:
        above_first = self.first_day is None or days_past_due >= self.first_day
        below_last = self.last_day is None or days_past_due <= self.last_day
        return above_first and below_last

    def due_dates(self, as_of: date) -> Q:
        """The invoices in this bucket as of `as_of`, as a condition on `due_date` (a range an index on the
        due date answers; `current` also takes invoices without one)."""
        condition = Q()
        if self.first_day is not None:
            latest = _days_before(as_of, self.first_day)
            # Before the first day a date can hold, no due date is: a condition nothing meets.
            condition &= Q(due_date__lte=latest) if latest else Q(due_date__lt=date.min)
        if self.last_day is not None and (earliest := _days_before(as_of, self.last_day)):
            condition &= Q(due_date__gte=earliest)
        if self.first_day is None:
            condition |= Q(due_date__isnull=True)
        return condition


def _days_before(day: date, days: int) -> date | None:
    """`day` less `days`; None when that is before the first day a date can hold (an as-of day early in year
    1, which an API caller may send), rather than an OverflowError."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return None


AGING_BUCKETS: tuple[AgingBucket, ...] = (
    AgingBucket("current", _("Current"), None, 0),
    AgingBucket("days_1_30", _("1-30 days"), 1, 30),
    AgingBucket("days_31_60", _("31-60 days"), 31, 60),
    AgingBucket("days_61_90", _("61-90 days"), 61, 90),
    AgingBucket("days_over_90", _("Over 90 days"), 91, None),
)
AGING_BUCKET_KEYS: tuple[str, ...] = tuple(bucket.key for bucket in AGING_BUCKETS)


def days_past_due(due_date: date | None, as_of: date) -> int:
    """Days since the due date as of `as_of`: 0 on the due date and before it (or without one)."""
    return 0 if due_date is None else max((as_of - due_date).days, 0)


def bucket_of(due_date: date | None, as_of: date) -> AgingBucket:
    days = days_past_due(due_date, as_of)
    return next(bucket for bucket in AGING_BUCKETS if bucket.holds(days))
