"""The flat routes act on the active company (BeeL 1.9.0, "Addressing the company"): the only company when the
BeeL-Active-Company header is omitted, 403 ACTIVE_COMPANY_REQUIRED on an account with several, 400
ACTIVE_COMPANY_HEADER_INVALID for a value that is no id, 403 ACTIVE_COMPANY_NOT_ACCESSIBLE for a company the
key cannot reach; sending the header needs `companies:read`."""

import uuid

import pytest

from companies.models import Company
from customers.models import Customer
from invoices.models import Invoice
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory, InvoiceFactory, valid_dni

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"
INVOICES = "/api/v1/invoices"
SHARED_NIF = valid_dni(4242)


def header(company) -> dict:
    return {"HTTP_BEEL_ACTIVE_COMPANY": str(company.pk)}


def new_customer(nif: str = SHARED_NIF) -> dict:
    return {"legal_name": "Cliente Compartido SL", "nif": nif, "address": {"city": "Sevilla", "province": "Sevilla"}}


@pytest.fixture
def primary(account) -> Company:
    return Company.objects.get(account=account, is_primary=True)


@pytest.fixture
def second(account) -> Company:
    return CompanyFactory(account=account)


def listed_ids(response) -> set[str]:
    return {customer["id"] for customer in assert_success(response)["customers"]}


def test_one_company_the_header_may_be_omitted_or_name_it(api, customer, primary):
    assert listed_ids(api.get(CUSTOMERS)) == {str(customer.pk)}
    assert listed_ids(api.get(CUSTOMERS, **header(primary))) == {str(customer.pk)}


def test_several_companies_without_the_header_is_403_active_company_required(api, account, second):
    CustomerFactory(account=account)

    assert_error(api.get(CUSTOMERS), 403, "ACTIVE_COMPANY_REQUIRED")
    assert_error(api.get(INVOICES), 403, "ACTIVE_COMPANY_REQUIRED")
    assert_error(api.post(CUSTOMERS, new_customer(), format="json"), 403, "ACTIVE_COMPANY_REQUIRED")
    assert not Customer.objects.filter(nif=SHARED_NIF).exists()


def test_the_header_picks_the_companys_customers_and_invoices(api, account, primary, second):
    mine = CustomerFactory(account=account, company=primary)
    theirs = CustomerFactory(account=account, company=second)
    invoice = InvoiceFactory(customer=theirs)

    assert listed_ids(api.get(CUSTOMERS, **header(primary))) == {str(mine.pk)}
    assert listed_ids(api.get(CUSTOMERS, **header(second))) == {str(theirs.pk)}
    assert_error(api.get(f"{CUSTOMERS}/{theirs.pk}", **header(primary)), 404, "CLIENT_NOT_FOUND")
    invoices = assert_success(api.get(INVOICES, **header(second)))["invoices"]
    assert [row["id"] for row in invoices] == [str(invoice.pk)]
    assert assert_success(api.get(INVOICES, **header(primary)))["invoices"] == []


def test_the_same_nif_may_be_a_customer_of_each_company(api, primary, second):
    first = assert_success(api.post(CUSTOMERS, new_customer(), format="json", **header(primary)), 201)
    other = assert_success(api.post(CUSTOMERS, new_customer(), format="json", **header(second)), 201)

    assert first["id"] != other["id"]
    assert Customer.objects.get(pk=first["id"]).company == primary
    assert Customer.objects.get(pk=other["id"]).company == second
    duplicate = api.post(CUSTOMERS, new_customer(), format="json", **header(second))
    assert_error(duplicate, 409, "CLIENT_DUPLICATE")
    assert Customer.objects.filter(nif=SHARED_NIF).count() == 2


@pytest.mark.parametrize("value", ["not-a-uuid", "12345", "{" + "0" * 36 + "}x"])
def test_a_header_that_is_no_company_id_is_400_active_company_header_invalid(api, second, value):
    error = assert_error(api.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=value), 400, "ACTIVE_COMPANY_HEADER_INVALID")

    assert "BeeL-Active-Company" in error["details"]


def test_a_malformed_header_is_refused_even_on_a_one_company_account(api, customer):
    assert_error(api.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY="acme"), 400, "ACTIVE_COMPANY_HEADER_INVALID")


def test_another_accounts_company_and_an_unknown_one_are_the_same_403(api, other_account, second):
    foreign = Company.objects.get(account=other_account, is_primary=True)
    CustomerFactory(account=other_account)

    for company_id in (foreign.pk, uuid.uuid4()):
        response = api.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=str(company_id))
        assert_error(response, 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    response = api.post(CUSTOMERS, new_customer(), format="json", HTTP_BEEL_ACTIVE_COMPANY=str(foreign.pk))
    assert_error(response, 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert not Customer.objects.filter(nif=SHARED_NIF).exists()


def test_sending_the_header_needs_companies_read(client_for, account, primary):
    key = APIKeyFactory(account=account, scopes=["customers:read"])

    error = assert_error(client_for(key).get(CUSTOMERS, **header(primary)), 403, "INSUFFICIENT_SCOPE")

    assert error["details"] == {"missing_scopes": "companies:read", "required_scopes": "companies:read"}
    # Without the header the same key reads its only company's customers.
    assert_success(client_for(key).get(CUSTOMERS))


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_header_is_no_company_id_either(api, customer, value):
    assert_error(api.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=value), 400, "ACTIVE_COMPANY_HEADER_INVALID")


def test_webhook_endpoints_act_on_the_account_and_ignore_the_header(api, second):
    assert_success(api.get("/api/v1/webhook-endpoints"))
    assert_success(api.get("/api/v1/webhook-endpoints", HTTP_BEEL_ACTIVE_COMPANY="not-a-uuid"))


def test_invoices_created_under_the_header_belong_to_that_company(api, account, second):
    customer = CustomerFactory(account=account, company=second)

    response = api.post(
        INVOICES, {"customer_id": str(customer.pk), "subtotal": "100.00"}, format="json", **header(second)
    )

    data = assert_success(response, 201)
    assert Invoice.objects.get(pk=data["id"]).company == second


def test_a_customer_of_another_company_cannot_be_invoiced_under_this_one(api, account, primary, second):
    customer = CustomerFactory(account=account, company=second)

    response = api.post(
        INVOICES, {"customer_id": str(customer.pk), "subtotal": "100.00"}, format="json", **header(primary)
    )

    assert_error(response, 404)  # as a customer of another account: not in this scope (its code is invoices')
    assert not Invoice.objects.filter(customer=customer).exists()
