from django.urls import re_path

from companies.views import AccountCompaniesViewSet, IdentityViewSet

# The spec's paths have no trailing slash; one is accepted too, as on every route.
urlpatterns = [
    re_path(r"^me/identity/?$", IdentityViewSet.as_view({"get": "identity"}), name="my-identity"),
    re_path(
        r"^accounts/(?P<account_id>[^/]+)/companies/?$",
        AccountCompaniesViewSet.as_view({"get": "list"}),
        name="account-companies",
    ),
]
