"""With Redis, a process's copy of a key also keeps the company a flat route without `BeeL-Active-Company`
acts on (the account's only one), so that read is not repeated per request; a company added, changed or
deleted in the account reaches the copy before the next request (docs/performance.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Company
from tests.envelope import assert_error
from tests.factories import CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"


def company_reads(queries) -> int:
    return sum('FROM "companies_company"' in query["sql"] for query in queries)


def test_the_only_company_is_read_once_per_copy_of_the_key(api, account, redis_cache):
    CustomerFactory(account=account)
    assert api.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            response = api.get(URL)
            assert response.status_code == 200
            assert len(response.json()["data"]["customers"]) == 1
    assert company_reads(queries.captured_queries) == 0


def test_a_second_company_reaches_the_copy_before_the_next_request(
    api, account, redis_cache, django_capture_on_commit_callbacks
):
    assert api.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction stands for the commit
        CompanyFactory(account=account)
    assert_error(api.get(URL), 403, "ACTIVE_COMPANY_REQUIRED")


def test_a_deleted_second_company_reaches_the_copy_too(api, account, redis_cache, django_capture_on_commit_callbacks):
    second = CompanyFactory(account=account)
    assert_error(api.get(URL), 403, "ACTIVE_COMPANY_REQUIRED")
    assert api.get(URL).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        Company.objects.get(pk=second.pk).delete()
    assert api.get(URL).status_code == 200


def test_without_redis_the_company_is_read_on_every_request(api, settings):
    settings.APIKEY_CACHE_SECONDS = 10
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert api.get(URL).status_code == 200
    assert company_reads(queries.captured_queries) == 3
