from datetime import UTC, datetime

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_utc(moment: datetime | None) -> str | None:
    """Timestamps are always rendered in UTC with a `Z` (as in the spec), whatever TIME_ZONE the admin uses."""
    return None if moment is None else moment.astimezone(UTC).strftime(UTC_FORMAT)
