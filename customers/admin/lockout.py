"""The page a staff login gets while django-axes holds it locked (settings.AXES_LOCKOUT_CALLABLE): the
admin's login page in the staff user's language, saying for how long and whom to ask, still a 429. It lives
with the customer admin because that is where this admin site's screens and templates live (companies'
too)."""

from datetime import UTC, datetime, timedelta

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils.timesince import timesince
from django.utils.translation import gettext

# Any moment does: only the length of the cool-off is shown.
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)


def lockout_duration(cool_off: timedelta) -> str:
    """The cool-off as staff read it ("15 minutos", "1 hora, 30 minutos")."""
    return timesince(_REFERENCE, _REFERENCE + cool_off)


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Login locked"),
        "duration": lockout_duration(cool_off) if cool_off else None,
        "contact": settings.ADMIN_LOCKOUT_CONTACT or gettext("the account's administrator"),
    }
    return render(request, "admin/login_lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
