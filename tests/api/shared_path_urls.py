"""A URLconf for tests/api/test_shared_paths.py: two viewsets at one path, the first answering DELETE only and
passing every other method on (beel.routing), the second answering GET and PATCH, as the canonical customer
routes of two families of operations do."""

from django.urls import include, path, re_path
from rest_framework.response import Response

from beel.api.views import APIViewSet
from beel.routing import falling_through


class Deleting(APIViewSet):
    acts_on_company = False
    required_scopes = {"destroy": "customers:write"}

    def destroy(self, request, thing_id):
        return Response({"deleted": thing_id})


class Reading(APIViewSet):
    acts_on_company = False
    required_scopes = {"retrieve": "customers:read", "partial_update": "customers:write"}

    def retrieve(self, request, thing_id):
        return Response({"read": thing_id})

    def partial_update(self, request, thing_id):
        return Response({"patched": thing_id})


THING = r"^things/(?P<thing_id>[^/]+)/?$"
later = [re_path(THING, Reading.as_view({"get": "retrieve", "patch": "partial_update"}))]
api = [*falling_through([re_path(THING, Deleting.as_view({"delete": "destroy"}))], later=later), *later]
urlpatterns = [path("api/v1/", include(api))]
