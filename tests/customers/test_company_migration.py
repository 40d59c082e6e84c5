"""Migrations customers 0018-0020 and invoices 0007-0009 on existing rows: every customer, invoice and series
counter gets its account's primary company (never another company of the account), the counters are exact
afterwards, and everything migrates back and forth. On PostgreSQL also: what the release still running inserts
without a company during the deploy gets one, and the online steps leave nothing invalid behind."""

from collections import Counter as Tally

import pytest
from django.db import connection

from tests.factories import AccountFactory, CompanyFactory
from tests.migrations import leaf_nodes, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("customers", "0017_beel_payment_methods_and_website"),
    ("invoices", "0006_foreign_keys_use_the_composite_indexes"),
]
COLUMNS_ONLY = [("customers", "0018_company_columns"), ("invoices", "0006_foreign_keys_use_the_composite_indexes")]
on_postgresql = pytest.mark.postgres_only(reason="the counters' triggers and the online steps are PostgreSQL's")


@pytest.fixture
def before_companies():
    # The apps depending on customers and invoices go back with them; every leaf is restored afterwards.
    apps = migrate(BEFORE)
    yield apps
    migrate(leaf_nodes())


def _primary(account) -> str:
    return account.companies.get(is_primary=True).pk


def _old_rows(apps, account, *, prefix: str) -> None:
    """What an account had before companies: live and test, active and inactive customers, invoices, a counter."""
    Customer = apps.get_model("customers", "Customer")
    Invoice = apps.get_model("invoices", "Invoice")
    customers = [
        Customer.objects.create(account_id=account.pk, legal_name=f"{prefix} {n}", nif="", mode=mode, active=active)
        for n, (mode, active) in enumerate([("live", True), ("live", True), ("live", False), ("test", True)] * 2)
    ]
    for number, customer in enumerate(customers[:3], start=1):
        Invoice.objects.create(
            account_id=account.pk, customer_id=customer.pk, series="A", number=number, status="issued"
        )
    apps.get_model("invoices", "InvoiceSeriesCounter").objects.create(account_id=account.pk, series="A", last_number=3)


def _counts_by(key: str) -> tuple[Tally, dict]:
    """The customers grouped by `key` (the triggers' grouping) against the counters' rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, mode, active, count(*) FROM customers_customer GROUP BY {key}, mode, active")
        expected = {(str(k), mode, active): n for k, mode, active, n in cursor.fetchall()}
        cursor.execute(f"SELECT {key}, mode, active, n FROM customers_customercount WHERE n > 0")
        counted = {(str(k), mode, active): n for k, mode, active, n in cursor.fetchall()}
    return expected, counted


def test_every_row_gets_its_account_s_primary_company_and_migrates_back(before_companies, monkeypatch):
    # Several committed batches per table, not one.
    monkeypatch.setattr("beel.db.backfill.BATCH_SIZE", 3)
    first, second = AccountFactory(), AccountFactory()
    CompanyFactory(account=first)  # a second company of the account: the rows stay with the primary one
    _old_rows(before_companies, first, prefix="Primera")
    _old_rows(before_companies, second, prefix="Segunda")

    apps = migrate(leaf_nodes())

    Customer = apps.get_model("customers", "Customer")
    for account in (first, second):
        assert set(Customer.objects.filter(account_id=account.pk).values_list("company_id", flat=True)) == {
            _primary(account)
        }
        assert Customer.objects.filter(account_id=account.pk).count() == 8
    Invoice = apps.get_model("invoices", "Invoice")
    assert Invoice.objects.count() == 6
    for invoice in Invoice.objects.select_related("customer"):
        assert invoice.company_id == invoice.customer.company_id
        assert invoice.issuer is None  # nothing to copy: the invoice was issued before companies
    counters = apps.get_model("invoices", "InvoiceSeriesCounter").objects.values_list("company_id", "last_number")
    assert sorted(counters) == sorted([(_primary(first), 3), (_primary(second), 3)])

    apps = migrate(BEFORE)

    Customer = apps.get_model("customers", "Customer")
    assert Customer.objects.count() == 16 and apps.get_model("invoices", "Invoice").objects.count() == 6
    assert sorted(
        apps.get_model("invoices", "InvoiceSeriesCounter").objects.values_list("account_id", flat=True)
    ) == sorted([first.pk, second.pk])

    apps = migrate(leaf_nodes())

    assert apps.get_model("customers", "Customer").objects.filter(company_id=_primary(first)).count() == 8


@on_postgresql
def test_the_counters_are_exact_by_company_after_and_by_account_back(before_companies):
    first, second = AccountFactory(), AccountFactory()
    CompanyFactory(account=first)
    _old_rows(before_companies, first, prefix="Primera")
    _old_rows(before_companies, second, prefix="Segunda")

    migrate(leaf_nodes())

    expected, counted = _counts_by("company_id")
    assert counted == expected
    assert sum(expected.values()) == 16

    migrate(BEFORE)

    expected, counted = _counts_by("account_id")
    assert counted == expected
    assert sum(expected.values()) == 16

    migrate(leaf_nodes())

    assert _counts_by("company_id")[1] == _counts_by("company_id")[0]


@on_postgresql
def test_what_the_running_release_inserts_during_the_deploy_gets_the_primary_company(before_companies):
    account = AccountFactory()
    CompanyFactory(account=account)
    apps = migrate(COLUMNS_ONLY)
    # The release before this one knows no company: it inserts the columns it knows, nothing more.
    customer = apps.get_model("customers", "Customer").objects.create(
        account_id=account.pk, legal_name="Tardía", nif=""
    )
    apps.get_model("invoices", "Invoice").objects.create(account_id=account.pk, customer_id=customer.pk, status="draft")

    migrate(leaf_nodes())

    with connection.cursor() as cursor:
        cursor.execute("SELECT company_id FROM customers_customer WHERE id = %s", [customer.pk])
        assert cursor.fetchone()[0] == _primary(account)
        cursor.execute("SELECT company_id FROM invoices_invoice WHERE customer_id = %s", [customer.pk])
        assert cursor.fetchone()[0] == _primary(account)
        # ...and after the migration, its series counters too (their account column stays for it).
        cursor.execute(
            "INSERT INTO invoices_invoiceseriescounter (account_id, mode, series, last_number)"
            " VALUES (%s, 'live', 'B', 0) RETURNING company_id",
            [account.pk],
        )
        assert cursor.fetchone()[0] == _primary(account)


@on_postgresql
def test_the_online_steps_leave_no_invalid_index_or_constraint_behind():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_class t ON t.oid = i.indrelid WHERE NOT i.indisvalid"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE NOT convalidated OR conname LIKE %s",
            ["%company_id_not_null"],
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'company_id'"
            " AND table_name IN ('customers_customer', 'invoices_invoice') AND is_nullable = 'NO'"
        )
        assert sorted(name for (name,) in cursor.fetchall()) == ["customers_customer", "invoices_invoice"]
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND convalidated"
            " AND confrelid = 'companies_company'::regclass AND conrelid::regclass::text IN (%s, %s)",
            ["customers_customer", "invoices_invoice"],
        )
        assert sorted(name for (name,) in cursor.fetchall()) == ["customers_customer", "invoices_invoice"]
