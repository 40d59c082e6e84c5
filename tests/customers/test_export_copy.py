"""The export's fast path on PostgreSQL (COPY, customers.spreadsheet.copy) writes byte for byte what the reference
path (customers.spreadsheet.reference_export_lines, SQLite's) writes for the same customers: every awkward value,
every sort, the filters, the admin's export and the export jobs."""

import functools
import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beel.tenancy import DataScope
from companies.models import primary_company_of
from customers import selectors, spreadsheet
from customers.admin.export import ACCOUNT_COLUMN
from customers.models import Customer
from customers.selectors import CustomerFilters
from customers.services import exports
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

EXPORT = "/api/v1/customers/export"


AWKWARD = [
    "=SUM(A1:A2)",
    "+34 912 345 678",
    "-5",
    "@cmd",
    "\tTabulada",
    "\rRetorno",
    'Comillas "dobles" dentro',
    '"empieza con comillas',
    "punto; y coma",
    "línea\nnueva",
    "retorno\r\nde carro",
    "solo\rCR",
    "Ñandú Ávila Çà",
    "emoji 😀 🇪🇸",
    "",
    " espacios ",
    "barra \\ invertida",
    "'apóstrofo",
    '="mixto";\n',
]
METADATA = [
    {},
    {"b": "2", "a": "1", "aa": "x", "Z": "mayúscula", "é": "acento"},
    {"nested": {"quote": 'say "hi"', "list": [1, 2.5, None, True, "x;y"]}, "n": 1.0, "big": 1e20, "tiny": 0.1},
    {"control": "tab\there\u0001", "emoji": "😀", "newline": "a\nb", "slash": "a/b\\c"},
    {"formula": "=1+1"},
    ["a list"],
    "",
    0,
]


def awkward_customers(account) -> list[Customer]:
    """A customer per awkward value, in every text column by turns, with the other columns' edge cases."""
    made = []
    for n, text in enumerate(AWKWARD * 2):
        customer = CustomerFactory(
            account=account,
            legal_name=text or "Sin nombre",
            nif="" if n % 3 == 0 else f"{n}{text}"[:20],
            email=text if n % 2 else "",
            phone=text[:20],
            street=text,
            floor=text[:20],
            door=text[:20],
            city=text,
            province=text,
            country=text,
            trade_name=text,
            alternative_id_type="02" if n % 4 == 1 else "",
            alternative_id_number=text[:20] if n % 4 == 1 else "",
            alternative_id_country="FR" if n % 4 == 1 else "",
            billing_emails=[[], ["a@example.es"], ["a@example.es", text], [text]][n % 4],
            contact_person=text,
            website=text,
            notes=text + "\n" + text,
            general_discount=Decimal(["0", "12.5", "99.99", "-5.25", "0.01"][n % 5]),
            payment_method=["", "BANK_TRANSFER", "CASH"][n % 3],
            iban=text[:34],
            payment_term_days=[None, 0, 30, 365][n % 4],
            metadata=METADATA[n % len(METADATA)],
            active=n % 5 != 0,
        )
        made.append(customer)
    # Times, set as stored: microseconds dropped by the writer, zones shown in UTC, a year without four digits.
    moments = [
        datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 0, 0, 1, tzinfo=UTC),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
    ]
    for n, customer in enumerate(made):
        deactivated = None if customer.active else moments[n % 3]
        Customer.objects.filter(pk=customer.pk).update(created_at=moments[(n + 1) % 3], deactivated_at=deactivated)
    # An erased customer, as the export shows it (its record anonymised), and a deleted one, which it hides.
    erased = made[1]
    Customer.objects.filter(pk=erased.pk).update(
        legal_name="Cliente anonimizado", nif="", email="", phone="", anonymized_at=moments[0], metadata={}
    )
    Customer.objects.filter(pk=made[2].pk).update(deleted_at=moments[0])
    return made


def reference(account, **asked) -> bytes:
    scope = DataScope.of_company(primary_company_of(account), "live")
    customers = selectors.sorted_customers(Customer.objects.within(scope), CustomerFilters(**asked))
    return "".join(spreadsheet.reference_export_lines(customers)).encode()


def exported(api, query: str = "") -> bytes:
    response = api.get(EXPORT + query)
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("sort_by", ["", *selectors.SORT_FIELDS])
@pytest.mark.parametrize("sort_order", ["asc", "desc"])
def test_every_sort_exports_the_reference_bytes(api, account, sort_by, sort_order):
    awkward_customers(account)

    fast = exported(api, f"?sort_by={sort_by}&sort_order={sort_order}" if sort_by else f"?sort_order={sort_order}")

    assert fast == reference(account, sort_by=sort_by, sort_order=sort_order)
    assert fast.count(b"\n") > len(AWKWARD) * 2  # every customer but the deleted one, and line breaks


# What generated values are made of: every formula start, quoting and line-breaking character, accents, a
# character outside the BMP, apostrophes, spaces and plain text.
FRAGMENTS = ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", '"', ";", "'", " ", "\\", "Ñ", "ç", "😀", "€", "abc", "12"]


def generated_text(rng, max_length: int) -> str:
    return "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 6)))[:max_length]


