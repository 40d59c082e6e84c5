"""The staff screens speak the browser's language (English or Spanish) and show times in the staff user's
time zone; the API always speaks English with TIME_ZONE, so its messages, and DRF's own, never change
with a caller's Accept-Language or cookies."""

import zoneinfo
from urllib.parse import unquote

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation

from beel.api.middleware import is_api_path


class StaffLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if is_api_path(request.path_info):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)

    def process_response(self, request, response):
        if is_api_path(request.path_info):
            return response  # no Content-Language or Vary: Accept-Language on the API's responses
        return super().process_response(request, response)


STAFF_TIMEZONE_COOKIE = "staff_tz"


class StaffTimezoneMiddleware:
    """Times on the staff screens in the staff user's own time zone: the admin's script stores the
    browser's zone in a cookie (customers/static/customers/staff_timezone.js). Without it, or for the
    API, TIME_ZONE applies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        name = unquote(request.COOKIES.get(STAFF_TIMEZONE_COOKIE, ""))
        if name and not is_api_path(request.path_info):
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
