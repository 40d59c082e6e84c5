"""`POST /api/v1/companies/{company_id}/customers/imports` and `.../imports/preview`: BeeL 1.9.0's
createCompanyCustomerImport (201, writes; Idempotency-Key required) and previewCompanyCustomerImport (200, writes
nothing), a multipart `file` with `source=csv`, into the path's company. beel reads CSV only: `source=holded` is
answered as a value outside its vocabulary."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beel.events.models import Event
from customers.models import AuditEntry, Customer
from tests.customers.company_routes import customers_url, primary
from tests.envelope import assert_error, assert_success, assert_validation_error
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

LINES = [
    "nombre_fiscal;nif;email;telefono;direccion_calle;direccion_numero;direccion_codigo_postal;direccion_poblacion;"
    "direccion_provincia",
    "Ferretería Núñez SL;A58818501;ventas@nunez.es;;Calle Ancha;3;11001;Cádiz;Cádiz",
    "María García López;12345678Z;maria@example.es;;Avenida de la Constitución;3;41001;Sevilla;Sevilla",
    "Sin NIF SL;;;;Calle Mayor;1;28013;Madrid;Madrid",
]


def csv_file(lines=LINES, name="clientes.csv"):
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(), content_type="text/csv")


def import_url(company, preview=False) -> str:
    return f"{customers_url(company)}/imports{'/preview' if preview else ''}"


def post(api, url, form, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(url, form, format="multipart", headers=headers)


def statuses(data) -> list[str]:
    return [row["status"] for row in data["customers_validation"]]


def test_the_preview_reports_every_row_and_writes_nothing(api, account):
    data = assert_success(post(api, import_url(primary(account), preview=True), {"file": csv_file(), "source": "csv"}))

    assert statuses(data) == ["VALID", "VALID", "NIF_INVALID"]
    assert data["metadata"]["is_dry_run"] is True
    assert data["metadata"]["source_type"] == "CSV_IMPORT"
    assert data["statistics"]["imported"] == 0
    assert data["statistics"]["importable"] == 2
    assert not any("customer_id" in row for row in data["customers_validation"])
    assert not Customer.objects.exists()
    assert not Event.objects.exists()


def test_the_import_creates_the_valid_rows_in_the_path_company(api, account):
    second = CompanyFactory(account=account)

    data = assert_success(post(api, import_url(second), {"file": csv_file(), "source": "csv"}, key="import-1"), 201)

    assert statuses(data) == ["VALID", "VALID", "NIF_INVALID"]
    assert data["metadata"]["is_dry_run"] is False
    assert data["statistics"]["imported"] == 2
    created = Customer.objects.filter(pk__in=[row.get("customer_id") for row in data["customers_validation"][:2]])
    assert {customer.nif for customer in created} == {"A58818501", "12345678Z"}
    assert {customer.company_id for customer in created} == {second.pk}
    assert Customer.objects.count() == 2
    assert AuditEntry.objects.filter(action="created").count() == 2
    assert Event.objects.filter(type="customer.created").count() == 2


def test_a_second_import_of_the_same_file_reports_duplicates_and_creates_nothing(api, account):
    url = import_url(primary(account))
    assert_success(post(api, url, {"file": csv_file(), "source": "csv"}, key="first"), 201)

    data = assert_success(post(api, url, {"file": csv_file(), "source": "csv"}, key="second"), 201)

    assert statuses(data) == ["DUPLICATE", "DUPLICATE", "NIF_INVALID"]
    assert data["statistics"]["imported"] == 0
    assert Customer.objects.count() == 2


def test_a_nif_of_another_company_is_not_a_duplicate_here(api, account):
    CustomerFactory(account=account, nif="12345678Z")  # the primary company's
    second = CompanyFactory(account=account)

    data = assert_success(post(api, import_url(second), {"file": csv_file(), "source": "csv"}, key="k"), 201)

    assert statuses(data)[:2] == ["VALID", "VALID"]
    assert Customer.objects.filter(nif="12345678Z").count() == 2


def test_the_import_without_idempotency_key_is_400_and_writes_nothing(api, account):
    response = post(api, import_url(primary(account)), {"file": csv_file(), "source": "csv"})

    assert_error(response, 400, "IDEMPOTENCY_KEY_REQUIRED")
    assert not Customer.objects.exists()


def test_a_retry_with_the_same_key_replays_and_creates_nothing_more(api, account):
    url = import_url(primary(account))
    first = post(api, url, {"file": csv_file(), "source": "csv"}, key="retry-me")
    assert first.status_code == 201

    again = post(api, url, {"file": csv_file(), "source": "csv"}, key="retry-me")

    assert again.status_code == 201
    assert again["Idempotency-Replay"] == "true"
    assert again.json()["data"] == first.json()["data"]
    assert Customer.objects.count() == 2


@pytest.mark.parametrize("preview", [False, True])
def test_holded_is_answered_as_a_source_beel_does_not_read(api, account, preview):
    response = post(api, import_url(primary(account), preview), {"file": csv_file(), "source": "holded"}, key="h")

    details = assert_error(response, 422, "VALIDATION_ERROR")["details"]
    assert details == {"field": "source", "invalid_value": "holded", "expected_format": None, "allowed_values": "csv"}
    assert not Customer.objects.exists()


def test_the_source_is_required(api, account):
    response = post(api, import_url(primary(account), preview=True), {"file": csv_file()})

    assert_validation_error(response, {"source"}, status=422)


def test_a_file_without_the_legal_name_column_is_400_missing_headers(api, account):
    lines = ["nif;email", "12345678Z;maria@example.es"]
    response = post(api, import_url(primary(account)), {"file": csv_file(lines), "source": "csv"}, key="k")

    error = assert_error(response, 400, "MISSING_HEADERS")
    assert error["details"]["found_headers"] == ["nif", "email"]
    assert error["details"]["missing_headers"]
    assert not Customer.objects.exists()


def test_an_undeclared_query_parameter_is_400_naming_it(api, account):
    response = post(api, f"{import_url(primary(account))}?dry_run=true", {"file": csv_file(), "source": "csv"}, key="k")

    assert_validation_error(response, {"dry_run"})
    assert not Customer.objects.exists()


def test_a_company_the_key_cannot_reach_is_403(client_for, account):
    restricted = client_for(APIKeyFactory(account=account, company_ids=[CompanyFactory(account=account).pk]))

    response = post(restricted, import_url(primary(account)), {"file": csv_file(), "source": "csv"}, key="k")

    assert_error(response, 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert not Customer.objects.exists()


def test_a_read_only_key_is_403_even_for_the_preview(client_for, account):
    reader = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))

    response = post(reader, import_url(primary(account), preview=True), {"file": csv_file(), "source": "csv"})

    assert_error(response, 403, "INSUFFICIENT_SCOPE")