def generated_customers(account, count: int, seed: int) -> None:
    """`count` customers whose every text column is a random run of FRAGMENTS (the same ones for a seed),
    with random metadata, billing e-mails, discounts, payment terms, alternative ids and states."""
    rng = random.Random(seed)
    for n in range(count):
        text = functools.partial(generated_text, rng)
        customer = CustomerFactory(
            account=account,
            legal_name=text(255) or "x",
            nif=f"{n:03}{text(17)}" if rng.random() < 0.7 else "",  # unique among the active
            email=text(100),
            phone=text(20),
            street=text(255),
            number=text(20),
            floor=text(20),
            door=text(20),
            postal_code=text(20),
            city=text(100),
            province=text(100),
            country=text(100),
            trade_name=text(120),
            alternative_id_type=rng.choice(["", "02", "03", "04"]),
            alternative_id_number=f"{n:03}{text(17)}",
            alternative_id_country=rng.choice(["", "FR", "PT"]),
            billing_emails=[text(50) for _ in range(rng.randint(0, 3))],
            contact_person=text(200),
            website=text(100),
            notes=text(500),
            general_discount=Decimal(rng.randint(-9999, 9999)) / 100,
            payment_method=rng.choice(["", "BANK_TRANSFER", "CASH", "CARD"]),
            iban=text(34),
            swift=text(11),
            payment_term_days=rng.choice([None, 0, 15, 90]),
            metadata={text(10): rng.choice([text(20), rng.randint(-5, 5), None, [text(5)], {"k": text(5)}])}
            if rng.random() < 0.5
            else {},
            active=rng.random() < 0.8,
        )
        if not customer.active:
            Customer.objects.filter(pk=customer.pk).update(
                deactivated_at=datetime(2026, 1, 2, 3, 4, n % 60, tzinfo=UTC)
            )


@pytest.mark.parametrize("seed", [30, 31])
def test_generated_customers_export_the_reference_bytes(api, account, seed):
    generated_customers(account, 150, seed)

    fast = exported(api, "?sort_by=legal_name")

    assert fast == reference(account, sort_by="legal_name")
    assert fast.count(b"\r\n") > 150  # every customer, and line breaks inside cells


@pytest.mark.parametrize(
    "asked",
    [
        {"active": True},
        {"active": False, "sort_by": "legal_name"},
        {"search": "ávila"},
        {"city": "ñandú ávila çà", "sort_by": "city", "sort_order": "desc"},
        {"metadata": (("formula", "=1+1"),)},
        {"legal_name": "comillas", "sort_by": "nif"},
    ],
)
def test_filtered_exports_are_the_reference_bytes(api, account, asked):
    awkward_customers(account)
    query = "&".join(
        f"metadata[{key}]={value}" if name == "metadata" else f"{name}={str(value).lower()}"
        for name, value in asked.items()
        for key, value in (value if name == "metadata" else [(None, value)])
    )

    fast = exported(api, "?" + query.replace("+", "%2B"))

    assert fast == reference(account, **asked)
    assert fast.count(b"\r\n") > 1  # some customer matched


def test_filters_no_customer_can_meet_export_the_header_alone(api, account):
    # `phone=-` normalises to nothing a phone can be: Django writes no SQL for it (EmptyResultSet).
    awkward_customers(account)

    fast = exported(api, "?active=false&city=-&phone=-")

    assert fast == reference(account, active=False, city="-", phone="-")
    assert fast.count(b"\r\n") == 1


def test_the_export_runs_one_copy_on_postgresql(api, account):
    awkward_customers(account)

    with CaptureQueriesContext(connection) as captured:
        exported(api)

    copies = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("COPY (")]
    assert len(copies) == 1
    assert "TO STDOUT (FORMAT csv" in copies[0]
    assert not any("DECLARE" in query["sql"] for query in captured.captured_queries)  # no server-side cursor


def test_the_statement_timeout_is_lifted_for_the_copy_only(api, account):
    awkward_customers(account)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (before,) = cursor.fetchone()

    exported(api)

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (before,)


def test_the_admin_export_is_the_reference_bytes(staff, account, other_account):
    awkward_customers(account)
    CustomerFactory(account=other_account, legal_name="=otra cuenta")
    chosen = list(Customer.objects.filter(deleted_at__isnull=True).values_list("pk", flat=True))

    response = staff.post("/admin/customers/customer/", {"action": "export_csv", "_selected_action": chosen})

    assert response.status_code == 200
    customers = Customer.objects.filter(pk__in=chosen).order_by("legal_name_folded", "id")
    expected = "".join(spreadsheet.reference_export_lines(customers, leading=[ACCOUNT_COLUMN])).encode()
    assert b"".join(response.streaming_content) == expected


def test_an_export_jobs_file_is_the_reference_bytes(
    api, account, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "customer_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    awkward_customers(account)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/customers/exports", {"sort_by": "email"}, format="json")

    assert response.status_code == 202, response.content
    scope = DataScope.of_company(primary_company_of(account), "live")
    job = exports.get_export(scope=scope, export_id=response.json()["data"]["id"])
    assert job.status == "succeeded"
    assert (tmp_path / job.file_name).read_bytes() == reference(account, sort_by="email")


def test_a_column_without_an_sql_twin_takes_the_reference_path(api, account, monkeypatch):
    awkward_customers(account)
    shouting = spreadsheet.Column("Razón social en mayúsculas", "legal_name", read=None, write=str.upper)
    monkeypatch.setattr(spreadsheet, "COLUMNS", (*spreadsheet.COLUMNS, shouting))

    with CaptureQueriesContext(connection) as captured:
        fast = exported(api)

    assert not any(query["sql"].startswith("COPY (") for query in captured.captured_queries)
    assert fast == reference(account)
    assert "ÑANDÚ ÁVILA ÇÀ".encode() in fast  # the new column, written by its Python writer
