"""The staff screens speak the browser's language (English or Spanish); the API always speaks English, so
its messages, and DRF's own, never change with a caller's Accept-Language."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


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
