"""GET /customers/export: the list's filters and sort, streamed as beel's spreadsheet CSV (`;`, UTF-8 with
BOM, the columns the import reads), formula-like cells guarded; errors in the envelope. The import template
is BeeL's (tests/customers/test_import_template.py)."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import primary_company_of
from customers.models import Customer
from customers.spreadsheet import EXPORT_CHUNK_ROWS
from tests.envelope import assert_error
from tests.factories import APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/customers/export"
TEMPLATE = "/api/v1/customers/csv-template"
SPREADSHEET_HEADER = [
    "Razón social", "NIF", "Email", "Teléfono", "Dirección", "Número", "Piso", "Puerta", "Código postal",
    "Ciudad", "Provincia", "País", "Código de país", "Nombre comercial", "Tipo de identificación",
    "Número de identificación", "País de identificación", "Emails de facturación", "Persona de contacto", "Web",
    "Notas", "Descuento general", "Forma de pago", "IBAN", "BIC", "Días de pago", "Metadatos",
]  # fmt: skip


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_the_export_lists_every_customer_of_the_account_in_the_template_columns(api, account, other_account):
    mine = CustomerFactory(
        account=account, legal_name="Peña; Núñez SL", nif="B12345674", phone="+34912345678", floor="2", city="Cádiz"
    )
    CustomerFactory(account=other_account)
    CustomerFactory(account=account, mode="test")

    rows = read_csv(api.get(EXPORT))

    assert rows[0] == [*SPREADSHEET_HEADER, "Activo", "Fecha de alta", "Fecha de baja", "ID"]
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Razón social"] == "Peña; Núñez SL"
    assert record["Teléfono"] == "'+34912345678"  # guarded: a leading + would start a formula
    assert (record["Piso"], record["Ciudad"], record["Activo"], record["ID"]) == ("2", "Cádiz", "sí", str(mine.pk))
    assert record["Fecha de alta"] == mine.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert record["Fecha de baja"] == ""


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1"])
def test_cells_that_would_run_as_formulas_get_a_leading_apostrophe(api, account, formula):
    CustomerFactory(account=account, legal_name=formula, street="Calle Mayor")
    record = dict(zip(*read_csv(api.get(EXPORT)), strict=True))
    assert record["Razón social"] == "'" + formula
    assert record["Dirección"] == "Calle Mayor"


def test_every_list_filter_and_sort_applies(api, account):
    CustomerFactory(account=account, legal_name="Zapatería García", city="Sevilla")
    CustomerFactory(account=account, legal_name="Árbol García SL", city="Sevilla")
    CustomerFactory(account=account, legal_name="Bodegas García", city="Sevilla", active=False)
    CustomerFactory(account=account, legal_name="García Madrid SL", city="Madrid")
    CustomerFactory(account=account, legal_name="Otra SL", city="Sevilla")

    query = "?search=garcia&city=sevilla&active=true&sort_by=legal_name&sort_order=desc"
    rows = read_csv(api.get(EXPORT + query))
    assert [row[0] for row in rows[1:]] == ["Zapatería García", "Árbol García SL"]

    listed = api.get("/api/v1/customers" + query).json()["data"]["customers"]
    assert [customer["legal_name"] for customer in listed] == [row[0] for row in rows[1:]]


def test_paging_parameters_do_not_cut_the_export(api, account):
    CustomerFactory.create_batch(3, account=account)
    assert len(read_csv(api.get(EXPORT + "?limit=1&page=2"))) == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [("?active=maybe", "active"), ("?sort_by=colour", "sort_by"), ("?created_since=yesterday", "created_since")],
)
def test_bad_parameters_are_a_400_in_the_envelope_before_any_csv(api, query, field):
    response = api.get(EXPORT + query, HTTP_ACCEPT="text/csv")
    assert not response.streaming
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in error["details"]


def test_csv_or_json_may_be_asked_for_and_other_formats_are_406_in_the_envelope(api, account):
    CustomerFactory(account=account)
    assert len(read_csv(api.get(EXPORT, HTTP_ACCEPT="text/csv"))) == 2
    assert len(read_csv(api.get(EXPORT, HTTP_ACCEPT="application/json"))) == 2
    assert_error(api.get(EXPORT, HTTP_ACCEPT="application/xml"), 406, "NOT_ACCEPTABLE")
    # `format` is no parameter of the API (DRF's would answer an unknown one with a 404).
    assert len(read_csv(api.get(EXPORT + "?format=xml", HTTP_ACCEPT="text/csv"))) == 2


@pytest.mark.parametrize("refusing", ["text/csv;q=0, application/json", "text/csv;q=0", "*/*;q=0, application/json"])
def test_a_client_refusing_csv_is_a_406_not_a_csv(api, account, refusing):
    CustomerFactory(account=account)
    assert_error(api.get(EXPORT, HTTP_ACCEPT=refusing), 406, "NOT_ACCEPTABLE")


def test_the_import_template_refused_as_csv_is_a_406_too(api):
    assert_error(api.get("/api/v1/customers/csv-template", HTTP_ACCEPT="text/csv;q=0, */*"), 406, "NOT_ACCEPTABLE")
    assert api.get("/api/v1/customers/csv-template", HTTP_ACCEPT="application/json").status_code == 200


@pytest.mark.parametrize("accept", ["application/json;q=0.9, text/csv;q=0.1", "*/*", "text/*;q=0.5, */*;q=0"])
def test_csv_merely_liked_less_is_still_the_csv(api, account, accept):
    CustomerFactory(account=account)
    assert len(read_csv(api.get(EXPORT, HTTP_ACCEPT=accept))) == 2


def test_the_export_and_the_template_need_the_read_scope(client_for, account):
    writer = client_for(APIKeyFactory(account=account, scopes=["customers:write"]))
    reader = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))
    assert_error(writer.get(EXPORT, HTTP_ACCEPT="text/csv"), 403, "INSUFFICIENT_SCOPE")
    assert_error(writer.get(TEMPLATE), 403, "INSUFFICIENT_SCOPE")
    assert read_csv(reader.get(TEMPLATE))
    assert read_csv(reader.get(EXPORT))
    assert_error(client_for("beel_sk_live_nope").get(EXPORT, HTTP_ACCEPT="text/csv"), 401, "UNAUTHORIZED")


def test_the_export_streams_in_chunks_reading_nothing_before_the_first_row(api, account):
    total = EXPORT_CHUNK_ROWS * 2 + 7
    Customer.objects.bulk_create(
        [
            Customer(
                account=account, company=primary_company_of(account), legal_name=f"Cliente {n:05d}", nif=f"X{n:07d}"
            )
            for n in range(total)
        ]
    )
    response = api.get(EXPORT)
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as before_first_row:
        header = next(chunks)
    assert header.decode().startswith("\ufeffRazón social;NIF;")
    assert before_first_row.captured_queries == []
    rest = list(chunks)
    assert 1 < len(rest) < total  # in pieces, neither whole nor one per row
    lines = b"".join(rest).decode().split("\r\n")
    assert lines[-1] == ""
    assert len(set(lines[:-1])) == total


def test_the_export_announces_its_rows_so_a_cut_download_is_detected(api, account):
    CustomerFactory.create_batch(3, account=account, notes="una línea\r\ny otra")
    response = api.get(EXPORT)
    rows = read_csv(response)
    assert response["X-Total-Rows"] == str(len(rows) - 1) == "3"  # records, not lines: a cell may hold a break


def test_more_customers_than_a_direct_export_streams_is_a_409_pointing_to_an_export_job(api, account, settings):
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    CustomerFactory.create_batch(3, account=account)

    response = api.get(EXPORT, HTTP_ACCEPT="text/csv")

    assert not response.streaming
    error = assert_error(response, 409, "EXPORT_TOO_LARGE")
    assert error["details"] == {"max_rows": 2}
    assert "POST /customers/exports" in error["message"]
    # Filtered down to the limit, it streams.
    CustomerFactory.create_batch(2, account=account, city="Cádiz")
    assert len(read_csv(api.get(EXPORT + "?city=cadiz"))) == 3
