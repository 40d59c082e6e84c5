"""Companies in the admin: listed with their account, whether they are primary and whether they may issue
invoices (and what they lack); their fiscal identity edited with the API's checks of a NIF and an address;
never moved to another account nor made primary; deleted only while nothing holds them."""

import pytest
from django.urls import reverse

from apikeys.models import APIKey
from companies.models import Company, primary_company_of
from tests.admin_pages import change_form_data, get_changelist, page_text
from tests.factories import AccountFactory, CompanyFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

COMPANIES = reverse("admin:companies_company_changelist")
COMPANY_ADD = reverse("admin:companies_company_add")
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}


def change_url(company) -> str:
    return reverse("admin:companies_company_change", args=[company.pk])


def delete_url(company) -> str:
    return reverse("admin:companies_company_delete", args=[company.pk])


def test_the_list_shows_each_company_its_account_whether_primary_and_whether_it_can_issue(staff):
    ready = AccountFactory(username="lista")
    AccountFactory(username="nueva", fiscal_identity=False)
    second = CompanyFactory(account=ready, legal_name="Segunda SL", trade_name="Segunda")

    page = get_changelist(staff, COMPANIES)

    rows = {row["account"].text + "/" + row["name"].text: row for row in page.rows}
    primary = primary_company_of(ready)
    assert rows[f"lista/{primary.legal_name}"]["readiness"].text == "Yes"
    assert rows[f"lista/{primary.legal_name}"]["is_primary"].text == "True"
    assert rows["lista/Segunda"]["is_primary"].text == "False"
    assert rows["lista/Segunda"]["nif"].text == second.nif
    assert rows["nueva/(no fiscal name yet)"]["readiness"].text == (
        "No: missing NIF, Legal name, Street, Postal code, City, Province"
    )
    assert len(page.rows) == Company.objects.count()  # the staff user's own company too


def test_the_list_speaks_spanish_to_a_spanish_browser(staff):
    AccountFactory(fiscal_identity=False)

    text = page_text(staff.get(COMPANIES, **SPANISH))

    assert "Lista para emitir" in text
    assert "No: falta NIF, Razón social, Calle, Código postal, Localidad, Provincia" in text


