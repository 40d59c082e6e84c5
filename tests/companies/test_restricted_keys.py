"""API keys restricted to some companies of their account (APIKey.company_ids), made with `createapikey
--company`: the other companies are 403 ACTIVE_COMPANY_NOT_ACCESSIBLE through the header and the canonical
path alike, and the key's only reachable company is its active one without the header."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apikeys.models import APIKey
from companies.models import Company
from customers.models import Customer
from tests.clients import bearer
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"


@pytest.fixture
def primary(account) -> Company:
    return Company.objects.get(account=account, is_primary=True)


@pytest.fixture
def second(account) -> Company:
    return CompanyFactory(account=account)


@pytest.fixture
def restricted(account, second):
    """A key of the account allowed only its second company."""
    return bearer(APIKeyFactory(account=account, company_ids=[second.pk]))


def create_key(*arguments: str) -> str:
    out = StringIO()
    call_command("createapikey", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()[-1]


def test_the_other_company_is_403_through_the_header(restricted, account, primary):
    CustomerFactory(account=account, company=primary)

    response = restricted.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=str(primary.pk))

    assert_error(response, 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")


def test_writes_to_the_other_company_are_refused_and_write_nothing(restricted, primary):
    body = {"legal_name": "Nadie SL", "nif": "12345678Z", "address": {"city": "Sevilla", "province": "Sevilla"}}

    response = restricted.post(CUSTOMERS, body, format="json", HTTP_BEEL_ACTIVE_COMPANY=str(primary.pk))

    assert_error(response, 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert not Customer.objects.filter(nif="12345678Z").exists()


def test_the_allowed_company_is_reachable_with_and_without_the_header(restricted, account, primary, second):
    CustomerFactory(account=account, company=primary)
    allowed = CustomerFactory(account=account, company=second)

    with_header = assert_success(restricted.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=str(second.pk)))
    # Of two companies the key reaches one: that one is its active company without the header.
    without = assert_success(restricted.get(CUSTOMERS))

    assert [row["id"] for row in with_header["customers"]] == [str(allowed.pk)]
    assert [row["id"] for row in without["customers"]] == [str(allowed.pk)]


def test_a_key_restricted_to_two_of_three_companies_must_name_one(account, primary, second):
    CompanyFactory(account=account)
    key = bearer(APIKeyFactory(account=account, company_ids=[primary.pk, second.pk]))

    assert_error(key.get(CUSTOMERS), 403, "ACTIVE_COMPANY_REQUIRED")
    assert_success(key.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=str(primary.pk)))


def test_the_other_company_is_403_on_its_canonical_path(restricted, primary, second):
    path = f"/api/v1/companies/{primary.pk}/customers"
    assert_error(restricted.get(path), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert_success(restricted.get(f"/api/v1/companies/{second.pk}/customers"))


def test_createapikey_company_restricts_the_key(account, primary, second):
    raw_key = create_key("--user", account.username, "--company", str(second.pk))

    key = APIKey.objects.get(account=account)
    assert key.company_ids == [str(second.pk)]
    client = bearer(raw_key)
    assert_error(client.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=str(primary.pk)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    companies = assert_success(client.get(f"/api/v1/accounts/{account.pk}/companies"))["companies"]
    assert [company["id"] for company in companies] == [str(second.pk)]


def test_createapikey_company_is_repeatable_and_takes_ids_in_any_case(account, primary, second):
    create_key("--user", account.username, "--company", str(primary.pk).upper(), "--company", str(second.pk))

    assert APIKey.objects.get(account=account).company_ids == [str(primary.pk), str(second.pk)]


def test_createapikey_without_company_reaches_every_company(account, second):
    create_key("--user", account.username)

    assert APIKey.objects.get(account=account).company_ids == []


@pytest.mark.parametrize("company_id", ["not-a-uuid", "6f1c2e4a-0000-4000-8000-000000000001"])
def test_createapikey_refuses_a_company_that_is_not_the_accounts_and_writes_nothing(company_id):
    with pytest.raises(CommandError, match="Not companies of this account"):
        create_key("--user", "nueva", "--company", company_id)

    assert not APIKey.objects.exists()
    assert not get_user_model().objects.filter(username="nueva").exists()


def test_createapikey_refuses_another_accounts_company(account, other_account):
    foreign = Company.objects.get(account=other_account, is_primary=True)

    with pytest.raises(CommandError, match=str(foreign.pk)):
        create_key("--user", account.username, "--company", str(foreign.pk))

    assert not APIKey.objects.filter(account=account).exists()
