"""The bulk paths at the database's speed (issue 30): a bulk create and a CSV import check the whole request
in one query and write it in a fixed number of statements however many customers it holds, a dry run writes
nothing, and what they store (customers, audit entries, events) is what POST /customers stores, whichever way
the rows are sent (on PostgreSQL, COPY from COPY_FROM rows up; beel.db.copy)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beel.db.copy import COPY_FROM
from beel.events.models import Event
from customers.models import AuditEntry, Customer
from tests.clients import bearer
from tests.customers.test_import_csv import HEADER, csv_file, upload
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "COPY")
BULK_TABLES = ('"customers_customer"', '"customers_auditentry"', '"events_event"')


def bulk(api, items, query=""):
    return api.post(f"/api/v1/customers/bulk{query}", {"customers": items}, format="json")


def items(count: int, start: int = 0) -> list[dict]:
    return [{"legal_name": f"Cliente {n} SL", "nif": valid_dni(n)} for n in range(start, start + count)]


def lines(count: int, start: int = 0) -> list[str]:
    return [
        HEADER,
        *(f"Cliente {n} SL;{valid_dni(n)};c{n}@example.es;;Cádiz;Cádiz" for n in range(start, start + count)),
    ]


@pytest.fixture(autouse=True)
def warm(api):
    """A first request of the key writes its last use and finds its company: the ones measured do not."""
    assert_success(bulk(api, items(1), "?dry_run=true"))


def queries_of(request) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        request()
    return [query["sql"] for query in captured.captured_queries]


def bulk_writes(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.lstrip().upper().startswith(WRITES) and any(t in sql for t in BULK_TABLES)]


def test_a_bulk_create_of_500_runs_as_many_queries_as_one_of_10(api, account):
    few = queries_of(lambda: assert_success(bulk(api, items(10)), 201))
    many = queries_of(lambda: assert_success(bulk(api, items(500, start=10)), 201))

    assert len(many) == len(few)
    # One statement a table: the customers, their audit entries, their events (COPY on PostgreSQL).
    assert len(bulk_writes(many)) == 3
    if connection.vendor == "postgresql":
        assert all(sql.startswith("COPY") for sql in bulk_writes(many))
    assert Customer.objects.filter(account=account).count() == 510


def test_an_import_of_1000_rows_runs_as_many_queries_as_one_of_10(api, account):
    few = queries_of(lambda: assert_success(upload(api, csv_file(lines(10)), "?dry_run=false")))
    many = queries_of(lambda: assert_success(upload(api, csv_file(lines(1000, start=10)), "?dry_run=false")))

    assert len(many) == len(few)
    assert len(bulk_writes(many)) == 3
    assert AuditEntry.objects.filter(customer__account=account, action="created").count() == 1010
    assert Event.objects.filter(account=account, type="customer.created").count() == 1010


@pytest.mark.parametrize("dry_run", ["", "?dry_run=true"])
def test_a_preview_writes_nothing_however_large(api, account, dry_run):
    CustomerFactory(account=account, nif=valid_dni(3))
    few = queries_of(lambda: assert_success(upload(api, csv_file(lines(10)), dry_run)))
    statements = queries_of(lambda: assert_success(upload(api, csv_file(lines(1000)), dry_run)))

    assert bulk_writes(statements) == []
    assert len(statements) == len(few)
    assert Customer.objects.filter(account=account).count() == 1
    assert not AuditEntry.objects.exists()
    assert not Event.objects.exists()


def test_a_bulk_dry_run_writes_nothing(api, account):
    statements = queries_of(lambda: assert_success(bulk(api, items(500), "?dry_run=true"), 200))

    assert bulk_writes(statements) == []
    assert not Customer.objects.exists()


def _full_item(n: int) -> dict:
    """An item with every kind of value a customer stores: text to escape, JSON, a decimal, a null, a choice."""
    item = {
        "legal_name": f'Peña "Ñandú" \\ {n}\tSL',
        "trade_name": "",
        "email": f"Cliente.{n}@Example.ES",
        "phone": "654 321 987",
        "billing_emails": [f"facturas{n}@example.es", "otra@example.es"],
        "contact_person": "Ana\nLópez",
        "notes": "línea 1\r\nlínea 2 \\N",
        "general_discount": 12.5,
        "metadata": {"erp": f"E-{n}", "ruta": "\\\\servidor\\clientes"},
        "address": {
            "street": "Calle Mayor",
            "number": "5",
            "postal_code": "11001",
            "city": "Cádiz",
            "province": "Cádiz",
        },
    }
    if n % 3:
        item["nif"] = valid_dni(n)
        item["preferred_payment_method"] = {"method": "BANK_TRANSFER", "iban": "ES9121000418450200051332"}
    else:
        item["alternative_id"] = {"type": "03", "number": f"P{n:07d}", "country_code": "FR"}
        item["address"] = {"city": "París", "country_code": "FR"}
    return item


def _stored(customer: Customer) -> dict:
    skip = {"id", "account", "company", "created_at", "updated_at", "tax_id_checked_at", "tax_id_recheck_at"}
    return {
        field.attname: getattr(customer, field.attname)
        for field in Customer._meta.concrete_fields
        if field.name not in skip
    }


def test_customers_written_in_bulk_are_stored_as_one_created_alone(api, account, other_account):
    """The same items created one by one (one account) and in one bulk create large enough for COPY (another):
    the same columns, the same audit entries, the same events."""
    sent = [_full_item(n) for n in range(COPY_FROM + 10)]
    alone = bearer(APIKeyFactory(account=other_account))
    for item in sent:
        assert_success(alone.post("/api/v1/customers", item, format="json"), 201)
    assert_success(bulk(api, sent), 201)

    def stored_by(owner) -> list[dict]:
        return [_stored(customer) for customer in Customer.objects.filter(account=owner).order_by("legal_name")]

    assert stored_by(account) == stored_by(other_account)
    first = Customer.objects.filter(account=account).order_by("legal_name").first()
    assert first.general_discount == Decimal("12.50") and first.metadata["ruta"] == "\\\\servidor\\clientes"

    def audit_of(owner) -> list[tuple]:
        entries = AuditEntry.objects.filter(customer__account=owner).order_by("customer__legal_name")
        return list(entries.values_list("action", "channel", "changed_fields", "batch"))

    assert audit_of(account) == audit_of(other_account)
    assert all(entry.pk for entry in AuditEntry.objects.filter(customer__account=account))

    def events_of(owner) -> list[dict]:
        events = Event.objects.filter(account=owner).order_by("data__legal_name")
        masked = {"id", "created_at", "updated_at"}
        return [
            (event.type, event.mode, {key: value for key, value in event.data.items() if key not in masked})
            for event in events
        ]

    assert events_of(account) == events_of(other_account)
    for customer in Customer.objects.filter(account=account):
        event = Event.objects.get(account=account, data__id=str(customer.pk))
        assert event.data["created_at"].startswith(customer.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    sequences = sorted(Event.objects.filter(account=account).values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sent) + 1))


def test_an_identity_taken_between_the_check_and_the_write_is_409_and_nothing_is_written(api, account, monkeypatch):
    """The unique index refuses the whole write (COPY or INSERT alike) when a concurrent create took a NIF after
    the check: 409 CLIENT_DUPLICATE, as documented, and not one row stays written."""
    CustomerFactory(account=account, nif=valid_dni(7))
    monkeypatch.setattr("customers.services.creation.identities_held", lambda owners: set())

    assert_error(upload(api, csv_file(lines(COPY_FROM + 10)), "?dry_run=false"), 409, "CLIENT_DUPLICATE")
    assert_error(bulk(api, items(COPY_FROM + 10)), 409, "CLIENT_DUPLICATE")
    assert Customer.objects.filter(account=account).count() == 1
    assert not AuditEntry.objects.exists()
    assert not Event.objects.exists()


def _bulk_at_once(barrier: threading.Barrier, raw_key: str, body: list[dict]):
    try:
        barrier.wait(timeout=10)
        return bearer(raw_key).post("/api/v1/customers/bulk", {"customers": body}, format="json")
    finally:
        connection.close()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_bulk_creates_of_the_same_nifs_leave_each_held_once():
    """Two bulk creates of the same customers race (real transactions): one creates them all, the other is
    refused whole, 409 when the unique index stopped its write or 422 when its check already saw them."""
    api_key = APIKeyFactory()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for round_ in range(3):
            body = items(COPY_FROM + 10, start=1000 * (round_ + 1))
            barrier = threading.Barrier(2)
            responses = [
                r.result() for r in [pool.submit(_bulk_at_once, barrier, api_key.raw_key, body) for _ in range(2)]
            ]

            statuses = sorted(response.status_code for response in responses)
            assert statuses in ([201, 409], [201, 422]), [response.content[:300] for response in responses]
            nifs = [item["nif"] for item in body]
            assert Customer.objects.filter(nif__in=nifs, active=True).count() == len(body)
            assert AuditEntry.objects.filter(customer__nif__in=nifs).count() == len(body)
