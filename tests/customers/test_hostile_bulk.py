"""Hostile values through the bulk paths (issue 30): what a bulk create, a CSV import and a bulk deactivation
of COPY_FROM or more rows store (COPY on PostgreSQL, beel.db.copy) is what the same requests store row by row or
in batches too small for COPY (bulk_create's INSERT), for text that COPY's text format must escape (backslashes,
`\\.` alone on a line, tabs, CR/LF, a literal `\\N`), unicode, values at their maximum length, JSON and decimals."""

import csv
import io
import json
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beel.db.copy import COPY_FROM, insert_many
from beel.events.models import Event
from customers.models import AuditEntry, Customer
from tests.clients import bearer
from tests.customers.test_export_copy import exported, reference
from tests.envelope import assert_success
from tests.factories import APIKeyFactory, valid_dni

pytestmark = pytest.mark.django_db

COUNT = COPY_FROM + 5

# Text COPY's text format gives a meaning to, and text that is hard to carry whole.
NASTY = [
    "\\",
    "\\\\",
    "\\.",
    "a\n\\.\nb",
    "\\.\r\n",
    "\\N",
    "\\n\\t\\r",
    "tab\there",
    "cr\rlf\n",
    "\\x41\\101\\u0041",
    "\"quoted\" 'single'",
    ";,|",
    "=1+1",
    "e\u0301 n\u0303",  # combining accents
    "\u202eRTL\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "👩‍👩‍👧 🇪🇸 \U0001f600",
    "\ufeffBOM",
    "\u2028\u2029",
    "\x7f\x01\x1f",
    "{}",
    "[1, 2]",
    "NULL",
    "=SUM(A1)",
    "+34",
    "-5",
    "@cmd",
    "\tx",
    "\rx",
    "\uff1d1",  # a fullwidth equals sign: no formula start
]


def nasty(rng: random.Random, n: int, limit: int) -> str:
    text = "".join(rng.choice(NASTY) for _ in range(4)) + f" {n}"
    return text[-limit:]


def hostile_item(n: int, rng: random.Random) -> dict:
    item = {
        "legal_name": f"{n} " + nasty(rng, n, 100).replace("\n", " ").replace("\r", " ").strip(),
        "trade_name": nasty(rng, n, 120),
        "contact_person": nasty(rng, n, 200),
        "notes": nasty(rng, n, 2000),
        "general_discount": rng.choice([0, 12.345, 99.995, 0.005, 33.333333333333336, 100, 1e-9, 50]),
        "billing_emails": [f"Fact{n}@Example.ES", f"fact{n}@example.es", "otra@example.es"],
        "metadata": {
            "path\\": nasty(rng, n, 500),
            "u0000": "\\u0000 \\\\u0000",
            "nested": '{"a": ["\\\\", "\\n"]}',
            "ñ👍": "é\u0301",
            "empty": "",
        },
        "address": {"street": nasty(rng, n, 255), "city": "Cádiz", "province": "Cádiz", "postal_code": "11001"},
    }
    if n % 4 == 0:
        item["trade_name"] = ""
    elif n % 4 == 1:
        item["trade_name"] = None
        item["notes"] = None
        item["billing_emails"] = None
        item["metadata"] = {}
    elif n % 4 == 2:
        del item["trade_name"]
    if n % 3:
        item["nif"] = valid_dni(n)
    else:
        item["alternative_id"] = {"type": "PASSPORT", "number": f"x-{n:07d}", "country_code": "FR"}
        item["address"] = {"city": nasty(rng, n, 100), "country_code": "FR"}
    return item


def hostile_items() -> list[dict]:
    rng = random.Random(30)
    return [hostile_item(n, rng) for n in range(COUNT)]


