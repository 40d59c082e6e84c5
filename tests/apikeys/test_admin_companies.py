"""API keys restricted to some companies of their account, from the admin: the companies checked become the
key's company_ids, only the account's own companies are accepted, and the key then reaches those only."""

import re

import pytest
from django.urls import reverse

from apikeys.models import APIKey
from companies.models import primary_company_of
from tests.admin_pages import API_KEY_ADD, API_KEYS, get_changelist
from tests.clients import bearer
from tests.factories import AccountFactory, APIKeyFactory, CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

RAW_KEY = re.compile(r"beel_sk_[A-Za-z0-9_-]{32,}")


def add_key(staff, account, companies=()):
    data = {
        "account": account.pk,
        "name": "Solo la segunda",
        "scopes": ["customers:read", "companies:read"],
        "companies": [str(company.pk) for company in companies],
        "expires_at_0": "",
        "expires_at_1": "",
    }
    return staff.post(API_KEY_ADD, data, follow=True)


def test_a_key_restricted_in_the_admin_reaches_only_the_companies_checked(staff):
    account = AccountFactory()
    first, second = primary_company_of(account), CompanyFactory(account=account)
    CustomerFactory(account=account, company=second, legal_name="De la segunda SL")

    response = add_key(staff, account, [second])

    key = APIKey.objects.get()
    assert key.company_ids == [str(second.pk)]
    raw_key = RAW_KEY.search(response.content.decode()).group()
    client = bearer(raw_key)
    allowed = client.get("/api/v1/customers", HTTP_BEEL_ACTIVE_COMPANY=str(second.pk))
    refused = client.get("/api/v1/customers", HTTP_BEEL_ACTIVE_COMPANY=str(first.pk))
    assert [customer["legal_name"] for customer in allowed.json()["data"]["customers"]] == ["De la segunda SL"]
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ACTIVE_COMPANY_NOT_ACCESSIBLE"


def test_no_company_checked_is_every_company(staff):
    account = AccountFactory()

    add_key(staff, account)

    assert APIKey.objects.get().company_ids == []
    assert get_changelist(staff, API_KEYS).column("company_count") == ["all"]


def test_another_accounts_company_is_refused_and_no_key_is_made(staff):
    account, stranger = AccountFactory(), AccountFactory(username="ajena")

    response = add_key(staff, account, [primary_company_of(stranger)])

    errors = response.context["adminform"].form.errors["companies"]
    assert errors == [f"Not companies of the key's account: {primary_company_of(stranger)}"]
    assert not APIKey.objects.exists()


def test_an_existing_key_offers_its_accounts_companies_checked_as_restricted(staff):
    account = AccountFactory()
    first, second = primary_company_of(account), CompanyFactory(account=account)
    AccountFactory()  # another account's company is not offered
    key = APIKeyFactory(account=account, company_ids=[second.pk])

    form = staff.get(reverse("admin:apikeys_apikey_change", args=[key.pk])).context["adminform"].form

    assert set(form.fields["companies"].queryset) == {first, second}
    assert [str(value) for value in form["companies"].value()] == [str(second.pk)]
    assert get_changelist(staff, API_KEYS).column("company_count") == ["1 company"]


def test_widening_a_key_to_every_company_takes_effect_at_once(staff):
    account = AccountFactory()
    first, second = primary_company_of(account), CompanyFactory(account=account)
    key = APIKeyFactory(account=account, company_ids=[second.pk], scopes=["customers:read", "companies:read"])
    client = bearer(key.raw_key)
    assert client.get("/api/v1/customers", HTTP_BEEL_ACTIVE_COMPANY=str(first.pk)).status_code == 403
    url = reverse("admin:apikeys_apikey_change", args=[key.pk])

    staff.post(
        url, {"name": key.name, "scopes": ["customers:read", "companies:read"], "expires_at_0": "", "expires_at_1": ""}
    )

    key.refresh_from_db()
    assert key.company_ids == []
    assert client.get("/api/v1/customers", HTTP_BEEL_ACTIVE_COMPANY=str(first.pk)).status_code == 200
