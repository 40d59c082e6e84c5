"""GET /api/v1/me/identity (BeeL 1.9.0 getMyIdentity): which account a key belongs to, with no scope needed."""

import pytest

from companies.models import Company
from tests.envelope import assert_error, assert_success
from tests.factories import AccountFactory, APIKeyFactory, CompanyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/identity"


def test_a_key_learns_its_account_name_and_scopes(client_for, account):
    key = APIKeyFactory(account=account, scopes=["customers:read"], mode="test")
    primary = Company.objects.get(account=account, is_primary=True)

    response = client_for(key).get(URL)

    data = assert_success(response)
    assert data == {
        "account_id": str(account.pk),
        "name": primary.legal_name,
        "email": account.email,
        "logo_url": None,
        "language": "en",
        "credential": {"type": "api_key", "environment": "test", "scopes": ["customers:read"]},
    }
    assert response["Cache-Control"] == "no-store"


def test_no_scope_is_needed(client_for, account):
    key = APIKeyFactory(account=account, scopes=["webhooks:read"])

    data = assert_success(client_for(key).get(URL))

    assert data["credential"]["scopes"] == ["webhooks:read"]


def test_without_a_key_it_is_401(anonymous_client):
    assert_error(anonymous_client.get(URL), 401)


def test_the_name_is_the_trade_name_when_there_is_one_and_null_before_any_fiscal_name(client_for):
    incomplete = AccountFactory(fiscal_identity=False)
    assert assert_success(client_for(APIKeyFactory(account=incomplete)).get(URL))["name"] is None

    Company.objects.filter(account=incomplete).update(legal_name="Ejemplo SL", trade_name="Ejemplo")
    assert assert_success(client_for(APIKeyFactory(account=incomplete)).get(URL))["name"] == "Ejemplo"


def test_the_active_company_header_does_not_change_the_account(client_for, account):
    second = CompanyFactory(account=account)
    key = APIKeyFactory(account=account)

    data = assert_success(client_for(key).get(URL, HTTP_BEEL_ACTIVE_COMPANY=str(second.pk)))

    assert data["account_id"] == str(account.pk)


def test_a_key_restricted_to_a_company_is_named_after_it(client_for, account):
    second = CompanyFactory(account=account, legal_name="Segunda SL", trade_name="")
    key = APIKeyFactory(account=account, company_ids=[second.pk])

    assert assert_success(client_for(key).get(URL))["name"] == "Segunda SL"


def test_an_account_without_email_has_none_in_its_identity(client_for):
    account = AccountFactory(email="")

    data = assert_success(client_for(APIKeyFactory(account=account)).get(URL))

    assert "email" not in data


def test_the_language_is_the_apis_whatever_accept_language_says(client_for, api_key):
    data = assert_success(client_for(api_key).get(URL, HTTP_ACCEPT_LANGUAGE="es"))

    assert data["language"] == "en"


def test_other_methods_are_405_with_allow(api):
    response = api.post(URL, {}, format="json")

    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response["Allow"]
