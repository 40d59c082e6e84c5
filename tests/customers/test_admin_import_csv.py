"""The admin's CSV import: upload, a preview with each row's status (the API's report), confirm writes
through the same service; only staff who may add customers."""

import csv
import io
import os
import re
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from companies.models import primary_company_of
from customers.admin.pending_import import IMPORT_SESSION_KEY, STALE_AFTER, pending_storage
from customers.models import AuditEntry, Customer
from tests.admin_pages import CUSTOMERS, page_text, texts
from tests.factories import AccountFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:customers_customer_import_csv")
LINES = [
    "Razón social;NIF;Teléfono;Ciudad;Provincia",
    "Ferretería Núñez SL;A58818501;;Cádiz;Cádiz",
    "María García López;12345678Z;654 321 987;Sevilla;Sevilla",
    "Mala SL;B12345678;;Madrid;Madrid",
    "Tech Solutions SL;B12345674;;Madrid;Madrid",
]


def csv_file(lines=LINES, *, encoding="utf-8", delimiter=";"):
    text = "\r\n".join(line.replace(";", delimiter) for line in lines)
    return SimpleUploadedFile("clientes.csv", text.encode(encoding), content_type="text/csv")


@pytest.fixture(autouse=True)
def pending_files(settings, tmp_path):
    """Where previewed files wait (STORAGES["customer_imports"]), a fresh directory per test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "customer_imports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "pending")},
        },
    }
    return tmp_path / "pending"


def waiting_files(directory) -> list[str]:
    return sorted(os.listdir(directory)) if directory.exists() else []


@pytest.fixture
def acme(db):
    account = AccountFactory(username="acme")
    CustomerFactory(account=account, nif="B12345674")
    return account


def preview(client, file, account="acme", mode="live"):
    return client.post(IMPORT, {"account": account, "mode": mode, "file": file})


def test_the_changelist_links_to_the_import(staff):
    assert IMPORT in staff.get(CUSTOMERS).content.decode()


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ";"), ("cp1252", ","), ("utf-8", ",")])
def test_the_preview_shows_each_row_status_and_writes_nothing(staff, acme, encoding, delimiter):
    response = preview(staff, csv_file(encoding=encoding, delimiter=delimiter))

    assert response.status_code == 200
    rows = response.context["report"].rows
    assert [(row.line, row.status) for row in rows] == [
        (2, "VALID"),
        (3, "WARNING"),
        (4, "NIF_INVALID"),
        (5, "DUPLICATE"),
    ]
    text = page_text(response)
    assert "Ferretería Núñez SL" in text
    assert "Phone: will be stored as +34654321987" in text
    assert "2 customers will be created on confirming" in text
    assert Customer.objects.filter(account=acme).count() == 1


def test_confirming_writes_the_valid_rows_through_the_service(staff, acme, admin_user):
    preview(staff, csv_file())

    response = staff.post(IMPORT, {"_confirm": "1"}, follow=True)

    company = primary_company_of(acme)
    assert texts(response) == [
        f"Imported 2 customers into company {company} of account acme from clientes.csv. 2 rows were not imported "
        "(errors or duplicates). Download the rejected rows (CSV)"
    ]
    assert set(Customer.objects.filter(account=acme).values_list("nif", flat=True)) == {
        "B12345674",
        "A58818501",
        "12345678Z",
    }
    maria = Customer.objects.get(account=acme, nif="12345678Z")
    assert (maria.mode, maria.phone) == ("live", "+34654321987")
    entry = AuditEntry.objects.get(customer=maria)
    assert (entry.action, entry.channel, entry.actor) == ("created", "admin", admin_user.username)
    # The file was used once: confirming again imports nothing.
    again = staff.post(IMPORT, {"_confirm": "1"}, follow=True)
    assert texts(again) == ["Nothing to import: upload the file again."]
    assert Customer.objects.filter(account=acme).count() == 3


def test_a_test_mode_import_writes_test_customers(staff, acme):
    preview(staff, csv_file(), mode="test")
    staff.post(IMPORT, {"_confirm": "1"})
    assert set(Customer.objects.filter(account=acme, mode="test").values_list("nif", flat=True)) == {
        "A58818501",
        "12345678Z",
        "B12345674",  # held by a live customer only: another mode is another set of customers
    }


def test_an_unreadable_file_or_unknown_account_is_a_form_error(staff, acme):
    response = preview(staff, SimpleUploadedFile("x.csv", b"NIF;Ciudad\nB12345674;Madrid\n"))
    assert "lacks the column(s) nombre_fiscal (Razón social)" in page_text(response)
    response = preview(staff, csv_file(), account="nadie")
    assert "No customer account has this username." in page_text(response)
    assert response.context["report"] is None
    assert Customer.objects.count() == 1


def test_a_file_with_absurdly_many_columns_is_a_form_error_in_spanish(staff, acme):
    wide = SimpleUploadedFile("ancho.csv", ("Razón social" + ";" * 100_000 + "\r\nNúñez SL\r\n").encode())

    response = staff.post(IMPORT, {"account": "acme", "mode": "live", "file": wide}, headers={"accept-language": "es"})

    assert "La línea 1 del archivo tiene 100001 columnas; una importación lee como máximo 256." in page_text(response)
    assert response.context["report"] is None
    assert Customer.objects.count() == 1


def test_staff_without_the_add_permission_cannot_import(client, acme):
    viewer = AccountFactory(username="lectora", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(viewer)

    assert IMPORT not in client.get(CUSTOMERS).content.decode()
    assert client.get(IMPORT).status_code == 403
    assert preview(client, csv_file()).status_code == 403
    assert Customer.objects.count() == 1


def test_the_import_page_speaks_spanish(staff, acme):
    response = staff.post(
        IMPORT, {"account": "acme", "mode": "live", "file": csv_file()}, headers={"accept-language": "es"}
    )
    text = page_text(response)
    assert "Importar CSV" in text
    assert "NIF no válido" in text
    assert "Duplicado" in text


def test_the_previewed_file_waits_in_storage_not_in_the_session(staff, acme, admin_user, pending_files):
    preview(staff, csv_file())

    pending = staff.session[IMPORT_SESSION_KEY]
    assert set(pending) == {"company", "mode", "name", "file"}
    assert "Ferretería" not in str(dict(staff.session.items()))
    assert waiting_files(pending_files) == [pending["file"]]
    assert pending["file"].startswith(f"{admin_user.pk}-")
    assert "Ferretería Núñez SL" in (pending_files / pending["file"]).read_text(encoding="utf-8")

    staff.post(IMPORT, {"_confirm": "1"})

    # The file is gone; what remains are the rows it did not import, kept for their download.
    assert [name.split("-")[0] for name in waiting_files(pending_files)] == ["rejected"]
    assert IMPORT_SESSION_KEY not in staff.session
    assert Customer.objects.filter(account=acme).count() == 3


def test_a_second_preview_replaces_the_waiting_file(staff, acme, pending_files):
    preview(staff, csv_file())
    first = staff.session[IMPORT_SESSION_KEY]["file"]
    preview(staff, csv_file(LINES[:2]))

    assert waiting_files(pending_files) == [staff.session[IMPORT_SESSION_KEY]["file"]]
    assert first not in waiting_files(pending_files)


def test_cancelling_deletes_the_waiting_file_and_imports_nothing(staff, acme, pending_files):
    preview(staff, csv_file())

    response = staff.post(IMPORT, {"_cancel": "1"})

    assert response.status_code == 302
    assert waiting_files(pending_files) == []
    again = staff.post(IMPORT, {"_confirm": "1"}, follow=True)
    assert texts(again) == ["Nothing to import: upload the file again."]
    assert Customer.objects.filter(account=acme).count() == 1


def test_a_file_left_waiting_is_purged_by_a_later_preview(staff, acme, pending_files):
    storage = pending_storage()
    stale = storage.save("999-forgotten.csv", ContentFile(b"Raz\xc3\xb3n social;NIF\n"))
    recent = storage.save("999-recent.csv", ContentFile(b"Raz\xc3\xb3n social;NIF\n"))
    long_ago = time.time() - STALE_AFTER.total_seconds() - 60
    os.utime(pending_files / stale, (long_ago, long_ago))

    preview(staff, csv_file())

    assert stale not in waiting_files(pending_files)
    assert recent in waiting_files(pending_files)


def test_a_session_cannot_confirm_another_users_file(staff, acme, pending_files):
    preview(staff, csv_file())
    others = pending_storage().save("999-someone-else.csv", ContentFile("\r\n".join(LINES).encode()))
    session = staff.session
    session[IMPORT_SESSION_KEY] = {**session[IMPORT_SESSION_KEY], "file": others}
    session.save()

    response = staff.post(IMPORT, {"_confirm": "1"}, follow=True)

    assert texts(response) == ["Nothing to import: upload the file again."]
    assert others in waiting_files(pending_files)
    assert Customer.objects.filter(account=acme).count() == 1


# --- the review: statuses, filter and sort, the rejected rows ---------------------------------------------

ES = {"accept-language": "es"}
MIXED = [
    "Razón social;NIF;Teléfono;Código postal;Ciudad",
    "Ferretería Núñez SL;A58818501;;28013;Cádiz",  # valid
    "María García López;12345678z;654 321 987;41001;Sevilla",  # NIF and phone normalised
    f"Sobra SL;{valid_dni(1)};;28001;Madrid;celda de más",  # a cell ignored: a warning
    f"Barna SL;{valid_dni(2)};;8008;Barcelona",  # the postal code's lost zero given back
    "Mala SL;B12345678;;28001;Madrid",  # rejected: the NIF's check letter
    "Repetida SL;A58818501;;28002;Madrid",  # rejected: line 2 has the NIF
]


def review(client, **query):
    return client.get(IMPORT, {"review": "1", **query}, headers=ES)


def test_the_review_tells_normalisations_from_warnings_and_names_the_fields_in_spanish(staff, acme):
    response = staff.post(IMPORT, {"account": "acme", "mode": "live", "file": csv_file(MIXED)}, headers=ES)

    assert [(row.line, row.status, row.label) for row in response.context["rows"]] == [
        (2, "valid", "Válida"),
        (3, "normalised", "Válida, normalizada"),
        (4, "warning", "Válida, con avisos"),
        (5, "normalised", "Válida, normalizada"),
        (6, "rejected", "Rechazada: NIF no válido"),
        (7, "rejected", "Rechazada: Duplicado"),
    ]
    maria, extra, barna, _, repeated = response.context["rows"][1:]
    assert (maria.problems, maria.normalisations) == (
        [],
        ["NIF: se guardará como 12345678Z", "Teléfono: se guardará como +34654321987"],
    )
    assert extra.problems == ["Fila: se ignoró 1 celda más allá de la última columna de la cabecera"]
    assert barna.normalisations == [
        "Código postal: se guardará como 08008: el 8008 del archivo había perdido su cero inicial"
    ]
    assert repeated.problems == ["NIF: la línea 2 del archivo tiene el mismo valor"]
    text = page_text(response)
    assert "Todas las filas: 6 Rechazada: 2 Válida, con avisos: 1 Válida, normalizada: 2 Válida: 1" in text
    html = response.content.decode()
    # The confirmation above the table and below it, the status as words beside its colour.
    assert html.index('id="confirm-import-top"') < html.index('id="import-preview"') < html.index('id="confirm-import"')
    assert 'value="Sí, importar las 4 filas válidas"' in html
    assert '<span class="import-status import-status-warning">Válida, con avisos</span>' in html
    assert Customer.objects.filter(account=acme).count() == 1


def test_the_review_filters_and_sorts_by_status_through_the_query(staff, acme):
    staff.post(IMPORT, {"account": "acme", "mode": "live", "file": csv_file(MIXED)})

    warnings = review(staff, status="warning")
    by_status = review(staff, sort="status")
    rejected_by_status = review(staff, status="rejected", sort="status")

    assert [row.line for row in warnings.context["rows"]] == [4]
    assert 'aria-current="true">Válida, con avisos: 1' in warnings.content.decode()
    assert [(row.status, row.line) for row in by_status.context["rows"]] == [
        ("rejected", 6),
        ("rejected", 7),
        ("warning", 4),
        ("normalised", 3),
        ("normalised", 5),
        ("valid", 2),
    ]
    assert [row.line for row in rejected_by_status.context["rows"]] == [6, 7]
    assert [row.line for row in review(staff, status="nonsense").context["rows"]] == [2, 3, 4, 5, 6, 7]
    assert Customer.objects.filter(account=acme).count() == 1
    # The file still waits: confirming from the filtered page imports every valid row.
    staff.post(IMPORT, {"_confirm": "1"})
    assert Customer.objects.filter(account=acme).count() == 5


def test_the_review_without_a_waiting_file_asks_for_it_again(staff, acme):
    response = staff.get(IMPORT, {"review": "1"}, follow=True)
    assert texts(response) == ["Nothing to import: upload the file again."]


def rejected_download_url(response) -> str:
    return re.search(r'href="([^"]+)" id="download-rejected"', str(next(iter(response.context["messages"])))).group(1)


def test_after_confirming_staff_download_the_rejected_rows_with_their_reasons(staff, acme):
    staff.post(IMPORT, {"account": "acme", "mode": "live", "file": csv_file(MIXED)}, headers=ES)
    confirmed = staff.post(IMPORT, {"_confirm": "1"}, headers=ES, follow=True)
    url = rejected_download_url(confirmed)

    download = staff.get(url, headers=ES)

    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="filas-rechazadas-' in download["Content-Disposition"]
    body = b"".join(download.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    header, bad, repeated = csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";")
    assert header == ["Razón social", "NIF", "Teléfono", "Código postal", "Ciudad", "Motivo"]
    assert bad[:5] == ["Mala SL", "B12345678", "", "28001", "Madrid"] and bad[5].startswith("NIF: ")
    assert repeated == [
        "Repetida SL",
        "A58818501",
        "",
        "28002",
        "Madrid",
        "NIF: la línea 2 del archivo tiene el mismo valor",
    ]
    assert set(Customer.objects.filter(account=acme).values_list("legal_name", flat=True)) == {
        "Ferretería Núñez SL",
        "María García López",
        "Sobra SL",
        "Barna SL",
        acme.customers.get(nif="B12345674").legal_name,
    }
    # Staff who may see customers download it too; staff who may not, and unknown rows, get nothing.
    viewer = AccountFactory(username="lectora", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_customer"))
    reader = Client()
    reader.force_login(viewer)
    assert reader.get(url).status_code == 200
    viewer.user_permissions.clear()
    assert reader.get(url).status_code == 403
    assert staff.get(url.replace(url.split("/")[-2], "0" * 32)).status_code == 404
