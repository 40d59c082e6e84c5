"""BeeL 1.9.0's canonical customer routes, `/api/v1/companies/{company_id}/customers...`, and the flat routes
of an account with two companies (the `BeeL-Active-Company` header)."""

import uuid

import pytest

from companies.models import primary_company_of
from customers.models import Customer
from tests.clients import bearer
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"
ADDRESS = {
    "street": "Calle Mayor",
    "number": "15",
    "postal_code": "28013",
    "city": "Madrid",
    "province": "Madrid",
    "country_code": "ES",
}


def customers_of(company) -> str:
    return f"/api/v1/companies/{company.pk}/customers"


def new_customer(n: int = 1, **fields) -> dict:
    return {"legal_name": f"Cliente {n} SL", "nif": valid_dni(4000 + n), "address": ADDRESS, **fields}


@pytest.fixture
def primary(account):
    return primary_company_of(account)


@pytest.fixture
def second(account):
    return CompanyFactory(account=account)


# --- the company in the path ---


def test_a_company_id_that_is_not_a_uuid_is_400_naming_company_id(api):
    response = api.get("/api/v1/companies/not-a-uuid/customers")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "company_id" in response.json()["error"]["details"]


@pytest.mark.parametrize("whose", ["unknown", "other account"])
def test_a_company_the_key_cannot_reach_is_403_and_nothing_is_written(api, other_account, whose):
    company_id = uuid.uuid4() if whose == "unknown" else primary_company_of(other_account).pk
    response = api.post(f"/api/v1/companies/{company_id}/customers", new_customer(), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ACTIVE_COMPANY_NOT_ACCESSIBLE"
    assert not Customer.objects.exists()


def test_a_key_restricted_to_one_company_is_403_on_the_other(account, primary, second):
    CustomerFactory(account=account, company=second)
    key = APIKeyFactory(account=account, company_ids=[str(primary.pk)])
    response = bearer(key).get(customers_of(second))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ACTIVE_COMPANY_NOT_ACCESSIBLE"
    assert bearer(key).get(customers_of(primary)).status_code == 200


def test_the_path_is_the_only_context_a_disagreeing_header_is_ignored(api, account, primary, second):
    mine = CustomerFactory(account=account, company=second)
    response = api.get(customers_of(second), HTTP_BEEL_ACTIVE_COMPANY=str(primary.pk))
    assert [row["id"] for row in response.json()["data"]["customers"]] == [str(mine.pk)]


# --- C1 listCompanyCustomers ---


def test_the_list_holds_only_the_companys_active_customers_by_default(api, account, primary, second):
    active = CustomerFactory(account=account, company=second)
    CustomerFactory(account=account, company=second, active=False)
    CustomerFactory(account=account, company=primary)
    body = api.get(customers_of(second)).json()["data"]
    assert [row["id"] for row in body["customers"]] == [str(active.pk)]
    assert body["pagination"]["total_items"] == 1


def test_active_false_lists_the_inactive_ones(api, account, second):
    inactive = CustomerFactory(account=account, company=second, active=False)
    CustomerFactory(account=account, company=second)
    body = api.get(f"{customers_of(second)}?active=false").json()["data"]
    assert [row["id"] for row in body["customers"]] == [str(inactive.pk)]


def test_an_empty_list_has_one_page_where_the_flat_list_has_none(api, second, primary):
    canonical = api.get(customers_of(second)).json()["data"]["pagination"]
    assert (canonical["total_items"], canonical["total_pages"], canonical["has_next"]) == (0, 1, False)
    flat = api.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=str(second.pk)).json()["data"]["pagination"]
    assert flat["total_pages"] == 0


def test_an_undeclared_query_parameter_is_400_naming_it(api, second):
    response = api.get(f"{customers_of(second)}?colour=blue")
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["details"]


def test_a_cursor_walk_stays_in_the_company(api, account, primary, second):
    mine = [CustomerFactory(account=account, company=second) for _ in range(3)]
    CustomerFactory(account=account, company=primary)
    first = api.get(f"{customers_of(second)}?limit=2").json()["data"]
    cursor = first["pagination"]["next_cursor"]
    rest = api.get(f"{customers_of(second)}?limit=2&cursor={cursor}").json()["data"]
    seen = [row["id"] for row in first["customers"] + rest["customers"]]
    assert sorted(seen) == sorted(str(customer.pk) for customer in mine)


def test_canonical_routes_send_no_sunset_nor_warning(api, second):
    for response in (api.get(customers_of(second)), api.post(customers_of(second), new_customer(), format="json")):
        assert "Sunset" not in response and "BeeL-Warning" not in response


# --- C2 createCompanyCustomer ---


