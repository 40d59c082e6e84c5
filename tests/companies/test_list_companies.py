"""GET /api/v1/accounts/{account_id}/companies (BeeL 1.9.0 listCompanies): the key's account only, primary
first, paged, `search`, `include=readiness`, scope `companies:read`, a restricted key sees its companies."""

import pytest

from apikeys.models import ALL_SCOPES, Scope
from companies.models import Company
from companies.views import COMPANIES_READ
from tests.envelope import assert_error, assert_success
from tests.factories import AccountFactory, APIKeyFactory, CompanyFactory

pytestmark = pytest.mark.django_db


def url(account) -> str:
    return f"/api/v1/accounts/{account.pk}/companies"


def primary_of(account) -> Company:
    return Company.objects.get(account=account, is_primary=True)


def test_the_scope_named_by_the_view_is_the_keys_scope():
    assert COMPANIES_READ == Scope.COMPANIES_READ and COMPANIES_READ in ALL_SCOPES


def test_a_one_company_account_lists_its_primary_company(api, account):
    primary = primary_of(account)

    data = assert_success(api.get(url(account)))

    assert data["companies"] == [
        {
            "id": str(primary.pk),
            "nif": primary.nif,
            "legal_name": primary.legal_name,
            "entity_type": "LEGAL_ENTITY",
            "is_primary": True,
            "address": {
                "street": "Calle Mayor",
                "number": "1",
                "postal_code": "28013",
                "city": "Madrid",
                "province": "Madrid",
                "country_code": "ES",
            },
            "created_at": primary.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    ]
    assert data["pagination"] | {"next_cursor": None} == {
        "current_page": 1,
        "items_per_page": 20,
        "total_items": 1,
        "total_pages": 1,
        "has_next": False,
        "has_previous": False,
        "next_cursor": None,
    }


def test_the_primary_company_comes_first_then_by_legal_name(api, account):
    CompanyFactory(account=account, legal_name="Zeta SL")
    CompanyFactory(account=account, legal_name="Alfa SL")
    Company.objects.filter(account=account, is_primary=True).update(legal_name="Omega SL")

    data = assert_success(api.get(url(account)))

    assert [company["legal_name"] for company in data["companies"]] == ["Omega SL", "Alfa SL", "Zeta SL"]
    assert [company["is_primary"] for company in data["companies"]] == [True, False, False]


def test_pages_default_to_twenty_and_follow_page_and_limit(api, account):
    CompanyFactory.create_batch(21, account=account)

    first = assert_success(api.get(url(account)))
    last = assert_success(api.get(url(account), {"page": 2, "limit": 20}))

    assert len(first["companies"]) == 20 and first["pagination"]["total_items"] == 22
    assert first["pagination"]["total_pages"] == 2 and first["pagination"]["has_next"] is True
    assert len(last["companies"]) == 2 and last["pagination"]["has_next"] is False
    every = {company["id"] for company in first["companies"] + last["companies"]}
    assert every == {str(pk) for pk in Company.objects.filter(account=account).values_list("pk", flat=True)}


def test_search_matches_nif_legal_name_or_trade_name_case_insensitively(api, account):
    by_name = CompanyFactory(account=account, legal_name="Panadería Martín SL")
    by_trade = CompanyFactory(account=account, legal_name="Otra SL", trade_name="MARTINEZ Diseño")
    by_nif = CompanyFactory(account=account, legal_name="Tercera SL")
    CompanyFactory(account=account, legal_name="Nada Que Ver SL")

    def found(text):
        return {company["id"] for company in assert_success(api.get(url(account), {"search": text}))["companies"]}

    assert found("martín") == {str(by_name.pk)}
    assert found("martinez") == {str(by_trade.pk)}
    assert found(by_nif.nif[:8].lower()) == {str(by_nif.pk)}
    assert len(found("  ")) == 5


def test_nothing_found_is_an_empty_page_not_an_error(api, account):
    data = assert_success(api.get(url(account), {"search": "no existe"}))

    assert data["companies"] == []
    assert (data["pagination"]["total_items"], data["pagination"]["total_pages"]) == (0, 1)


def test_include_readiness_says_what_keeps_a_company_from_issuing(client_for):
    account = AccountFactory(fiscal_identity=False)
    key = APIKeyFactory(account=account)
    ready = CompanyFactory(account=account, legal_name="Lista SL")
    Company.objects.filter(account=account, is_primary=True).update(legal_name="Sin NIF SL")

    companies = assert_success(client_for(key).get(url(account), {"include": "readiness"}))["companies"]

    readiness = {company["id"]: company["readiness"] for company in companies}
    assert readiness[str(ready.pk)] == {"ready": True, "blockers": [], "missing_fields": []}
    primary = primary_of(account)
    assert readiness[str(primary.pk)] == {
        "ready": False,
        "blockers": ["COMPANY_HAS_NO_NIF", "PROFILE_INCOMPLETE"],
        "missing_fields": ["nif", "street", "postal_code", "city", "province"],
    }
    # Incomplete fiscal fields are absent rather than empty strings, and no address reads null.
    assert "nif" not in companies[0] and companies[0]["address"] is None


def test_readiness_is_absent_unless_asked(api, account):
    data = assert_success(api.get(url(account)))

    assert "readiness" not in data["companies"][0]


def test_another_accounts_id_is_403_account_not_accessible(api, other_account):
    assert_error(api.get(url(other_account)), 403, "ACCOUNT_NOT_ACCESSIBLE")


def test_an_account_that_does_not_exist_answers_as_another_accounts(api, account):
    assert_error(api.get(f"/api/v1/accounts/{account.pk + 1000}/companies"), 403, "ACCOUNT_NOT_ACCESSIBLE")


def test_an_id_that_is_no_account_id_is_400_naming_account_id(api):
    error = assert_error(api.get("/api/v1/accounts/not-an-id/companies"), 400, "VALIDATION_ERROR")

    assert "account_id" in error["details"]


def test_an_undeclared_query_parameter_is_400_naming_it(api, account):
    error = assert_error(api.get(url(account), {"per_page": 5}), 400, "VALIDATION_ERROR")

    assert error["details"] == {"per_page": "Unknown query parameter."}


def test_an_unknown_include_is_400_and_a_limit_out_of_range_422(api, account):
    assert "include" in assert_error(api.get(url(account), {"include": "series"}), 400, "VALIDATION_ERROR")["details"]
    assert "limit" in assert_error(api.get(url(account), {"limit": 101}), 422, "VALIDATION_ERROR")["details"]


def test_a_key_without_companies_read_is_403_insufficient_scope(client_for, account):
    key = APIKeyFactory(account=account, scopes=["customers:read"])

    error = assert_error(client_for(key).get(url(account)), 403, "INSUFFICIENT_SCOPE")

    assert error["details"]["missing_scopes"] == "companies:read"


def test_a_key_restricted_to_a_company_lists_only_that_one(client_for, account):
    second = CompanyFactory(account=account)
    CompanyFactory(account=account)
    key = APIKeyFactory(account=account, company_ids=[second.pk])

    data = assert_success(client_for(key).get(url(account)))

    assert [company["id"] for company in data["companies"]] == [str(second.pk)]
    assert data["companies"][0]["is_primary"] is False


def test_a_company_of_another_account_never_appears(api, account, other_account):
    CompanyFactory(account=other_account)

    data = assert_success(api.get(url(account)))

    assert {company["id"] for company in data["companies"]} == {str(primary_of(account).pk)}


def test_the_trailing_slash_is_accepted(api, account):
    assert len(assert_success(api.get(url(account) + "/"))["companies"]) == 1
