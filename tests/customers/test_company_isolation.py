"""beel's own customer operations follow the company on the flat routes: with two companies in one account,
each holding a customer with the same NIF, the `BeeL-Active-Company` header confines merge, anonymize,
reactivate, deactivate (and its audit trail), metadata, the CSV export and cursor walks to that company; the
other company's customers are not found (404), and nothing of theirs changes."""

import csv
import io

import pytest

from companies.models import primary_company_of
from customers.models import AuditEntry, Customer
from tests.envelope import assert_error, assert_success
from tests.factories import CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"
HEADER = "BeeL-Active-Company"


def on(company) -> dict:
    return {HEADER: str(company.pk)}


@pytest.fixture
def primary(account):
    return primary_company_of(account)


@pytest.fixture
def second(account):
    return CompanyFactory(account=account)


@pytest.fixture
def ours(account, primary):
    return CustomerFactory(account=account, company=primary, nif="12345678Z", metadata={"erp": "A-1"})


@pytest.fixture
def theirs(account, second):
    """The same NIF as `ours`, in the other company: allowed, each company has its own customers."""
    return CustomerFactory(account=account, company=second, nif="12345678Z", metadata={"erp": "A-1"})


def unchanged(customer) -> bool:
    stored = Customer.objects.get(pk=customer.pk)
    return (stored.active, stored.merged_into_id, stored.anonymized_at, stored.legal_name, stored.metadata) == (
        customer.active,
        customer.merged_into_id,
        customer.anonymized_at,
        customer.legal_name,
        customer.metadata,
    )


def test_merge_stays_within_the_company(api, primary, second, ours, theirs):
    into_theirs = api.post(f"{CUSTOMERS}/{ours.pk}/merge", {"into": str(theirs.pk)}, format="json", headers=on(primary))
    assert assert_error(into_theirs, 404, "CLIENT_NOT_FOUND")["details"] == {"into": "Not found."}
    from_theirs = api.post(f"{CUSTOMERS}/{theirs.pk}/merge", {"into": str(ours.pk)}, format="json", headers=on(primary))
    assert_error(from_theirs, 404, "CLIENT_NOT_FOUND")
    assert unchanged(ours) and unchanged(theirs)
    assert not AuditEntry.objects.exists()
    # Within one company the merge works.
    duplicate = CustomerFactory(account=primary.account, company=second)
    merged = api.post(f"{CUSTOMERS}/{duplicate.pk}/merge", {"into": str(theirs.pk)}, format="json", headers=on(second))
    assert assert_success(merged)["merged_into"] == str(theirs.pk)
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == theirs.pk


def test_anonymize_reactivate_and_deactivate_reach_only_the_header_company(api, primary, second, ours, theirs):
    assert_error(api.post(f"{CUSTOMERS}/{theirs.pk}/anonymize", headers=on(primary)), 404, "CLIENT_NOT_FOUND")
    Customer.objects.filter(pk=theirs.pk).update(active=False)
    theirs.refresh_from_db()
    assert_error(api.post(f"{CUSTOMERS}/{theirs.pk}/reactivate", headers=on(primary)), 404, "CLIENT_NOT_FOUND")
    assert api.delete(f"{CUSTOMERS}/{ours.pk}", headers=on(second)).status_code == 404
    assert unchanged(ours) and unchanged(theirs)
    assert not AuditEntry.objects.exists()

    assert_success(api.post(f"{CUSTOMERS}/{theirs.pk}/reactivate", headers=on(second)))
    assert Customer.objects.get(pk=theirs.pk).active is True
    assert [entry.customer_id for entry in AuditEntry.objects.all()] == [theirs.pk]


def test_bulk_deactivation_reports_the_other_companys_customers_as_not_found(api, primary, ours, theirs):
    response = api.delete(f"{CUSTOMERS}/bulk?ids={ours.pk},{theirs.pk}", headers=on(primary))
    assert response.status_code == 200, response.content
    assert Customer.objects.get(pk=ours.pk).active is False
    assert unchanged(theirs)
    assert [entry.customer_id for entry in AuditEntry.objects.all()] == [ours.pk]


def test_metadata_filters_and_edits_stay_within_the_company(api, primary, second, ours, theirs):
    listed = assert_success(api.get(CUSTOMERS, {"metadata[erp]": "A-1"}, headers=on(primary)))["customers"]
    assert [customer["id"] for customer in listed] == [str(ours.pk)]
    listed = assert_success(api.get(CUSTOMERS, {"metadata[erp]": "A-1"}, headers=on(second)))["customers"]
    assert [customer["id"] for customer in listed] == [str(theirs.pk)]
    patched = api.patch(f"{CUSTOMERS}/{theirs.pk}", {"metadata": {"erp": "B"}}, format="json", headers=on(primary))
    assert_error(patched, 404, "CLIENT_NOT_FOUND")
    assert unchanged(theirs)


def test_the_export_holds_only_the_header_companys_customers(api, primary, second, ours, theirs):
    CustomerFactory.create_batch(2, account=primary.account, company=second)
    response = api.get(f"{CUSTOMERS}/export", headers=on(primary))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [ours.legal_name]
    assert_error(api.get(f"{CUSTOMERS}/export"), 403, "ACTIVE_COMPANY_REQUIRED")


def test_a_cursor_walk_stays_within_the_company_and_its_cursor_is_not_valid_for_another(api, account, primary, second):
    mine = {str(c.pk) for c in CustomerFactory.create_batch(5, account=account, company=primary)}
    others = {str(c.pk) for c in CustomerFactory.create_batch(5, account=account, company=second)}
    data = assert_success(api.get(CUSTOMERS, {"limit": 2}, headers=on(primary)))
    seen = [customer["id"] for customer in data["customers"]]
    assert data["pagination"]["total_items"] == 5
    cursor = data["pagination"]["next_cursor"]
    elsewhere = api.get(CUSTOMERS, {"limit": 2, "cursor": cursor}, headers=on(second))
    assert "cursor" in assert_error(elsewhere, 422, "VALIDATION_ERROR")["details"]
    while cursor is not None:
        data = assert_success(api.get(CUSTOMERS, {"limit": 2, "cursor": cursor}, headers=on(primary)))
        seen += [customer["id"] for customer in data["customers"]]
        cursor = data["pagination"]["next_cursor"]
    assert set(seen) == mine and len(seen) == 5 and not set(seen) & others