def test_create_is_201_with_the_canonical_location_and_the_customer_in_the_company(api, account, second):
    response = api.post(customers_of(second), new_customer(), format="json")
    assert response.status_code == 201
    created = Customer.objects.get(pk=response.json()["data"]["id"])
    assert created.company_id == second.pk and created.account_id == account.pk
    assert response["Location"] == f"{customers_of(second)}/{created.pk}"
    assert api.get(response["Location"]).json()["data"]["id"] == str(created.pk)


def test_the_same_nif_may_be_a_customer_of_each_company(api, account, primary, second):
    payload = new_customer()
    assert api.post(customers_of(primary), payload, format="json").status_code == 201
    assert api.post(customers_of(second), payload, format="json").status_code == 201
    assert api.post(customers_of(second), payload, format="json").json()["error"]["code"] == "CLIENT_DUPLICATE"
    assert Customer.objects.filter(account=account, nif=payload["nif"]).count() == 2


def test_a_retry_that_switches_route_replays_instead_of_creating_twice(api, account, primary):
    payload = new_customer()
    first = api.post(CUSTOMERS, payload, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    again = api.post(customers_of(primary), payload, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotency-Replay"] == "true"
    assert again.json()["data"] == first.json()["data"]
    assert again["Location"] == f"{customers_of(primary)}/{first.json()['data']['id']}"
    assert Customer.objects.filter(account=account).count() == 1


def test_the_same_key_for_another_company_is_not_a_replay(api, account, primary, second):
    payload = new_customer()
    api.post(customers_of(primary), payload, format="json", HTTP_IDEMPOTENCY_KEY="order-43")
    response = api.post(customers_of(second), payload, format="json", HTTP_IDEMPOTENCY_KEY="order-43")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    assert not Customer.objects.filter(company=second).exists()


# --- C3 getCompanyCustomer, C4 patchCompanyCustomer, no PUT ---


def test_get_answers_the_customer_of_the_company_and_404_for_another_companys(api, account, primary, second):
    mine = CustomerFactory(account=account, company=second)
    theirs = CustomerFactory(account=account, company=primary)
    assert api.get(f"{customers_of(second)}/{mine.pk}").json()["data"]["id"] == str(mine.pk)
    response = api.get(f"{customers_of(second)}/{theirs.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CLIENT_NOT_FOUND"


def test_patch_clears_with_null_and_keeps_what_is_not_sent(api, account, second):
    customer = CustomerFactory(account=account, company=second, notes="Paga el 5", contact_person="Ana")
    response = api.patch(f"{customers_of(second)}/{customer.pk}", {"notes": None}, format="json")
    assert response.status_code == 200
    assert response.json()["data"].get("notes") is None
    customer.refresh_from_db()
    assert (customer.notes, customer.contact_person) == ("", "Ana")


@pytest.mark.parametrize("field", ["legal_name", "address"])
def test_patch_cannot_clear_the_legal_name_or_the_address(api, account, second, field):
    customer = CustomerFactory(account=account, company=second)
    response = api.patch(f"{customers_of(second)}/{customer.pk}", {field: None}, format="json")
    assert response.status_code == 422
    refreshed = Customer.objects.get(pk=customer.pk)
    assert (refreshed.legal_name, refreshed.street) == (customer.legal_name, customer.street)


def test_patch_of_another_companys_customer_is_404_and_changes_nothing(api, account, primary, second):
    theirs = CustomerFactory(account=account, company=primary, notes="Paga el 5")
    response = api.patch(f"{customers_of(second)}/{theirs.pk}", {"notes": "otra"}, format="json")
    assert response.status_code == 404
    assert Customer.objects.get(pk=theirs.pk).notes == "Paga el 5"


def test_there_is_no_put_under_a_company(api, account, second):
    customer = CustomerFactory(account=account, company=second)
    response = api.put(f"{customers_of(second)}/{customer.pk}", new_customer(), format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert "PATCH" in response["Allow"] and "PUT" not in response["Allow"]
    assert Customer.objects.get(pk=customer.pk).legal_name == customer.legal_name


# --- C6 createCompanyCustomersBulk ---


def test_bulk_creation_is_201_and_creates_in_the_company(api, second):
    response = api.post(
        f"{customers_of(second)}/bulk", {"customers": [new_customer(1), new_customer(2)]}, format="json"
    )
    assert response.status_code == 201
    ids = {row["customer_id"] for row in response.json()["data"]["customers_validation"]}
    assert ids == {str(pk) for pk in Customer.objects.filter(company=second).values_list("pk", flat=True)}


def test_a_bulk_dry_run_is_200_and_writes_nothing(api, second):
    response = api.post(f"{customers_of(second)}/bulk?dry_run=true", {"customers": [new_customer()]}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["metadata"]["is_dry_run"] is True
    assert not Customer.objects.exists()


def test_a_bulk_duplicate_is_checked_within_the_company_only(api, account, primary, second):
    taken = CustomerFactory(account=account, company=primary)
    payload = {"customers": [new_customer(1, nif=taken.nif)]}
    assert api.post(f"{customers_of(second)}/bulk", payload, format="json").status_code == 201
    CustomerFactory(account=account, company=second, nif=valid_dni(4002))
    refused = api.post(f"{customers_of(second)}/bulk", {"customers": [new_customer(2), new_customer(3)]}, format="json")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "BULK_VALIDATION_ERROR"
    assert not Customer.objects.filter(company=second, nif=valid_dni(4003)).exists()


def test_bulk_takes_no_undeclared_query_parameter(api, second):
    response = api.post(f"{customers_of(second)}/bulk?preview=1", {"customers": [new_customer()]}, format="json")
    assert response.status_code == 400
    assert not Customer.objects.exists()


# --- beel's extensions under the canonical prefix ---


def test_reactivate_and_merge_act_within_the_paths_company(api, account, primary, second):
    inactive = CustomerFactory(account=account, company=second, active=False)
    response = api.post(f"{customers_of(second)}/{inactive.pk}/reactivate")
    assert response.status_code == 200
    assert Customer.objects.get(pk=inactive.pk).active
    duplicate = CustomerFactory(account=account, company=second)
    elsewhere = CustomerFactory(account=account, company=primary)
    response = api.post(f"{customers_of(second)}/{duplicate.pk}/merge", {"into": str(elsewhere.pk)}, format="json")
    assert response.status_code == 404
    assert Customer.objects.get(pk=duplicate.pk).active


def test_the_export_holds_only_the_companys_customers(api, account, primary, second):
    mine = CustomerFactory(account=account, company=second, legal_name="Mía SL")
    CustomerFactory(account=account, company=primary, legal_name="Ajena SL")
    response = api.get(f"{customers_of(second)}/export")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert str(mine.pk) in content and "Ajena SL" not in content


# --- C10 downloadCustomerImportTemplate ---


def test_the_import_template_is_the_flat_templates_file_kept_an_hour(api, account, second):
    response = api.get("/api/v1/templates/customer-import")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Content-Type"].startswith("text/csv")
    flat = api.post(f"{CUSTOMERS}/templates/csv", HTTP_BEEL_ACTIVE_COMPANY=str(second.pk))
    assert b"".join(response.streaming_content) == b"".join(flat.streaming_content)


def test_the_import_template_needs_the_read_scope(account):
    response = bearer(APIKeyFactory(account=account, scopes=["invoices:read"])).get("/api/v1/templates/customer-import")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


# --- the flat routes of an account with two companies ---


def test_the_flat_routes_need_the_header_when_the_account_has_two_companies(api, account, second):
    CustomerFactory(account=account, company=second)
    response = api.get(CUSTOMERS)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ACTIVE_COMPANY_REQUIRED"
    refused = api.post(CUSTOMERS, new_customer(), format="json")
    assert refused.status_code == 403
    assert not Customer.objects.filter(nif=new_customer()["nif"]).exists()


def test_the_flat_routes_act_on_the_headers_company(api, account, primary, second):
    mine = CustomerFactory(account=account, company=second)
    CustomerFactory(account=account, company=primary)
    body = api.get(CUSTOMERS, HTTP_BEEL_ACTIVE_COMPANY=str(second.pk)).json()["data"]
    assert [row["id"] for row in body["customers"]] == [str(mine.pk)]
    created = api.post(CUSTOMERS, new_customer(), format="json", HTTP_BEEL_ACTIVE_COMPANY=str(second.pk))
    assert created.status_code == 201
    assert Customer.objects.get(pk=created.json()["data"]["id"]).company_id == second.pk


def test_the_same_nif_in_both_companies_through_the_flat_routes(api, account, primary, second):
    payload = new_customer()
    for company in (primary, second):
        response = api.post(CUSTOMERS, payload, format="json", HTTP_BEEL_ACTIVE_COMPANY=str(company.pk))
        assert response.status_code == 201
    assert set(Customer.objects.filter(nif=payload["nif"]).values_list("company", flat=True)) == {primary.pk, second.pk}


def test_patch_with_a_null_nif_keeps_the_nif(api, account, second):
    customer = CustomerFactory(account=account, company=second)
    response = api.patch(f"{customers_of(second)}/{customer.pk}", {"nif": None}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["nif"] == customer.nif
    assert Customer.objects.get(pk=customer.pk).nif == customer.nif
