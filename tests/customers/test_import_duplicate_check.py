"""The duplicate check of an import (and of a bulk create) at scale: one query for the whole file, led by the
company and mode and answered by a b-tree on the NIF. Without the mode (and with `company IN`), PostgreSQL
matched `nif IN (...)` through the trigram index, 5.7 ms per NIF: a 1,000-row file at 300,000 customers ran past
the statement timeout (issue 26, item 8; bench/csv_bench.py measures it, docs/performance.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from tests.customers.test_import_csv import HEADER, csv_file, upload
from tests.envelope import assert_success
from tests.factories import CustomerFactory, valid_dni

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only(reason="the plan is PostgreSQL's"),
]


def _duplicate_checks(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if query["sql"].startswith("SELECT") and "customers_customer" in query["sql"] and '"nif" IN' in query["sql"]
    ]


def test_the_import_checks_every_nif_of_the_file_in_one_query_served_by_a_b_tree(api, account):
    CustomerFactory(account=account, nif=valid_dni(1))
    lines = [HEADER, *(f"Cliente {n} SL;{valid_dni(n)};;;Madrid;Madrid" for n in range(1, 200))]

    with CaptureQueriesContext(connection) as captured:
        data = assert_success(upload(api, csv_file(lines)))

    assert data["statistics"]["duplicates"] == 1
    [check] = _duplicate_checks(captured.captured_queries)
    assert "\"mode\" = 'live'" in check and "deleted_at" in check
    with connection.cursor() as cursor:
        # A handful of rows is a sequential scan by cost; refusing it shows which index the planner prefers.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {check}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "trgm" not in plan, plan
    assert "customer_unique_active_nif_per_company" in plan or "customer_company_nif_idx" in plan, plan


def test_a_nif_held_in_the_other_mode_or_by_a_deleted_customer_is_no_duplicate(api, account):
    CustomerFactory(account=account, nif=valid_dni(1), mode="test")
    lines = [HEADER, f"Cliente SL;{valid_dni(1)};;;Madrid;Madrid"]
    data = assert_success(upload(api, csv_file(lines)))
    assert data["statistics"]["duplicates"] == 0
    assert Customer.objects.filter(nif=valid_dni(1)).count() == 1
