"""`DELETE /api/v1/companies/{company_id}/customers/bulk?ids=a,b`: BeeL 1.9.0's deleteCompanyCustomersBulk. 200 with
a CustomerBulkDeleteResult: one row per submitted id in request order (DELETED, NOT_FOUND, HAS_INVOICES), the
statistics counted from the rows, `deleted_ids` and BeeL's deprecated aliases; what can be deleted is, the
rest untouched."""

import uuid

import pytest

from beel.events.models import Event
from customers.models import AuditEntry, Customer
from tests.customers.company_routes import bulk_delete_url, customers_url, primary
from tests.envelope import assert_error, assert_success, assert_validation_error
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

RESULT_KEYS = {
    "metadata",
    "customers_deletion",
    "statistics",
    "deleted_ids",
    "deactivated_ids",
    "total",
    "successful",
    "failed",
    "errors",
}
HAS_INVOICES = "Cannot delete customer because it has associated invoices; deactivate it instead"


def assert_result_shape(data: dict) -> None:
    """BeeL's CustomerBulkDeleteResult, key by key, and the counts that must agree with the rows."""
    assert set(data) == RESULT_KEYS
    assert set(data["metadata"]) == {"total_customers", "operation", "is_dry_run"}
    assert data["metadata"]["is_dry_run"] is False
    rows = data["customers_deletion"]
    assert [row["index"] for row in rows] == list(range(len(rows)))
    for row in rows:
        assert set(row) == ({"index", "customer_id", "status"} | ({"error"} if row["status"] != "DELETED" else set()))
    statistics = data["statistics"]
    assert set(statistics) == {"total_processed", "deleted", "not_found", "has_invoices", "errors"}
    assert statistics["total_processed"] == len(rows) == data["metadata"]["total_customers"] == data["total"]
    for key, status in (("deleted", "DELETED"), ("not_found", "NOT_FOUND"), ("has_invoices", "HAS_INVOICES")):
        assert statistics[key] == sum(1 for row in rows if row["status"] == status)
    assert (
        statistics["deleted"] + statistics["not_found"] + statistics["has_invoices"] + statistics["errors"]
        == (statistics["total_processed"])
    )
    assert data["deactivated_ids"] == data["deleted_ids"]
    assert data["successful"] == statistics["deleted"] == len(data["deleted_ids"])
    assert data["failed"] == data["total"] - data["successful"] == len(data["errors"])
    assert data["errors"] == [
        {"customer_id": row["customer_id"], "error": row["error"]} for row in rows if row["status"] != "DELETED"
    ]


def test_every_submitted_id_keeps_its_place_with_the_status_that_explains_it(api, account):
    first = CustomerFactory(account=account)
    invoiced = CustomerFactory(account=account)
    InvoiceFactory(customer=invoiced, status="paid")
    other_company = CustomerFactory(account=account, company=CompanyFactory(account=account))
    foreign = CustomerFactory()  # another account's
    last = CustomerFactory(account=account, active=False)
    bystander = CustomerFactory(account=account)
    unknown = uuid.uuid4()
    ids = [invoiced.pk, first.pk, unknown, "not-a-uuid", other_company.pk, foreign.pk, str(first.pk).upper(), last.pk]

    data = assert_success(api.delete(bulk_delete_url(primary(account), *ids)))

    assert_result_shape(data)
    assert [(row["customer_id"], row["status"]) for row in data["customers_deletion"]] == [
        (str(invoiced.pk), "HAS_INVOICES"),
        (str(first.pk), "DELETED"),
        (str(unknown), "NOT_FOUND"),
        ("not-a-uuid", "NOT_FOUND"),
        (str(other_company.pk), "NOT_FOUND"),
        (str(foreign.pk), "NOT_FOUND"),
        (str(first.pk).upper(), "NOT_FOUND"),  # the same customer again: already deleted by then
        (str(last.pk), "DELETED"),
    ]
    assert data["customers_deletion"][0]["error"] == {"code": "CLIENT_HAS_INVOICES", "message": HAS_INVOICES}
    assert data["customers_deletion"][2]["error"]["code"] == "CLIENT_NOT_FOUND"
    assert data["statistics"] == {"total_processed": 8, "deleted": 2, "not_found": 5, "has_invoices": 1, "errors": 0}
    assert data["deleted_ids"] == [str(first.pk), str(last.pk)]
    assert data["metadata"]["operation"] == "BULK_DELETE"
    assert set(Customer.objects.filter(deleted_at__isnull=False).values_list("pk", flat=True)) == {first.pk, last.pk}
    for untouched in (invoiced, other_company, foreign, bystander):
        untouched_now = Customer.objects.get(pk=untouched.pk)
        assert (untouched_now.active, untouched_now.deleted_at) == (True, None)


