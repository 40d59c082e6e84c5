"""The service's clock, in seconds since the epoch. Code whose outcome depends on time (rate limits,
leases) reads it here rather than calling time.time(), so tests can stop and move it and never race a
real clock."""

import time
from datetime import date, datetime


class Clock:
    def __init__(self) -> None:
        self._frozen_at: float | None = None

    def now(self) -> float:
        return time.time() if self._frozen_at is None else self._frozen_at

    def freeze(self, at: float | None = None) -> None:
        self._frozen_at = time.time() if at is None else at

    def advance(self, seconds: float) -> None:
        if self._frozen_at is None:
            raise RuntimeError("Only a frozen clock can be moved")
        self._frozen_at += seconds

    def unfreeze(self) -> None:
        self._frozen_at = None


clock = Clock()


def today() -> date:
    """The local date (TIME_ZONE) on the service's clock."""
    from django.utils import timezone

    return datetime.fromtimestamp(clock.now(), tz=timezone.get_current_timezone()).date()
