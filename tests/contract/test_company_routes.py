"""Every documented answer of the canonical customer operations H1 builds (C1-C4, C6, C10 of
../shared/spec/beel-customers-1.9.0.md, §6) validates against its 1.9.0 response schema, as
test_flat_routes.py does for the flat aliases."""

import uuid

import pytest

from companies.models import primary_company_of
from customers.models import Customer
from tests.clients import bearer
from tests.contract import schemas
from tests.contract.test_flat_routes import foreign_customer, full_customer, post_json, post_raw
from tests.contract.validation import assert_conforms
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

UNIFIED = schemas.success(schemas.CUSTOMER_VALIDATION_UNIFIED_RESULT)


@pytest.fixture
def company(account):
    """A second company of the account: the canonical routes must not lean on the primary one."""
    return CompanyFactory(account=account)


@pytest.fixture
def customers(company) -> str:
    return f"/api/v1/companies/{company.pk}/customers"


# --- C1 listCompanyCustomers ---


def test_the_list_conforms_with_customers_and_pagination(api, account, company, customers):
    CustomerFactory(account=account, company=company)
    post_json(api, customers, foreign_customer())
    body = assert_conforms(api.get(customers), 200, schemas.success(schemas.CUSTOMER_LIST))
    assert len(body["data"]["customers"]) == 2


def test_an_empty_list_conforms_with_one_page(api, customers):
    body = assert_conforms(api.get(customers), 200, schemas.success(schemas.CUSTOMER_LIST))
    assert body["data"]["pagination"]["total_pages"] == 1


@pytest.mark.parametrize("query", ["limit=abc", "active=perhaps", "colour=blue"])
def test_a_parameter_that_does_not_parse_or_is_not_declared_is_400(api, customers, query):
    body = assert_conforms(api.get(f"{customers}?{query}"), 400, schemas.INVALID_REQUEST_TARGET)
    assert query.split("=")[0] in str(body["error"]["details"])


def test_a_parsed_but_inadmissible_parameter_is_422(api, customers):
    assert_conforms(api.get(f"{customers}?limit=101"), 422, schemas.UNPROCESSABLE_QUERY_PARAMETER)


# --- C2 createCompanyCustomer ---


def test_create_is_201_customer_with_location(api, customers):
    response = post_json(api, customers, full_customer())
    body = assert_conforms(response, 201, schemas.success(schemas.CUSTOMER))
    assert response["Location"].endswith(f"/customers/{body['data']['id']}")


def test_create_with_a_body_that_is_not_json_is_400_invalid_json_format(api, customers, company):
    assert_conforms(post_raw(api, customers, '{"legal_name": '), 400, schemas.RESPONSE_INVALID_JSON_FORMAT)
    assert not Customer.objects.filter(company=company).exists()


def test_create_of_a_duplicate_is_409_client_duplicate(api, customers):
    post_json(api, customers, full_customer())
    assert_conforms(post_json(api, customers, full_customer()), 409, schemas.CLIENT_DUPLICATE)


def test_create_with_unacceptable_content_is_422(api, customers):
    assert_conforms(post_json(api, customers, {**full_customer(), "legal_name": ""}), 422, schemas.VALIDATION_ERROR)


# --- C3 getCompanyCustomer, C4 patchCompanyCustomer ---


def test_get_conforms_and_another_companys_customer_is_404_client_not_found(api, account, company, customers):
    mine = CustomerFactory(account=account, company=company)
    assert_conforms(api.get(f"{customers}/{mine.pk}"), 200, schemas.success(schemas.CUSTOMER))
    theirs = CustomerFactory(account=account)
    assert_conforms(api.get(f"{customers}/{theirs.pk}"), 404, schemas.CLIENT_NOT_FOUND)


def test_get_with_a_customer_id_that_is_not_a_uuid_is_400(api, customers):
    assert_conforms(api.get(f"{customers}/not-a-uuid"), 400, schemas.INVALID_REQUEST_TARGET)


def test_patch_conforms_and_clears_with_null(api, customers):
    created = post_json(api, customers, full_customer()).json()["data"]
    response = api.patch(f"{customers}/{created['id']}", {"notes": None, "website": None}, format="json")
    body = assert_conforms(response, 200, schemas.success(schemas.CUSTOMER))
    assert body["data"].get("notes") is None and body["data"].get("website") is None
    assert body["data"]["email"] == created["email"]


def test_patch_with_a_wrong_json_type_is_400_invalid_json_format(api, account, company, customers):
    customer = CustomerFactory(account=account, company=company)
    response = api.patch(f"{customers}/{customer.pk}", {"active": "yes"}, format="json")
    assert_conforms(response, 400, schemas.RESPONSE_INVALID_JSON_FORMAT)


def test_put_is_405_method_not_allowed_with_allow(api, account, company, customers):
    customer = CustomerFactory(account=account, company=company)
    response = api.put(f"{customers}/{customer.pk}", full_customer(), format="json")
    assert_conforms(response, 405, schemas.METHOD_NOT_ALLOWED)
    assert "PUT" not in response["Allow"]


# --- C6 createCompanyCustomersBulk ---


def test_bulk_creation_is_201_unified_and_a_dry_run_200(api, customers):
    assert_conforms(post_json(api, f"{customers}/bulk?dry_run=true", {"customers": [full_customer(1)]}), 200, UNIFIED)
    assert_conforms(post_json(api, f"{customers}/bulk", {"customers": [full_customer(1)]}), 201, UNIFIED)


def test_a_bulk_creation_with_an_invalid_item_is_422_bulk_validation_error(api, customers, company):
    items = [full_customer(1), {**full_customer(2), "legal_name": ""}]
    assert_conforms(post_json(api, f"{customers}/bulk", {"customers": items}), 422, schemas.BULK_VALIDATION_ERROR)
    assert not Customer.objects.filter(company=company).exists()


# --- C10 downloadCustomerImportTemplate ---


def test_the_template_is_the_csv_of_the_contract(api):
    response = api.get("/api/v1/templates/customer-import")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, max-age=3600"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    assert content[3:].decode("utf-8").splitlines()[0] == schemas.TEMPLATE_CSV_HEADER


# --- 401, 403 on every operation ---

OPERATIONS = [
    ("get", "{customers}"),
    ("post", "{customers}"),
    ("get", "{customers}/{id}"),
    ("patch", "{customers}/{id}"),
    ("post", "{customers}/bulk"),
    ("get", "/api/v1/templates/customer-import"),
]


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_without_a_key_every_operation_is_401(anonymous_client, customer, customers, method, path):
    response = getattr(anonymous_client, method)(path.format(customers=customers, id=customer.id), {}, format="json")
    assert_conforms(response, 401, schemas.UNAUTHORIZED)


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_a_key_without_the_scope_is_403_insufficient_scope(account, customer, customers, method, path):
    client = bearer(APIKeyFactory(account=account, scopes=["invoices:read"]))
    response = getattr(client, method)(path.format(customers=customers, id=customer.id), {}, format="json")
    assert_conforms(response, 403, schemas.INSUFFICIENT_SCOPE)


@pytest.mark.parametrize("method, path", OPERATIONS[:5])
def test_a_company_the_key_cannot_reach_is_403_active_company_not_accessible(api, other_account, method, path):
    for company_id in (uuid.uuid4(), primary_company_of(other_account).pk):
        customers = f"/api/v1/companies/{company_id}/customers"
        response = getattr(api, method)(path.format(customers=customers, id=uuid.uuid4()), {}, format="json")
        assert_conforms(response, 403, schemas.ACTIVE_COMPANY_NOT_ACCESSIBLE)