def test_the_answer_is_200_even_when_nothing_could_be_deleted(api, account):
    invoiced = CustomerFactory(account=account)
    InvoiceFactory(customer=invoiced)

    data = assert_success(api.delete(bulk_delete_url(primary(account), invoiced, uuid.uuid4())))

    assert_result_shape(data)
    assert data["statistics"]["deleted"] == 0
    assert data["deleted_ids"] == []
    assert not Customer.objects.filter(deleted_at__isnull=False).exists()


def test_the_deleted_customers_share_one_audit_batch_and_each_sends_customer_deleted(api, account):
    customers = CustomerFactory.create_batch(3, account=account)

    data = assert_success(api.delete(bulk_delete_url(primary(account), *customers)))

    assert len(data["deleted_ids"]) == 3
    entries = AuditEntry.objects.filter(action="deleted")
    assert {entry.customer_id for entry in entries} == {customer.pk for customer in customers}
    assert len({entry.batch for entry in entries}) == 1 and entries[0].batch is not None
    events = Event.objects.filter(type="customer.deleted")
    assert sorted(event.data["id"] for event in events) == sorted(data["deleted_ids"])


def test_their_nifs_are_free_again(api, account):
    deleted = CustomerFactory(account=account, nif="12345678Z")
    assert_success(api.delete(bulk_delete_url(primary(account), deleted)))

    CustomerFactory(account=account, nif="12345678Z")  # the unique index of active NIFs lets it in

    assert Customer.objects.filter(nif="12345678Z", deleted_at__isnull=True).count() == 1


@pytest.mark.parametrize("query", ["", "?ids=", "?ids=,%20,"])
def test_no_ids_is_400_missing_parameter_and_nothing_is_deleted(api, account, query):
    CustomerFactory(account=account)

    error = assert_error(api.delete(f"{customers_url(primary(account))}/bulk{query}"), 400, "MISSING_PARAMETER")

    assert set(error["details"]) == {"ids"}
    assert not Customer.objects.filter(deleted_at__isnull=False).exists()


def test_more_than_100_distinct_ids_is_400_and_nothing_is_deleted(api, account):
    customer = CustomerFactory(account=account)
    ids = [customer.pk, *(uuid.uuid4() for _ in range(100))]

    assert_error(api.delete(bulk_delete_url(primary(account), *ids)), 400, "BAD_REQUEST")
    assert Customer.objects.get(pk=customer.pk).deleted_at is None


def test_an_undeclared_query_parameter_is_400_naming_it(api, account):
    customer = CustomerFactory(account=account)

    assert_validation_error(api.delete(f"{bulk_delete_url(primary(account), customer)}&dry_run=true"), {"dry_run"})
    assert Customer.objects.get(pk=customer.pk).deleted_at is None


def test_a_company_the_key_cannot_reach_is_403(client_for, account):
    customer = CustomerFactory(account=account)
    restricted = client_for(APIKeyFactory(account=account, company_ids=[CompanyFactory(account=account).pk]))

    assert_error(restricted.delete(bulk_delete_url(primary(account), customer)), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert Customer.objects.get(pk=customer.pk).deleted_at is None


def test_a_read_only_key_is_403_insufficient_scope(client_for, account):
    customer = CustomerFactory(account=account)
    reader = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))

    assert_error(reader.delete(bulk_delete_url(primary(account), customer)), 403, "INSUFFICIENT_SCOPE")
    assert Customer.objects.get(pk=customer.pk).deleted_at is None