def max_length_items() -> list[dict]:
    """Every text at its limit, in characters that take four bytes each."""
    return [
        {
            "legal_name": f"{n:03d}" + "😀" * 117,
            "trade_name": "\\" * 120,
            "contact_person": "\\." * 100,
            "notes": ("\\.\n" * 700)[:2000],
            "metadata": {f"k{k:02d}" + "\\" * 36: "😀\\\t" * 166 + "\\." for k in range(50 if n < 2 else 3)},
            "billing_emails": [f"f{n}x{k}@example.es" for k in range(10)],
            "nif": valid_dni(n),
        }
        for n in range(COUNT)
    ]


SKIP = {"id", "account", "company", "created_at", "updated_at", "tax_id_checked_at", "tax_id_recheck_at"}


def stored(owner) -> list[dict]:
    fields = [field.attname for field in Customer._meta.concrete_fields if field.name not in SKIP]
    return list(Customer.objects.filter(account=owner).order_by("legal_name").values(*fields))


def audit_of(owner) -> list[tuple]:
    entries = AuditEntry.objects.filter(customer__account=owner).order_by("customer__legal_name", "action")
    return list(entries.values_list("customer__legal_name", "action", "channel", "changed_fields"))


def events_of(owner) -> list[tuple]:
    masked = {"id", "created_at", "updated_at", "deactivated_at"}
    events = Event.objects.filter(account=owner).order_by("data__legal_name", "type")
    return [(e.type, e.mode, {k: v for k, v in e.data.items() if k not in masked}) for e in events]


def assert_same_everywhere(one, other) -> None:
    assert stored(one) == stored(other)
    assert audit_of(one) == audit_of(other)
    assert events_of(one) == events_of(other)


def bulk(api, items, query=""):
    return api.post(f"/api/v1/customers/bulk{query}", {"customers": items}, format="json")


@pytest.mark.parametrize("make", [hostile_items, max_length_items], ids=["hostile", "max_length"])
def test_a_bulk_create_stores_what_creating_one_at_a_time_stores(api, account, other_account, make):
    sent = make()
    alone = bearer(APIKeyFactory(account=other_account))
    for item in sent:
        assert_success(alone.post("/api/v1/customers", item, format="json"), 201)
    created = assert_success(bulk(api, sent), 201)

    assert Customer.objects.filter(account=account).count() == COUNT
    assert_same_everywhere(account, other_account)
    # What the API answers afterwards is the same too.
    ids = [row["customer_id"] for row in created["customers_validation"]]
    for customer_id, item in zip(ids, sent, strict=True):
        answered = assert_success(api.get(f"/api/v1/customers/{customer_id}"))
        assert answered["legal_name"] == item["legal_name"].rstrip()


def test_a_bulk_create_of_many_stores_what_small_bulk_creates_store(api, account, other_account):
    """The same items in one request (COPY on PostgreSQL) and in requests too small for COPY (INSERT)."""
    sent = hostile_items()
    small = bearer(APIKeyFactory(account=other_account))
    for start in range(0, COUNT, 10):
        assert_success(bulk(small, sent[start : start + 10]), 201)
    assert_success(bulk(api, sent), 201)

    assert_same_everywhere(account, other_account)