def test_staff_complete_a_fiscal_identity_and_the_company_can_issue(staff):
    company = primary_company_of(AccountFactory(fiscal_identity=False))
    data = change_form_data(staff, change_url(company))
    data.update(
        legal_name="Talleres Norte SL",
        nif=" b-12345674 ",
        entity_type="LEGAL_ENTITY",
        street="Calle Mayor",
        number="3",
        postal_code="28013",
        city="Madrid",
        province="Madrid",
        country_code="es",
    )

    response = staff.post(change_url(company), data, follow=True)

    assert response.status_code == 200
    company.refresh_from_db()
    assert (company.nif, company.legal_name, company.country_code) == ("B12345674", "Talleres Norte SL", "ES")
    assert company.can_issue
    assert company.is_primary


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nif", "B12345678", "Not a valid Spanish NIF, NIE or CIF (check the control character)."),
        ("nif", "123", "Not shaped as a Spanish NIF, NIE or CIF (9 characters)."),
        ("postal_code", "99001", "A Spanish postal code has five digits, from 01000 to 52999."),
        ("country_code", "XX", "Not an ISO 3166-1 alpha-2 country code (e.g. ES, PT, DE)."),
    ],
)
def test_an_invalid_nif_or_address_is_refused_and_nothing_changes(staff, field, value, message):
    company = primary_company_of(AccountFactory())
    before = Company.objects.values().get(pk=company.pk)
    data = {**change_form_data(staff, change_url(company)), field: value}

    response = staff.post(change_url(company), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert Company.objects.values().get(pk=company.pk) == before


def test_the_nif_error_is_spanish_for_a_spanish_browser(staff):
    company = primary_company_of(AccountFactory())
    data = {**change_form_data(staff, change_url(company)), "nif": "B12345678"}

    response = staff.post(change_url(company), data, **SPANISH)

    assert response.context["adminform"].form.errors["nif"] == [
        "No es un NIF, NIE o CIF español válido (revise el carácter de control)."
    ]


def test_neither_the_account_nor_primary_can_be_changed(staff):
    account, other = AccountFactory(), AccountFactory()
    primary = primary_company_of(account)
    second = CompanyFactory(account=account)
    data = change_form_data(staff, change_url(second))
    assert "account" not in data and "is_primary" not in data

    staff.post(change_url(second), {**data, "account": other.pk, "is_primary": "on"}, follow=True)

    second.refresh_from_db()
    primary.refresh_from_db()
    assert (second.account_id, second.is_primary, primary.is_primary) == (account.pk, False, True)


def test_staff_add_a_second_company_to_an_account(staff):
    account = AccountFactory()

    response = staff.post(
        COMPANY_ADD,
        {"account": account.pk, "legal_name": "Segunda Actividad SL", "nif": "A58818501", "country_code": "ES"},
        follow=True,
    )

    assert response.status_code == 200
    added = Company.objects.get(account=account, is_primary=False)
    assert (added.legal_name, added.nif) == ("Segunda Actividad SL", "A58818501")
    assert added.missing_fiscal_fields() == ["street", "postal_code", "city", "province"]


def test_a_staff_user_cannot_hold_a_company(staff, admin_user):
    response = staff.post(COMPANY_ADD, {"account": admin_user.pk, "legal_name": "Staff SL", "country_code": "ES"})

    assert response.status_code == 200
    assert "account" in response.context["adminform"].form.errors
    assert not Company.objects.filter(legal_name="Staff SL").exists()


def test_a_company_that_nothing_holds_is_deleted_from_its_page(staff):
    second = CompanyFactory(account=AccountFactory())

    response = staff.post(delete_url(second), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not Company.objects.filter(pk=second.pk).exists()


def test_delete_selected_is_not_offered(staff):
    AccountFactory()

    page = staff.get(COMPANIES)

    assert page.context["action_form"] is None  # no action at all: the form is not even shown
    assert "delete_selected" not in page.content.decode()


@pytest.mark.parametrize("holder", ["primary", "customer", "deleted customer", "invoice", "api key"])
def test_a_company_something_holds_cannot_be_deleted(staff, holder):
    account = AccountFactory()
    company = primary_company_of(account) if holder == "primary" else CompanyFactory(account=account)
    if holder in ("customer", "deleted customer"):
        customer = CustomerFactory(account=account, company=company)
        if holder == "deleted customer":
            customer.deleted_at, customer.active = customer.created_at, False
            customer.save()
    if holder == "invoice":
        InvoiceFactory(customer=CustomerFactory(account=account, company=company))
    if holder == "api key":
        APIKey.issue(account=account, name="solo", scopes=["customers:read"], company_ids=[company.pk])

    page = staff.get(change_url(company))
    response = staff.post(delete_url(company), {"post": "yes"})

    assert delete_url(company) not in page.content.decode()
    assert response.status_code == 403
    assert Company.objects.filter(pk=company.pk).exists()


def test_the_company_page_links_to_its_customers_and_invoices(staff):
    account = AccountFactory()
    second = CompanyFactory(account=account)
    mine = CustomerFactory(account=account, company=second, legal_name="De la segunda SL")
    CustomerFactory(account=account, legal_name="De la primera SL")
    InvoiceFactory(customer=mine)

    page = staff.get(change_url(second)).content.decode()
    customers_link = f"{reverse('admin:customers_customer_changelist')}?company={second.pk}"
    invoices_link = f"{reverse('admin:invoices_invoice_changelist')}?company={second.pk}"

    assert customers_link in page and invoices_link in page
    customers = get_changelist(staff, customers_link)
    invoices = get_changelist(staff, invoices_link)
    assert customers.column("legal_name_shown") == ["De la segunda SL"]
    assert invoices.column("customer_link") == ["De la segunda SL"]
