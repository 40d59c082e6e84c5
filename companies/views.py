"""Discovery, as BeeL 1.9.0 documents it (no `GET /v1/companies` exists): `GET /v1/me/identity` says which
account a key belongs to, `GET /v1/accounts/{account_id}/companies` lists that account's companies, whose
ids then address the canonical `/v1/companies/{company_id}/...` routes or the flat routes'
`BeeL-Active-Company` header."""

from django.utils import translation
from rest_framework.response import Response

from beel.api.views import APIViewSet
from beel.lists import Listing
from companies import schema
from companies.access import account_in_path, reachable_companies
from companies.filters import CompanyFilterSet
from companies.models import Company
from companies.serializers import render_company, render_identity

# apikeys.models.Scope.COMPANIES_READ, named rather than imported: companies sits below apikeys
# (beel <- companies <- apikeys), and tests/companies/test_list_companies.py holds the two equal.
COMPANIES_READ = "companies:read"


class IdentityViewSet(APIViewSet):
    """Who the key is. Any valid key may ask (no scope), and the answer is the key's own: its account, not the
    company it is pointed at, so the `BeeL-Active-Company` header plays no part."""

    acts_on_company = False
    queryset = Company.objects.none()
    # No scope: the action is open to every valid key (apikeys.permissions.HasRequiredScope).
    required_scopes = {"identity": None}

    @schema.get_my_identity
    def identity(self, request):
        api_key = request.auth
        first = reachable_companies(account=request.user, allowed_ids=api_key.company_ids).in_listing_order().first()
        data = render_identity(account=request.user, api_key=api_key, company=first, language=_language())
        return Response(data, headers={"Cache-Control": "no-store"})


def _language() -> str:
    """The language the API speaks, as a primary subtag: always English (beel.locale), whatever Accept-Language
    says; beel keeps no per-account language."""
    return (translation.get_language() or "en").split("-")[0]


class AccountCompaniesViewSet(APIViewSet):
    """The companies of the key's account that the key may act on (all of them, or those it is restricted
    to), primary first, paged like every list. A canonical route: undeclared parameters are a 400, an
    empty page has `total_pages` 1."""

    acts_on_company = False
    queryset = Company.objects.none()
    filterset_class = CompanyFilterSet
    results_key = "companies"
    required_scopes = {"list": COMPANIES_READ}
    _with_readiness = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The account in the path is judged before anything else is read, as a company in the path is.
        if request.auth is not None:
            account_in_path(account=request.user, account_id=kwargs["account_id"])

    @schema.list_companies
    def list(self, request, account_id: str):
        return super().list(request)

    def read_list(self, filterset: CompanyFilterSet) -> Listing:
        self._with_readiness = filterset.includes_readiness()
        companies = reachable_companies(account=self.request.user, allowed_ids=self.request.auth.company_ids)
        return Listing.in_its_order(companies.search(filterset.search_text()).in_listing_order())

    def represent_rows(self, rows) -> list:
        return [render_company(company, readiness=self._with_readiness) for company in rows]

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        pagination = response.data["pagination"]
        if pagination.get("total_pages") == 0:
            pagination["total_pages"] = 1  # BeeL's canonical routes: an empty collection is one empty page
        return response
