"""The admin's CSV import: upload, a preview with each row's status (the API's report), confirm writes
through the same service; only staff who may add customers."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import AuditEntry, Customer
from tests.admin_pages import CUSTOMERS, page_text, texts
from tests.factories import AccountFactory, CustomerFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:customers_customer_import_csv")
LINES = [
    "Razón social;NIF;Teléfono;Ciudad",
    "Ferretería Núñez SL;A58818501;;Cádiz",
    "María García López;12345678Z;654 321 987;Sevilla",
    "Mala SL;B12345678;;Madrid",
    "Tech Solutions SL;B12345674;;Madrid",
]


def csv_file(lines=LINES, *, encoding="utf-8", delimiter=";"):
    text = "\r\n".join(line.replace(";", delimiter) for line in lines)
    return SimpleUploadedFile("clientes.csv", text.encode(encoding), content_type="text/csv")


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
    assert "Teléfono stored as '+34654321987'" in text
    assert "2 customers will be created on confirming" in text
    assert Customer.objects.filter(account=acme).count() == 1


def test_confirming_writes_the_valid_rows_through_the_service(staff, acme, admin_user):
    preview(staff, csv_file())

    response = staff.post(IMPORT, {"_confirm": "1"}, follow=True)

    assert texts(response) == [
        "Imported 2 customers into account acme from clientes.csv. 2 rows were not imported (errors or duplicates)."
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
    assert "lacks the column(s) 'Razón social'" in page_text(response)
    response = preview(staff, csv_file(), account="nadie")
    assert "No customer account has this username." in page_text(response)
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
