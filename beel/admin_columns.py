"""Changelist cells that fit a laptop screen (1366 px wide) without sideways scrolling: long text cut short
with the whole of it as a tooltip, and a moment as its date alone (the full date and time as a tooltip)."""

from django.utils import formats, timezone
from django.utils.html import format_html


def truncated(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return format_html('<span title="{}">{}…</span>', text, text[: limit - 1].rstrip())


def short_date(moment) -> str:
    """In the staff user's time zone, as the admin shows times (beel.locale.StaffTimezoneMiddleware)."""
    local = timezone.localtime(moment)
    return format_html(
        '<span title="{}">{}</span>', formats.localize(local), formats.date_format(local, "SHORT_DATE_FORMAT")
    )
