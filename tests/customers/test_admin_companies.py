"""The customer and invoice admin by company: the company shown and filtered by; a customer added in the
admin belongs to the company chosen (of the account chosen), through the same service and checks as the API;
the CSV import writes into the company chosen."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from companies.models import primary_company_of
from customers.models import AuditEntry, Customer
from invoices.models import InvoiceStatus
from tests.admin_pages import CUSTOMERS, INVOICES, get_changelist, page_text, texts
from tests.factories import AccountFactory, CompanyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

CUSTOMER_ADD = reverse("admin:customers_customer_add")
IMPORT = reverse("admin:customers_customer_import_csv")


@pytest.fixture
def group(db):
    """An account with two companies, each with a customer of the same NIF."""
    account = AccountFactory(username="grupo")
    first, second = primary_company_of(account), CompanyFactory(account=account, legal_name="Segunda SL")
    CustomerFactory(account=account, company=first, legal_name="Cliente de la primera", nif="12345678Z")
    CustomerFactory(account=account, company=second, legal_name="Cliente de la segunda", nif="12345678Z")
    return account, first, second


def new_customer(account, company=None, **fields) -> dict:
    data = {
        "account": account.username,
        "company": str(company.pk) if company else "",
        "mode": "live",
        "legal_name": "Nuevo Cliente SL",
        "trade_name": "",
        "nif": "A58818501",
        "country": "España",
        "country_code": "ES",
        "general_discount": "0",
        "metadata": "{}",
    }
    return {**data, **fields}


def test_the_list_shows_the_company_and_filters_by_it(staff, group):
    _account, _first, second = group

    everything = get_changelist(staff, CUSTOMERS)
    filtered = get_changelist(staff, CUSTOMERS, company=str(second.pk))

    assert everything.row("legal_name_shown", "Cliente de la segunda")["company_link"].text == str(second)
    assert filtered.column("legal_name_shown") == ["Cliente de la segunda"]
    assert str(second) in page_text(staff.get(CUSTOMERS, {"account": "grupo"}))  # offered as a filter link


def test_an_unknown_company_in_the_filter_lists_nothing(staff, group):
    assert get_changelist(staff, CUSTOMERS, company="no-es-un-uuid").rows == []


def test_a_customer_added_in_the_admin_belongs_to_the_chosen_company(staff, group, admin_user):
    account, _first, second = group

    response = staff.post(CUSTOMER_ADD, new_customer(account, second), follow=True)

    assert response.status_code == 200
    customer = Customer.objects.get(nif="A58818501")
    assert (customer.account_id, customer.company_id, customer.mode) == (account.pk, second.pk, "live")
    assert customer.trade_name == "Nuevo Cliente SL"  # the API's creation default
    entry = AuditEntry.objects.get(customer=customer)
    assert (entry.action, entry.channel, entry.actor) == ("created", "admin", admin_user.username)


def test_the_company_may_be_left_out_for_an_account_with_only_one(staff):
    account = AccountFactory()

    staff.post(CUSTOMER_ADD, new_customer(account), follow=True)

    assert Customer.objects.get(nif="A58818501").company == primary_company_of(account)


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("none chosen", "This account has several companies: choose one."),
        ("another account's", "This company belongs to another account."),
    ],
)
def test_the_company_must_be_one_of_the_accounts(staff, group, case, error):
    account, _first, _second = group
    company = None if case == "none chosen" else primary_company_of(AccountFactory())

    response = staff.post(CUSTOMER_ADD, new_customer(account, company))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["company"] == [error]
    assert not Customer.objects.filter(nif="A58818501").exists()


def test_a_nif_held_in_the_same_company_is_refused_and_in_another_company_accepted(staff, group):
    account, _first, second = group
    third = CompanyFactory(account=account)

    refused = staff.post(CUSTOMER_ADD, new_customer(account, second, nif="12345678Z"))
    accepted = staff.post(CUSTOMER_ADD, new_customer(account, third, nif="12345678Z"), follow=True)

    assert "nif" in refused.context["adminform"].form.errors
    assert accepted.status_code == 200
    assert Customer.objects.filter(nif="12345678Z", company=second).count() == 1
    assert Customer.objects.filter(nif="12345678Z", company=third).count() == 1


def test_a_new_customer_is_checked_as_the_api_checks_it(staff):
    account = AccountFactory()

    response = staff.post(CUSTOMER_ADD, new_customer(account, nif="", alternative_id_type=""))

    assert "nif" in response.context["adminform"].form.errors
    assert not Customer.objects.filter(account=account).exists()


def test_the_add_form_speaks_spanish(staff, group):
    account, _first, _second = group

    response = staff.post(CUSTOMER_ADD, new_customer(account), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")

    assert response.context["adminform"].form.errors["company"] == ["Esta cuenta tiene varias empresas: elija una."]
    assert "Empresa" in page_text(response)


def import_file() -> SimpleUploadedFile:
    text = "Razón social;NIF;Ciudad;Provincia\r\nFerretería Núñez SL;A58818501;Cádiz;Cádiz"
    return SimpleUploadedFile("clientes.csv", text.encode(), content_type="text/csv")


def test_the_csv_import_writes_into_the_chosen_company(staff, group, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "customer_imports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    _account, _first, second = group

    preview = staff.post(IMPORT, {"account": "grupo", "company": str(second.pk), "mode": "live", "file": import_file()})
    done = staff.post(IMPORT, {"_confirm": "1"}, follow=True)

    assert f"for company {second} of account grupo" in page_text(preview)
    assert texts(done)[0].startswith(f"Imported 1 customer into company {second} of account grupo")
    customer = Customer.objects.get(nif="A58818501")
    assert customer.company == second


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("none chosen", "This account has several companies: choose one."),
        ("another account's", "This company belongs to another account."),
    ],
)
def test_the_csv_import_refuses_a_company_not_of_the_account(staff, group, case, error):
    company = None if case == "none chosen" else primary_company_of(AccountFactory())

    response = staff.post(
        IMPORT,
        {"account": "grupo", "company": str(company.pk) if company else "", "mode": "live", "file": import_file()},
    )

    assert response.context["form"].errors["company"] == [error]
    assert response.context["report"] is None
    assert not Customer.objects.filter(nif="A58818501").exists()


def test_invoices_show_their_company_and_issuer_and_are_filtered_by_company(staff, group):
    _account, first, second = group
    theirs = Customer.objects.get(company=second)
    issued = InvoiceFactory(customer=theirs, status=InvoiceStatus.ISSUED, issuer=second.fiscal_identity())
    InvoiceFactory(customer=Customer.objects.get(company=first))
    second.legal_name = "Renombrada SL"
    second.save()

    filtered = get_changelist(staff, INVOICES, company=str(second.pk))
    page = staff.get(reverse("admin:invoices_invoice_change", args=[issued.pk])).content.decode()

    assert filtered.column("customer_link") == ["Cliente de la segunda"]
    assert filtered.rows[0]["company_link"].links == [reverse("admin:companies_company_change", args=[second.pk])]
    issuer = page.split('class="invoice-issuer"')[1].split("</table>")[0]
    assert "Segunda SL" in issuer and "Renombrada SL" not in issuer
