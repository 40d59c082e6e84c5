"""The indexes of the customers table on PostgreSQL. A deactivation changes `active` and `updated_at`, so
it is never a HOT update: every index that holds an entry per row takes a new one for each deactivated
customer. Each must earn its place (bench/run.py times its query without it, docs/performance.md); one
added without that argument should fail here first."""

from datetime import timedelta

import pytest
from django.db import connection

from customers.models import Customer
from customers.selectors import SORT_FIELDS
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only(reason="the indexes and storage parameters are PostgreSQL's"),
]

INDEXES_WITH_AN_ENTRY_PER_ROW = {
    "customers_customer_pkey",
    "customer_company_created_idx",
    "customer_company_updated_idx",
    "customer_company_name_idx",
    "customer_company_nif_idx",
    "customer_company_email_idx",
    "customer_company_city_idx",
    "customer_company_province_idx",
    "customer_name_trgm_idx",
    "customer_nif_trgm_idx",
    "customer_email_trgm_idx",
    "customer_phone_trgm_idx",
    # metadata[key]=value filters (jsonb containment); the planner cannot prove a partial one applies.
    "customer_metadata_gin_idx",
}


def _customer_indexes(*, partial: bool) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer' AND "
            f"indexdef {'' if partial else 'NOT '}LIKE '%% WHERE %%'"
        )
        return {name for (name,) in cursor.fetchall()}


def test_only_the_indexes_the_queries_need_hold_every_customer():
    assert _customer_indexes(partial=False) == INDEXES_WITH_AN_ENTRY_PER_ROW


def test_the_partial_indexes_leave_out_what_a_deactivation_writes():
    # An inactive, unmerged customer waiting for no erasure is in none of them.
    assert _customer_indexes(partial=True) == {
        "customer_unique_active_nif_per_company",
        "customer_unique_active_alternative_id_per_company",
        "customer_erasure_due_idx",
        "customer_merged_into_idx",
        # Only customers whose tax id check is PENDING (a re-check due): none once the registry answered.
        "customer_tax_id_recheck_idx",
    }


def _indexes_of(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {name for (name,) in cursor.fetchall()}


def test_the_audit_entry_and_the_event_of_each_deactivated_customer_take_no_redundant_index_entry():
    # A foreign key's own index duplicates the composite index that leads with the same column.
    assert _indexes_of("customers_auditentry") == {
        "customers_statuschange_pkey",
        "status_change_customer_idx",  # (customer, -at): the history of a customer, and cascades
        "customers_statuschange_at_ffa087da",
        "customers_auditentry_batch_acfcccdd",
    }
    assert _indexes_of("events_event") == {
        "events_event_pkey",
        "event_account_created_idx",  # (account, mode, created_at): an account's events, and cascades
        "event_undispatched_idx",
        "event_sequence_unique",  # (account, mode, sequence): one number per event, GET /events in its order
    }


def test_customer_pages_leave_room_for_a_row_s_next_version():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'customers_customer'")
        assert "fillfactor=90" in cursor.fetchone()[0]


@pytest.mark.parametrize("sort_field", sorted(set(SORT_FIELDS.values())))
def test_every_sort_and_the_change_filters_stay_index_backed(sort_field):
    customer = CustomerFactory()
    queries = [
        Customer.objects.filter(company=customer.company, mode=customer.mode).order_by(sort_field, "id")[:20],
        Customer.objects.filter(
            company=customer.company, mode=customer.mode, updated_at__gte=customer.updated_at - timedelta(days=1)
        ).order_by("updated_at", "id")[:20],
    ]
    with connection.cursor() as cursor:
        # A handful of rows is a sequential scan by cost; refusing it shows whether an index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        for queryset in queries:
            plan = queryset.explain()
            assert "Index" in plan and "Sort" not in plan, plan
