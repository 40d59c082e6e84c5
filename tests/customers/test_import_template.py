"""BeeL's CSV template (POST /customers/templates/csv, and beel's GET /customers/csv-template) and the import
reading BeeL's headers, their English names and the Spanish spreadsheets' own: the template imports as is,
Spanish payment words map to BeeL's methods, a postal code that lost its leading zero is given it back with a
warning, every problem of a row is reported at once, and the whole-file refusals carry BeeL's details."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory

pytestmark = pytest.mark.django_db

TEMPLATE = "/api/v1/customers/templates/csv"
ALIAS = "/api/v1/customers/csv-template"
IMPORT = "/api/v1/customers/import-csv-preview"
BEEL_HEADER = (
    "nombre_fiscal;nif;email;telefono;direccion_calle;direccion_numero;direccion_codigo_postal;"
    "direccion_poblacion;direccion_provincia"
)


def template_bytes(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="template_clientes_beel.csv"'
    return b"".join(response.streaming_content)


def upload(api, content: bytes, name: str = "clientes.csv", **form):
    return api.post(IMPORT, {"file": SimpleUploadedFile(name, content), **form}, format="multipart")


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def test_the_template_is_beels_file(api):
    raw = template_bytes(api.post(TEMPLATE))

    assert raw.startswith(b"\xef\xbb\xbf" + BEEL_HEADER.encode() + b"\r\n")
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 5
    assert all(line.count(";") == 8 for line in lines)
    assert template_bytes(api.get(ALIAS)) == raw  # beel's older route, the same file
    assert template_bytes(api.post(TEMPLATE, HTTP_ACCEPT="text/csv")) == raw


def test_the_template_imports_as_is(api, account):
    raw = template_bytes(api.post(TEMPLATE))

    preview = assert_success(upload(api, raw, "template_clientes_beel.csv"))
    assert preview["metadata"]["total_rows"] == 4
    assert preview["statistics"]["importable"] == 4, preview["customers_validation"]
    assert not Customer.objects.exists()

    data = assert_success(upload(api, raw, "template_clientes_beel.csv", dry_run="false"))
    assert data["statistics"]["imported"] == 4
    assert Customer.objects.filter(account=account).count() == 4
    empresa = Customer.objects.get(account=account, nif="B12345674")
    assert (empresa.street, empresa.number, empresa.postal_code) == ("Calle Mayor", "15", "28013")
    assert (empresa.city, empresa.province, empresa.email) == ("Madrid", "Madrid", "contacto@empresaejemplo.es")


def test_the_template_needs_only_the_read_scope(client_for, account):
    reader = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))
    assert template_bytes(reader.post(TEMPLATE))
    writer = client_for(APIKeyFactory(account=account, scopes=["customers:write"]))
    assert_error(writer.post(TEMPLATE), 403)


def test_english_header_names_are_read(api):
    content = csv_bytes(
        "legal_name;nif;email;phone;address_street;address_number;address_postal_code;address_city;address_province",
        "Acme SL;A58818501;info@acme.es;;Gran Vía;1;28013;Madrid;Madrid",
    )
    row = assert_success(upload(api, content))["customers_validation"][0]
    assert row["status"] == "VALID", row
    assert row["customer"]["address"] == {
        "street": "Gran Vía",
        "number": "1",
        "postal_code": "28013",
        "city": "Madrid",
        "province": "Madrid",
    }


def test_a_four_digit_spanish_postal_code_gets_its_leading_zero_back_with_a_warning(api, account):
    content = csv_bytes(BEEL_HEADER, "Jan Kowalski;X1234567L;;;Carrer de Balmes;101;8008;Barcelona;Barcelona")

    data = assert_success(upload(api, content, dry_run="false"))

    row = data["customers_validation"][0]
    assert (row["status"], row["index"], row["row_number"]) == ("WARNING", 1, 2)
    assert row["warnings"] == [
        {"field": "address.postal_code", "message": "Postal code 8008 read as 08008 (its leading zero was lost)"}
    ]
    assert row["customer"]["address"]["postal_code"] == "08008"
    assert Customer.objects.get(account=account).postal_code == "08008"


def test_a_foreign_four_digit_postal_code_is_left_alone(api):
    content = csv_bytes("Razón social;NIF;Código postal;Código de país", "Acme SL;A58818501;1010;AT")
    row = assert_success(upload(api, content))["customers_validation"][0]
    assert row["warnings"] == []
    assert row["customer"]["address"]["postal_code"] == "1010"


def test_every_problem_of_a_row_is_reported_at_once(api):
    content = csv_bytes(
        "Razón social;NIF;Email;Forma de pago",
        "Acme SL;B12345678;no es un correo;Trueque",
    )
    row = assert_success(upload(api, content))["customers_validation"][0]
    assert row["status"] == "NIF_INVALID"
    assert {error["field"] for error in row["errors"]} == {"nif", "email", "preferred_payment_method.method"}
    assert {error["value"] for error in row["errors"]} == {"B12345678", "no es un correo", "Trueque"}


def test_missing_headers_name_what_is_missing_and_what_was_found(api, account):
    error = assert_error(upload(api, csv_bytes("NIF;Ciudad", "B12345674;Madrid")), 400, "MISSING_HEADERS")
    assert error["details"] == {"missing_headers": ["nombre_fiscal"], "found_headers": ["NIF", "Ciudad"]}
    assert "nombre_fiscal" in error["message"]
    assert not Customer.objects.exists()


def test_the_form_field_dry_run_wins_and_the_query_parameter_is_still_read(api, account):
    content = csv_bytes(BEEL_HEADER, "Acme SL;A58818501;;;;;;;")
    assert assert_success(upload(api, content))["metadata"]["is_dry_run"] is True
    response = api.post(
        f"{IMPORT}?dry_run=false", {"file": SimpleUploadedFile("a.csv", content), "dry_run": "true"}, format="multipart"
    )
    assert assert_success(response)["metadata"]["is_dry_run"] is True
    response = api.post(f"{IMPORT}?dry_run=false", {"file": SimpleUploadedFile("a.csv", content)}, format="multipart")
    assert assert_success(response)["statistics"]["imported"] == 1
    assert_error(upload(api, content, dry_run="maybe"), 422, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("word", "method"),
    [
        ("Transferencia", "BANK_TRANSFER"),
        ("transferencia bancaria", "BANK_TRANSFER"),
        ("Domiciliación", "DIRECT_DEBIT"),
        ("Recibo domiciliado", "DIRECT_DEBIT"),
        ("Efectivo", "CASH"),
        ("Tarjeta", "CARD"),
        ("Bizum", "BIZUM"),
        ("Cheque", "CHECK"),
        ("Otro", "OTHER"),
        ("BANK_TRANSFER", "BANK_TRANSFER"),
        ("transfer", "BANK_TRANSFER"),  # beel's older exports
    ],
)
def test_spanish_payment_words_are_beels_payment_methods(api, account, word, method):
    iban = "ES9121000418450200051332" if method == "BANK_TRANSFER" else ""
    content = csv_bytes("Razón social;NIF;Forma de pago;IBAN", f"Acme SL;A58818501;{word};{iban}")

    data = assert_success(upload(api, content, dry_run="false"))

    row = data["customers_validation"][0]
    assert row["status"] in ("VALID", "WARNING"), row
    assert row["customer"]["preferred_payment_method"]["method"] == method
    assert Customer.objects.get(account=account).payment_method == method


def test_a_rows_spanish_address_needs_no_province_unlike_the_bulk(api):
    row = assert_success(upload(api, csv_bytes("Razón social;NIF;Ciudad", "Acme SL;A58818501;Madrid")))
    assert row["customers_validation"][0]["status"] == "VALID"
    item = {"legal_name": "Acme SL", "nif": "A58818501", "address": {"city": "Madrid"}}
    refused = assert_error(api.post("/api/v1/customers/bulk", {"customers": [item]}, format="json"), 422)
    assert refused["errors"][0]["field"] == "address.province"
