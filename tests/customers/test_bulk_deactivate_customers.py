"""Soft-deleting customers in bulk over HTTP: `DELETE /api/v1/customers/bulk?ids=a,b,...`
(spec: beel-delete-customers-bulk).

Every test checks the response and what the database holds afterwards."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.models import APIKey
from customers.models import Customer
from invoices.models import InvoiceStatus
from tests.customers.helpers import HAS_INVOICES_MESSAGE, all_rows, bulk_url, row
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory, InvoiceFactory
from tests.spec import SPEC_ID_0, SPEC_ID_1

REPORT_KEYS = {"total", "successful", "failed", "deactivated_ids", "errors"}


def assert_report_shape(data: dict) -> None:
    """The documented example, field by field: exactly these keys and these types."""
    assert set(data) == REPORT_KEYS
    for name in ("total", "successful", "failed"):
        assert type(data[name]) is int, (name, data[name])
    assert isinstance(data["deactivated_ids"], list)
    assert all(isinstance(customer_id, str) for customer_id in data["deactivated_ids"])
    assert isinstance(data["errors"], list)
    for entry in data["errors"]:
        assert set(entry) == {"customer_id", "error"}, entry
        assert isinstance(entry["customer_id"], str)
        assert set(entry["error"]) == {"code", "message"}, entry
        assert isinstance(entry["error"]["code"], str) and entry["error"]["code"]
        assert isinstance(entry["error"]["message"], str) and entry["error"]["message"]
    assert data["successful"] == len(data["deactivated_ids"])
    assert data["failed"] == len(data["errors"])
    assert data["total"] == data["successful"] + data["failed"]


def error_codes(data: dict) -> list[tuple[str, str]]:
    return [(entry["customer_id"], entry["error"]["code"]) for entry in data["errors"]]


pytestmark = pytest.mark.django_db


def test_bulk_deactivation_reports_partial_success_per_id_in_request_order(api, account):
    first = CustomerFactory(account=account)
    invoiced = CustomerFactory(account=account)
    InvoiceFactory(customer=invoiced, status=InvoiceStatus.PAID)
    unknown = uuid.uuid4()
    foreign = CustomerFactory()  # another account's customer
    long_ago = timezone.now() - timedelta(days=3)
    already_inactive = CustomerFactory(account=account, active=False, deactivated_at=long_ago)
    last = CustomerFactory(account=account)
    bystander = CustomerFactory(account=account)
    before = all_rows()
    ids = [invoiced.pk, first.pk, unknown, "not-a-uuid", already_inactive.pk, foreign.pk, last.pk]

    started = timezone.now()
    data = assert_success(api.delete(bulk_url(*ids)))
    finished = timezone.now()

    assert_report_shape(data)
    assert data["total"] == 7
    assert data["successful"] == 3
    assert data["failed"] == 4
    assert data["deactivated_ids"] == [str(first.pk), str(already_inactive.pk), str(last.pk)]
    assert error_codes(data) == [
        (str(invoiced.pk), "CLIENT_HAS_INVOICES"),
        (str(unknown), "NOT_FOUND"),
        ("not-a-uuid", "VALIDATION_ERROR"),
        (str(foreign.pk), "NOT_FOUND"),
    ]
    assert data["errors"][0]["error"]["message"] == HAS_INVOICES_MESSAGE

    after = all_rows()
    assert set(after) == set(before)
    for customer in (first, last):
        assert after[customer.pk]["active"] is False
        assert started <= after[customer.pk]["deactivated_at"] <= finished
    assert after[already_inactive.pk]["active"] is False
    assert after[already_inactive.pk]["deactivated_at"] == long_ago
    for customer in (invoiced, foreign, bystander):
        assert after[customer.pk] == before[customer.pk]


def test_bulk_deactivation_answers_200_when_every_id_fails(api, account):
    invoiced = CustomerFactory(account=account)
    InvoiceFactory(customer=invoiced)
    foreign = CustomerFactory()
    unknown = uuid.uuid4()
    before = all_rows()

    data = assert_success(api.delete(bulk_url(invoiced.pk, foreign.pk, unknown, "xyz")))

    assert_report_shape(data)
    assert (data["total"], data["successful"], data["failed"]) == (4, 0, 4)
    assert data["deactivated_ids"] == []
    assert error_codes(data) == [
        (str(invoiced.pk), "CLIENT_HAS_INVOICES"),
        (str(foreign.pk), "NOT_FOUND"),
        (str(unknown), "NOT_FOUND"),
        ("xyz", "VALIDATION_ERROR"),
    ]
    assert all_rows() == before


def test_bulk_deactivation_counts_a_repeated_id_once(api, account):
    a = CustomerFactory(account=account)
    b = CustomerFactory(account=account)
    unknown = uuid.uuid4()

    data = assert_success(api.delete(bulk_url(a.pk, b.pk, a.pk, unknown, a.pk, unknown, b.pk)))

    assert_report_shape(data)
    assert (data["total"], data["successful"], data["failed"]) == (3, 2, 1)
    assert data["deactivated_ids"] == [str(a.pk), str(b.pk)]
    assert error_codes(data) == [(str(unknown), "NOT_FOUND")]
    assert row(a)["active"] is False
    assert row(b)["active"] is False


def test_bulk_deactivation_counts_the_same_id_in_upper_and_lower_case_once(api, account):
    customer = CustomerFactory(account=account)

    data = assert_success(api.delete(bulk_url(str(customer.pk), str(customer.pk).upper())))

    assert_report_shape(data)
    assert (data["total"], data["successful"], data["failed"]) == (1, 1, 0)
    assert data["deactivated_ids"] == [str(customer.pk)]
    assert row(customer)["active"] is False


@pytest.mark.parametrize(
    "query",
    ["", "?ids=", "?ids=,,,"],
    ids=["no-ids-parameter", "empty-ids", "only-commas"],
)
def test_bulk_deactivation_without_any_id_is_a_bad_request_saying_ids_is_required(api, account, query):
    CustomerFactory(account=account)
    before = all_rows()

    error = assert_error(api.delete("/api/v1/customers/bulk" + query), 400, "BAD_REQUEST")

    assert "ids" in error["message"]
    assert "required" in error["message"].lower()
    assert all_rows() == before


def test_bulk_deactivation_with_an_undeclared_parameter_is_a_bad_request_naming_it(api, account):
    # BeeL 1.9.0: the flat aliases refuse an undeclared query parameter since 2026-09-03, as the canonical
    # routes always did (a generated client's misspelt `?id=` must not look like "no ids").
    customer = CustomerFactory(account=account)
    before = all_rows()

    error = assert_error(api.delete(f"/api/v1/customers/bulk?ids={customer.pk}&other=1"), 400, "VALIDATION_ERROR")

    assert error["details"] == {"other": "Unknown query parameter."}
    assert all_rows() == before


def test_bulk_deactivation_of_more_than_100_distinct_ids_is_a_bad_request_and_changes_nothing(api, account):
    customers = CustomerFactory.create_batch(101, account=account)
    before = all_rows()

    error = assert_error(api.delete(bulk_url(*(c.pk for c in customers))), 400, "BAD_REQUEST")

    assert "at most 100" in error["message"].lower()
    assert all_rows() == before


def test_bulk_deactivation_of_exactly_100_ids_is_accepted(api, account):
    customers = CustomerFactory.create_batch(100, account=account)

    data = assert_success(api.delete(bulk_url(*(c.pk for c in customers))))

    assert_report_shape(data)
    assert (data["total"], data["successful"], data["failed"]) == (100, 100, 0)
    assert data["deactivated_ids"] == [str(c.pk) for c in customers]
    assert not Customer.objects.filter(pk__in=[c.pk for c in customers], active=True).exists()
    assert not Customer.objects.filter(pk__in=[c.pk for c in customers], deactivated_at__isnull=True).exists()


def test_bulk_deactivation_limit_counts_distinct_ids_not_repetitions(api, account):
    customers = CustomerFactory.create_batch(100, account=account)
    ids = [c.pk for c in customers] + [c.pk for c in customers[:30]]  # 130 entries, 100 distinct

    data = assert_success(api.delete(bulk_url(*ids)))

    assert (data["total"], data["successful"], data["failed"]) == (100, 100, 0)
    assert Customer.objects.filter(account=account, active=True).count() == 0


def test_bulk_deactivation_accepts_url_encoded_commas_as_in_the_spec_curl(api, account):
    first = CustomerFactory(account=account, id=uuid.UUID(SPEC_ID_0))
    second = CustomerFactory(account=account, id=uuid.UUID(SPEC_ID_1))
    bystander = CustomerFactory(account=account)
    before = all_rows()

    data = assert_success(api.delete(f"/api/v1/customers/bulk?ids={SPEC_ID_0}%2C{SPEC_ID_1}"))

    assert_report_shape(data)
    assert (data["total"], data["successful"], data["failed"]) == (2, 2, 0)
    assert data["deactivated_ids"] == [SPEC_ID_0, SPEC_ID_1]
    assert row(first)["active"] is False
    assert row(second)["active"] is False
    assert all_rows()[bystander.pk] == before[bystander.pk]


def test_bulk_deactivation_runs_as_many_queries_for_100_ids_as_for_1(api, api_key, account, django_assert_num_queries):
    # Authentication records a key's use at most once a minute; record it now so that neither measured
    # request pays for that write.
    APIKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    single = CustomerFactory(account=account)
    with CaptureQueriesContext(connection) as one_id:
        data = assert_success(api.delete(bulk_url(single.pk)))
    assert (data["total"], data["successful"]) == (1, 1)
    assert row(single)["active"] is False

    deactivatable = CustomerFactory.create_batch(90, account=account)
    invoiced = CustomerFactory.create_batch(3, account=account)
    for customer in invoiced:
        InvoiceFactory.create_batch(2, customer=customer)
    foreign = CustomerFactory.create_batch(2)
    inactive = CustomerFactory(account=account, active=False, deactivated_at=timezone.now())
    ids = (
        [c.pk for c in deactivatable]
        + [c.pk for c in invoiced]
        + [uuid.uuid4(), uuid.uuid4()]
        + [c.pk for c in foreign]
        + ["bad-1", "bad-2"]
        + [inactive.pk]
    )
    assert len(set(ids)) == 100

    with django_assert_num_queries(len(one_id.captured_queries)):
        data = assert_success(api.delete(bulk_url(*ids)))

    assert (data["total"], data["successful"], data["failed"]) == (100, 91, 9)
    assert Customer.objects.filter(pk__in=[c.pk for c in deactivatable], active=True).count() == 0
    assert Customer.objects.filter(pk__in=[c.pk for c in invoiced + foreign], active=False).count() == 0


def test_bulk_deactivation_needs_the_customers_write_scope(read_only_api, account):
    customers = CustomerFactory.create_batch(2, account=account)
    before = all_rows()

    error = assert_error(read_only_api.delete(bulk_url(*(c.pk for c in customers))), 403, "INSUFFICIENT_SCOPE")

    assert "customers:write" in error["message"]
    assert all_rows() == before


@pytest.mark.parametrize("path", ["/api/v1/customers/bulk", "/api/v1/customers/bulk/"])
def test_delete_on_the_bulk_path_is_the_bulk_endpoint_not_a_customer_called_bulk(api, account, path):
    CustomerFactory(account=account)
    before = all_rows()

    error = assert_error(api.delete(path), 400, "BAD_REQUEST")

    # Not the single-customer route rejecting "bulk" as a malformed customer_id, nor a 404 for it.
    assert "customer_id" not in (error.get("details") or {})
    assert "ids" in error["message"]
    assert all_rows() == before


def test_bulk_path_with_ids_answers_the_bulk_report_not_the_single_customer_message(api, account):
    customer = CustomerFactory(account=account)

    data = assert_success(api.delete(bulk_url(customer.pk)))

    assert set(data) == REPORT_KEYS
    assert data["deactivated_ids"] == [str(customer.pk)]
    assert row(customer)["active"] is False


def test_bulk_deactivation_limit_treats_the_same_id_in_another_case_as_one_id(api, account):
    customers = CustomerFactory.create_batch(100, account=account)
    ids = [c.pk for c in customers] + [str(c.pk).upper() for c in customers[:5]]  # still 100 distinct ids

    data = assert_success(api.delete(bulk_url(*ids)))

    assert (data["total"], data["successful"], data["failed"]) == (100, 100, 0)
    assert Customer.objects.filter(account=account, active=True).count() == 0