def hostile_csv(rows: list[list[str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Razón social", "NIF", "Email", "Teléfono", "Ciudad", "Provincia", "Notas", "Persona de contacto"])
    writer.writerows(rows)
    return SimpleUploadedFile("clientes.csv", buffer.getvalue().encode(), content_type="text/csv")


def hostile_rows() -> list[list[str]]:
    rng = random.Random(31)
    return [
        [
            f"{n} " + nasty(rng, n, 100).replace("\n", " ").replace("\r", " ").strip(),
            valid_dni(n),
            f"c{n}@example.es",
            "",
            "Cádiz",
            "Cádiz",
            nasty(rng, n, 2000),
            nasty(rng, n, 200),
        ]
        for n in range(COUNT)
    ]


def test_a_csv_import_stores_what_small_imports_store(api, account, other_account):
    rows = hostile_rows()
    small = bearer(APIKeyFactory(account=other_account))
    url = "/api/v1/customers/import-csv-preview?dry_run=false"
    for start in range(0, COUNT, 10):
        response = small.post(url, {"file": hostile_csv(rows[start : start + 10])}, format="multipart")
        assert assert_success(response)["statistics"]["imported"] == len(rows[start : start + 10])
    report = assert_success(api.post(url, {"file": hostile_csv(rows)}, format="multipart"))

    assert report["statistics"]["imported"] == COUNT
    assert_same_everywhere(account, other_account)


def test_a_bulk_deactivation_of_many_records_what_small_ones_record(api, account, other_account):
    """Each deactivated customer's audit entry and event: by COPY for COPY_FROM or more (one request), by INSERT
    for fewer (requests of 10), the same rows; and one customer's history reads as before."""
    small = bearer(APIKeyFactory(account=other_account))
    sent = hostile_items()
    assert_success(bulk(api, sent), 201)
    assert_success(bulk(small, sent), 201)
    mine = list(Customer.objects.filter(account=account).order_by("legal_name"))
    theirs = list(Customer.objects.filter(account=other_account).order_by("legal_name"))
    for start in range(0, COUNT, 10):
        ids = ",".join(str(c.pk) for c in theirs[start : start + 10])
        assert assert_success(small.delete(f"/api/v1/customers/bulk?ids={ids}"))["successful"] == len(
            theirs[start : start + 10]
        )
    report = assert_success(api.delete(f"/api/v1/customers/bulk?ids={','.join(str(c.pk) for c in mine)}"))

    assert report["successful"] == COUNT
    assert audit_of(account) == audit_of(other_account)
    assert events_of(account) == events_of(other_account)
    entries = AuditEntry.objects.filter(customer__account=account, action="deactivated")
    assert entries.count() == COUNT
    assert len(set(entries.values_list("batch", flat=True))) == 1
    assert all(entry.pk for entry in entries)
    newest = AuditEntry.objects.filter(customer=mine[0]).first()  # ordering -at, -id
    assert newest.action == "deactivated"
    assert not Customer.objects.filter(account=account, active=True).exists()
    sequences = sorted(Event.objects.filter(account=account).values_list("sequence", flat=True))
    assert sequences == list(range(1, 2 * COUNT + 1))  # created, then deactivated


def post_json(api, url, body):
    """Sent as JSON text with \\u escapes, which can carry a lone surrogate."""
    return api.post(url, json.dumps(body, ensure_ascii=True), content_type="application/json")


@pytest.mark.parametrize(
    "field,value",
    [
        ("notes", "a\x00b"),
        ("contact_person", "\x00"),
        ("metadata", {"k": "a\x00b"}),
        ("metadata", {"k\x00": "v"}),
        ("legal_name", "x\ud800y"),
        ("notes", "\udfff"),
        ("metadata", {"k": "\ud83d"}),
        ("metadata", {"\udc00": "v"}),
        ("billing_emails", ["a\x00@example.es"]),
    ],
)
def test_values_no_column_can_hold_are_refused_alone_and_in_bulk(api, account, field, value):
    one = post_json(api, "/api/v1/customers", {"legal_name": "Cliente", "nif": valid_dni(1), field: value})
    many_items = [{"legal_name": f"Cliente {n}", "nif": valid_dni(n), field: value} for n in range(2, COUNT + 2)]
    many = post_json(api, "/api/v1/customers/bulk", {"customers": many_items})

    assert one.status_code == 422, one.content[:300]
    assert many.status_code == 422, many.content[:300]
    # The connection is still usable, and nothing was written.
    assert not Customer.objects.filter(account=account).exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the export's COPY is PostgreSQL's")
def test_customers_written_by_copy_export_the_reference_bytes(api, account):
    """What COPY wrote with hostile text, read back by the export's COPY (its formula guard in SQL), is what
    the Python reference writer makes of it, byte for byte."""
    assert_success(bulk(api, hostile_items()), 201)
    formulas = [{"legal_name": f"{n:02d}{start}x", "nif": valid_dni(100 + n)} for n, start in enumerate(NASTY)]
    created = assert_success(bulk(api, formulas), 201)
    for row, start in zip(created["customers_validation"], NASTY, strict=True):
        # Each value at the very start of a cell, as stored (the API refuses some of these at a name's start).
        Customer.objects.filter(pk=row["customer_id"]).update(legal_name=start or "x", city=start, notes=start)

    fast = exported(api)
    assert fast == reference(account)
    assert fast.count(b"\r\n") > COUNT + len(NASTY)


# JSON a column may hold, whoever writes it: nesting, every JSON type, numbers at the edges, escapes as text
# (not a top-level None, which Django stores as SQL NULL).
JSON_VALUES = [
    {},
    [],
    "",
    "\\.",
    "a\n\\.\nb",
    NUMBERS := {"nested": {"deeper": [1, -0.0, 1e300, 2**63, -(2**63), 0.1, True, False, None, "\\N", "\t"]}},
    {'quote"key': "'\"", "\\": "\\\\", "unicode": "👩‍👩‍👧 e\u0301 \u202e", "escape": "\\u0000 \\ud83d"},
    {"12.345678901234567890": "12.345678901234567890", "": ""},
    [{"a": []}, [[[]]], "x"],
    12345678901234567890123,
    "\u2028\u2029\x7f\x01",
]


def _events(account, *, first: int) -> list[Event]:
    now = timezone.now()
    return [
        Event(account=account, mode="live", type="customer.updated", data=data, created_at=now, sequence=first + n)
        for n, data in enumerate(JSON_VALUES * (COUNT // len(JSON_VALUES) + 1))
    ]


def test_insert_many_stores_the_json_bulk_create_stores(account, monkeypatch):
    """Events by COPY (COPY_FROM or more, on PostgreSQL) and by bulk_create's INSERT read back the same."""
    with CaptureQueriesContext(connection) as captured:
        by_copy = insert_many(Event, _events(account, first=1))
    if connection.vendor == "postgresql":  # else both sides are bulk_create's: the comparison proves nothing more
        assert any(query["sql"].startswith("COPY ") for query in captured.captured_queries)
    monkeypatch.setattr("beel.db.copy.COPY_FROM", 10**9)
    by_insert = insert_many(Event, _events(account, first=1001))

    def read(events):
        stored = Event.objects.in_bulk([event.pk for event in events])
        return [stored[event.pk].data for event in events]

    assert len(by_copy) >= COPY_FROM
    assert read(by_copy) == read(by_insert)
    # jsonb keeps numbers as numeric (1e300 comes back an integer, -0.0 as 0.0); everything else as sent.
    assert [data for data, event in zip(read(by_copy), by_copy, strict=True) if event.data is not NUMBERS] == [
        event.data for event in by_copy if event.data is not NUMBERS
    ]


def test_insert_many_leaves_the_transaction_usable_after_a_refused_copy(account):
    """A row the table refuses (a sequence taken twice) fails the whole COPY with Django's IntegrityError; the
    savepoint rolls it back, nothing stays written and the connection goes on."""
    events = _events(account, first=1)
    events[-1].sequence = events[0].sequence
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many(Event, events)

    assert not Event.objects.exists()
    assert len(insert_many(Event, _events(account, first=1))) == Event.objects.count()


@pytest.mark.parametrize(
    "body",
    [
        {"search": "\ud800"},
        {"legal_name": "a\udfffb"},
        {"city": "\x00"},
        {"metadata": {"plan": "\ud83d"}},
        {"metadata": {"\ud83d": "pro"}},
        {"metadata": {"\x00": "pro"}},
    ],
)
def test_an_export_job_asked_for_text_jsonb_cannot_hold_is_a_400(api, account, body):
    """The job keeps its filters as JSON (jsonb on PostgreSQL, which refuses NUL and lone surrogates)."""
    response = post_json(api, "/api/v1/customers/exports", body)

    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
