"""POST /customers/import-csv-preview as BeeL 1.9.0 answers it (the unified result, `source_type`
CSV_IMPORT): every row reported with its row number and status; dry_run (the default) writes nothing;
dry_run=false writes the valid rows in one transaction through the bulk create."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection

from beel.events.models import Event
from customers.models import AuditEntry, Customer
from customers.spreadsheet import MAX_IMPORT_ROWS
from customers.spreadsheet.reading import MAX_IMPORT_COLUMNS
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/import-csv-preview"
HEADER = "Razón social;NIF;Email;Teléfono;Ciudad;Provincia"


def csv_file(lines: list[str], *, encoding: str = "utf-8", delimiter: str = ";", name: str = "clientes.csv"):
    text = "\r\n".join(line.replace(";", delimiter) for line in lines) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(api, file, query: str = "", form: dict | None = None, **headers):
    return api.post(f"{URL}{query}", {"file": file, **(form or {})}, format="multipart", headers=headers)


def rows_by_line(data) -> dict[int, dict]:
    return {row["row_number"]: row for row in data["customers_validation"]}


def messages(row: dict) -> list[dict]:
    return row["errors"] + row["warnings"]


def test_each_status_is_reported_with_its_line_and_nothing_is_written_by_default(api, account):
    CustomerFactory(account=account, nif="B12345674")
    lines = [
        HEADER,
        "Ferretería Núñez SL;A58818501;ventas@nunez.es;;Cádiz;Cádiz",  # VALID
        "María García López;12345678-z;Maria@Example.ES;654 321 987;Sevilla;Sevilla",  # WARNING: normalised
        "Sin Correo SL;X1234567L;no es un correo;;Madrid;Madrid",  # ERROR
        "Mala SL;B12345678;;;Madrid;Madrid",  # NIF_INVALID
        "Tech Solutions SL;B12345674;;;Madrid;Madrid",  # DUPLICATE of an active customer
        "Otra Ferretería SL;A58818501;;;Cádiz;Cádiz",  # DUPLICATE of line 2
    ]
    data = assert_success(upload(api, csv_file(lines)))

    rows = rows_by_line(data)
    assert {line: row["status"] for line, row in rows.items()} == {
        2: "VALID",
        3: "WARNING",
        4: "ERROR",
        5: "NIF_INVALID",
        6: "DUPLICATE",
        7: "DUPLICATE",
    }
    assert [row["index"] for row in data["customers_validation"]] == [1, 2, 3, 4, 5, 6]
    statistics = data["statistics"]
    assert (statistics["valid"], statistics["with_warnings"], statistics["with_errors"]) == (1, 1, 1)
    assert (statistics["duplicates"], statistics["invalid_nifs"], statistics["imported"]) == (2, 1, 0)
    assert (statistics["importable"], statistics["not_importable"], statistics["success_rate"]) == (2, 4, 0.3333)
    metadata = data["metadata"]
    assert (metadata["is_dry_run"], metadata["total_customers"], metadata["total_rows"]) == (True, 6, 6)
    assert (metadata["source_type"], metadata["filename"]) == ("CSV_IMPORT", "clientes.csv")
    assert metadata["file_size_bytes"] == len(csv_file(lines).read())
    assert all("customer_id" not in row for row in rows.values())
    assert messages(rows[2]) == []
    assert rows[2]["customer"] == {
        "legal_name": "Ferretería Núñez SL",
        "nif": "A58818501",
        "email": "ventas@nunez.es",
        "address": {"city": "Cádiz", "province": "Cádiz"},
    }
    warned = {message["field"] for message in rows[3]["warnings"]}
    assert warned == {"nif", "email", "phone"}
    assert rows[3]["errors"] == []
    assert rows[3]["customer"]["phone"] == "+34654321987"
    assert rows[4]["errors"] == [
        {"field": "email", "value": "no es un correo", "message": "Enter a valid email address."}
    ]
    assert rows[5]["errors"][0]["field"] == "nif"
    assert rows[5]["customer"]["nif"] == "B12345678"  # as read, since it is not valid
    assert "already exists" in rows[6]["errors"][0]["message"]
    assert rows[7]["errors"] == [
        {"field": "nif", "value": "A58818501", "message": "Line 2 of the file has the same NIF"}
    ]
    assert Customer.objects.filter(account=account).count() == 1


def test_dry_run_false_writes_the_valid_and_warning_rows_with_audit_and_events(api, account):
    lines = [
        HEADER,
        "Ferretería Núñez SL;A58818501;;;Cádiz;Cádiz",
        "María García López;12345678-z;;654 321 987;Sevilla;Sevilla",
        "Mala SL;B12345678;;;Madrid;Madrid",
    ]
    data = assert_success(upload(api, csv_file(lines), form={"dry_run": "false"}))

    assert (data["metadata"]["is_dry_run"], data["statistics"]["imported"]) == (False, 2)
    created = Customer.objects.filter(account=account)
    rows = rows_by_line(data)
    ids = {row["customer_id"] for row in rows.values() if "customer_id" in row}
    assert ids == {str(pk) for pk in created.values_list("pk", flat=True)}
    assert rows[2]["customer_id"] == str(created.get(nif="A58818501").pk)
    assert "customer_id" not in rows[4]
    maria = created.get(nif="12345678Z")
    assert (maria.phone, maria.city, maria.country) == ("+34654321987", "Sevilla", "España")
    assert AuditEntry.objects.filter(customer__account=account, action="created").count() == 2
    assert Event.objects.filter(type="customer.created").count() == 2


def test_a_failure_while_writing_writes_nothing(api, account, monkeypatch):
    """All or nothing: the rows are inserted, then the unique index refuses one (a concurrent create took
    its NIF after the check), and not one row of the file stays written."""
    lines = [HEADER, "Uno SL;A58818501;;;Cádiz;Cádiz", "Dos SL;12345678Z;;;Cádiz;Cádiz"]
    insert = Customer.objects.bulk_create

    def insert_then_clash(objs, *args, **kwargs):
        insert(objs, *args, **kwargs)
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Customer.objects, "bulk_create", insert_then_clash)
    assert_error(upload(api, csv_file(lines), "?dry_run=false"), 409, "CLIENT_DUPLICATE")
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_reads_each_encoding_and_separator(api, account, encoding, delimiter):
    lines = ["Razón social;NIF;Población;Provincia;País", "Peña Ibáñez SL;A58818501;A Coruña;A Coruña;España"]
    data = assert_success(upload(api, csv_file(lines, encoding=encoding, delimiter=delimiter), "?dry_run=false"))

    metadata = data["metadata"]
    assert metadata["encoding"] == ("windows-1252" if encoding == "cp1252" else "utf-8")
    assert metadata["delimiter"] == delimiter
    assert metadata["columns"] == {
        "Razón social": "legal_name",
        "NIF": "nif",
        "Población": "city",
        "Provincia": "province",
        "País": "country",
    }
    customer = Customer.objects.get(account=account)
    assert (customer.legal_name, customer.city, customer.country) == ("Peña Ibáñez SL", "A Coruña", "España")


def test_commas_inside_quoted_cells_do_not_change_the_separator(api, account):
    lines = ['"Razón social";"NIF";"Dirección"', '"Núñez, Peña y Cía SL";"A58818501";"Calle Mayor, 5"']
    data = assert_success(upload(api, csv_file(lines)))
    assert data["metadata"]["delimiter"] == ";"
    assert data["customers_validation"][0]["customer"]["address"] == {"street": "Calle Mayor, 5"}


def test_english_headers_in_any_case_and_unknown_columns(api, account):
    lines = [
        "LEGAL NAME,Tax ID,E-mail,Phone,Zip Code,Province,Shoe size",
        "Acme SL,A58818501,a@acme.es,,28013,Madrid,42",
    ]
    data = assert_success(upload(api, csv_file(lines, delimiter=",")))
    assert data["metadata"]["ignored_columns"] == ["Shoe size"]
    row = data["customers_validation"][0]
    assert row["status"] == "VALID"
    assert row["customer"] == {
        "legal_name": "Acme SL",
        "nif": "A58818501",
        "email": "a@acme.es",
        "address": {"postal_code": "28013", "province": "Madrid"},
    }


def test_cells_beyond_the_header_are_a_warning_and_blank_lines_are_skipped(api):
    lines = ["Razón social;NIF", "", "Acme SL;A58818501;sobra", ";", "Beta SL;12345678Z"]
    data = assert_success(upload(api, csv_file(lines)))
    rows = rows_by_line(data)
    assert set(rows) == {3, 5}
    assert rows[3]["status"] == "WARNING"
    assert rows[3]["warnings"][0]["field"] == "row"
    assert "beyond the last column" in rows[3]["warnings"][0]["message"]
    assert (rows[3]["index"], rows[5]["index"], data["metadata"]["total_rows"]) == (1, 2, 2)
    assert rows[5]["status"] == "VALID"


def test_line_numbers_count_quoted_line_breaks(api):
    lines = ["Razón social;NIF;Dirección", 'Acme SL;A58818501;"Calle Mayor 5\r\nBajo"', "Beta SL;B1234"]
    rows = rows_by_line(assert_success(upload(api, csv_file(lines))))
    assert rows[2]["customer"]["address"]["street"] == "Calle Mayor 5\r\nBajo"
    assert rows[4]["status"] == "NIF_INVALID"


def test_an_export_reimports_its_formula_guarded_cells(api, account):
    CustomerFactory(account=account, legal_name="=SUMA(A1)", nif="A58818501", phone="+34912345678")
    exported = b"".join(api.get("/api/v1/customers/export").streaming_content)
    Customer.objects.filter(account=account).update(active=False)

    data = assert_success(upload(api, SimpleUploadedFile("export.csv", exported), "?dry_run=false"))
    assert data["metadata"]["ignored_columns"] == []
    assert data["customers_validation"][0]["status"] == "VALID", data["customers_validation"][0]
    again = Customer.objects.get(account=account, active=True)
    assert (again.legal_name, again.phone) == ("=SUMA(A1)", "+34912345678")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("Razón social;NIF;Nombre\n".encode(), "both"),
        (b'Raz\xc3\xb3n social;NIF\n"Acme;"A58818501\n', "not valid CSV"),
        (b"Raz\x81n social;NIF\n", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_a_file_the_import_cannot_read_is_a_400_in_the_envelope(api, account, content, fragment):
    error = assert_error(upload(api, SimpleUploadedFile("x.csv", content)), 400, "CSV_INVALID")
    assert fragment in error["message"]
    assert not Customer.objects.exists()


def test_more_than_the_row_limit_is_refused_whole(api, account):
    lines = [HEADER, *(f"Cliente {n};{valid_dni(n)};;;;" for n in range(MAX_IMPORT_ROWS + 1))]
    error = assert_error(upload(api, csv_file(lines), "?dry_run=false"), 400, "TOO_MANY_RECORDS")
    assert error["details"] == {"record_count": MAX_IMPORT_ROWS + 1, "max_records": MAX_IMPORT_ROWS}
    assert not Customer.objects.exists()


def test_the_row_limit_itself_is_accepted(api, account):
    lines = [HEADER, *(f"Cliente {n};{valid_dni(n)};;;;" for n in range(MAX_IMPORT_ROWS))]
    data = assert_success(upload(api, csv_file(lines)))
    assert data["statistics"]["valid"] == MAX_IMPORT_ROWS


def test_a_file_over_5_mb_is_a_400_with_its_size_and_a_body_over_12_mb_a_413(api, account):
    big = SimpleUploadedFile("big.csv", HEADER.encode() + b"\n" + b"x" * (6 * 1024 * 1024))
    error = assert_error(upload(api, big), 400, "CSV_FILE_TOO_LARGE")
    assert error["details"] == {"file_size_mb": 6.0, "max_file_size_mb": 5}
    bigger = SimpleUploadedFile("bigger.csv", b"x" * (13 * 1024 * 1024))
    assert_error(upload(api, bigger), 413, "FILE_TOO_LARGE")
    assert not Customer.objects.exists()


@pytest.mark.parametrize("delimiter", [";", ","])
def test_a_header_of_a_million_empty_columns_is_refused_at_once_naming_the_limit(api, account, delimiter):
    """A header of 5 MB of `;` was read cell by cell for over 30 s (1 MB: 4.4 s) until the worker was killed,
    an HTML 500; it is refused from its first line."""
    header = "Razón social" + delimiter * 1_000_000
    file = SimpleUploadedFile("wide.csv", f"{header}\r\nFerretería Núñez SL\r\n".encode(), content_type="text/csv")
    started = time.monotonic()

    error = assert_error(upload(api, file, "?dry_run=false"), 400, "TOO_MANY_COLUMNS")

    assert time.monotonic() - started < 1
    assert error["details"] == {"line": 1, "column_count": 1_000_001, "max_columns": MAX_IMPORT_COLUMNS}
    assert not Customer.objects.exists()


def test_a_data_line_wider_than_the_limit_is_refused_with_its_line(api, account):
    lines = [HEADER, "Ferretería Núñez SL;A58818501;;;;", "Otra SL" + ";" * MAX_IMPORT_COLUMNS]

    error = assert_error(upload(api, csv_file(lines), "?dry_run=false"), 400, "TOO_MANY_COLUMNS")

    assert error["details"] == {"line": 3, "column_count": MAX_IMPORT_COLUMNS + 1, "max_columns": MAX_IMPORT_COLUMNS}
    assert not Customer.objects.exists()


def test_a_file_with_the_column_limit_is_read(api, account):
    header = HEADER + ";" * (MAX_IMPORT_COLUMNS - HEADER.count(";") - 1)
    data = assert_success(upload(api, csv_file([header, "Ferretería Núñez SL;A58818501;;;;"])))
    assert data["statistics"]["valid"] == 1


def test_without_a_file_or_as_json_it_is_refused_in_the_envelope(api):
    assert_error(api.post(URL, {}, format="multipart"), 422, "VALIDATION_ERROR")
    assert_error(upload(api, SimpleUploadedFile("empty.csv", b"")), 422, "VALIDATION_ERROR")
    assert_error(api.post(URL, {"file": "x"}, format="json"), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(upload(api, csv_file([HEADER]), "?dry_run=maybe"), 400, "VALIDATION_ERROR")


def test_needs_the_write_scope_and_sees_only_its_own_account(client_for, account, other_account):
    reader = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))
    assert_error(upload(reader, csv_file([HEADER])), 403, "INSUFFICIENT_SCOPE")
    CustomerFactory(account=other_account, nif="A58818501")
    writer = client_for(APIKeyFactory(account=account, scopes=["customers:write"]))
    data = assert_success(upload(writer, csv_file([HEADER, "Acme SL;A58818501;;;;"]), "?dry_run=false"))
    assert data["customers_validation"][0]["status"] == "VALID"
    assert Customer.objects.get(account=account).nif == "A58818501"


def test_an_idempotency_key_replays_the_import_and_refuses_another_file(api, account):
    lines = [HEADER, "Acme SL;A58818501;;;;"]
    first = upload(api, csv_file(lines), "?dry_run=false", **{"Idempotency-Key": "import-1"})
    again = upload(api, csv_file(lines), "?dry_run=false", **{"Idempotency-Key": "import-1"})
    assert again["Idempotency-Replay"] == "true"
    assert assert_success(again) == assert_success(first)
    assert Customer.objects.filter(account=account).count() == 1
    other = upload(
        api, csv_file([HEADER, "Beta SL;12345678Z;;;;"]), "?dry_run=false", **{"Idempotency-Key": "import-1"}
    )
    assert_error(other, 409, "IDEMPOTENCY_KEY_MISMATCH")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_of_the_same_nifs_create_each_customer_once(client_for, account):
    """Real threads on PostgreSQL: both pass the duplicate check, the partial unique index lets one write and
    the other is refused whole (409), never a customer twice."""
    key = APIKeyFactory(account=account)
    lines = [HEADER, *(f"Cliente {n};{valid_dni(n)};;;;" for n in range(200))]
    barrier = threading.Barrier(2)
    statuses = []

    def run():
        client = client_for(key)
        barrier.wait()
        try:
            statuses.append(upload(client, csv_file(lines), "?dry_run=false").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Customer.objects.filter(account=account).count() == 200
    assert sorted(statuses) in ([200, 200], [200, 409])


RECORD_HEADER = (
    "Razón social;NIF;País;Código de país;Tipo de identificación;Número de identificación;País de identificación;"
    "Emails de facturación;Descuento general;Forma de pago;IBAN;BIC;Días de pago;Metadatos"
)


def test_a_foreign_customer_with_its_billing_details_is_read_from_the_record_columns(api, account):
    lines = [
        RECORD_HEADER,
        'Müller GmbH;;Alemania;DE;2;DE 136 695 976;DE;"a@muller.de, b@muller.de";12,5;Transferencia;'
        'DE89 3704 0044 0532 0130 00;DEUTDEFF;30;"{""crm"": ""42""}"',
        "Bad VAT SL;;Alemania;DE;02;DE136695977;DE;;;;;;;",  # the VAT checksum fails
        "Otra GmbH;;Alemania;DE;02;DE136695976;DE;;;;;;;",  # the same alternative id as line 2
        # The same number of the same country as a passport: one identity still (the unique index ignores the type)
        "Pasaporte GmbH;;Alemania;DE;03;DE136695976;DE;;;;;;;",
    ]

    data = assert_success(upload(api, csv_file(lines), "?dry_run=false"))

    rows = rows_by_line(data)
    assert [rows[line]["status"] for line in (2, 3, 4, 5)] == ["WARNING", "ERROR", "DUPLICATE", "DUPLICATE"]
    assert rows[3]["errors"][0]["field"] == "alternative_id"
    assert rows[4]["errors"][0]["message"] == "Line 2 of the file has the same alternative id"
    assert rows[5]["errors"][0]["message"] == "Line 2 of the file has the same alternative id"
    written = Customer.objects.get(account=account)
    assert (written.nif, written.alternative_id_type, written.alternative_id_number) == ("", "02", "DE136695976")
    assert (written.country_code, written.billing_emails) == ("DE", ["a@muller.de", "b@muller.de"])
    assert (str(written.general_discount), written.payment_method, written.payment_term_days) == (
        "12.50",
        "BANK_TRANSFER",  # "Transferencia" is BeeL's BANK_TRANSFER
        30,
    )
    assert (written.iban, written.swift, written.metadata) == ("DE89370400440532013000", "DEUTDEFF", {"crm": "42"})


def test_an_export_imports_back_unchanged_with_every_record_column(api, account):
    original = CustomerFactory(
        account=account,
        nif="",
        alternative_id_type="02",
        alternative_id_number="DE136695976",
        alternative_id_country="DE",
        country="Alemania",
        country_code="DE",
        billing_emails=["a@muller.de"],
        general_discount="7.25",
        payment_method="BANK_TRANSFER",
        iban="DE89370400440532013000",
        payment_term_days=15,
        metadata={"crm": "42"},
        notes="=not a formula",
    )
    exported = b"".join(api.get("/api/v1/customers/export").streaming_content)
    original.delete()

    data = assert_success(upload(api, SimpleUploadedFile("export.csv", exported), "?dry_run=false"))

    assert [row["status"] for row in data["customers_validation"]] == ["VALID"]
    again = Customer.objects.get(account=account)
    for name in ("alternative_id_number", "country_code", "billing_emails", "iban", "payment_term_days", "metadata"):
        assert getattr(again, name) == getattr(original, name)
    assert (str(again.general_discount), again.notes) == ("7.25", "=not a formula")
