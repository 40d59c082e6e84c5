"""The Django admin for staff, driven through the test client as a logged-in superuser: the customers
changelist (columns, invoice count, queries, search, filters), the deactivate and reactivate actions and the
change form's NIF rules.

Every test checks what the pages and the messages say and what the database holds afterwards."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone
from stdnum.es import cif

from customers.models import Customer
from tests.admin_pages import (
    CUSTOMERS,
    change_form_data,
    confirm_action,
    confirmations,
    customer_change_url,
    get_changelist,
    message_texts,
    parse_changelist,
    row_values,
    run_action,
)
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory, valid_dni
from tests.spec import TECH_SOLUTIONS

pytestmark = pytest.mark.django_db

CUSTOMER_COLUMNS = [
    "legal_name_shown",
    "nif",
    "account",
    "company_link",
    "active",
    "tax_id_shown",
    "invoice_count",
    "created_on",
]


def valid_cif(letter: str, n: int) -> str:
    digits = f"{(n * 7919) % 10_000_000:07d}"
    return letter + digits + cif.calc_check_digits(letter + digits)[0]


# --- customers changelist --------------------------------------------------------------------------------


def test_customer_changelist_shows_the_documented_columns_for_each_customer(staff):
    maria = CustomerFactory(
        legal_name="María García López",
        nif="12345678Z",
        email="maria@example.es",
        city="Dos Hermanas",
        province="Sevilla",
    )
    InvoiceFactory.create_batch(2, customer=maria)
    CustomerFactory(legal_name=TECH_SOLUTIONS["legal_name"], active=False, deactivated_at=timezone.now())

    page = get_changelist(staff, CUSTOMERS)

    assert page.columns == CUSTOMER_COLUMNS
    row = page.row("legal_name_shown", "María García López")
    assert {name: cell.text for name, cell in row.items()} == {
        "legal_name_shown": "María García López",
        "account": maria.account.username,
        "company_link": str(maria.company),
        "nif": "12345678Z",
        "active": "True",
        "tax_id_shown": "-",  # never checked: the admin's empty value
        "invoice_count": "2",
        "created_on": formats.date_format(timezone.localtime(maria.created_at), "SHORT_DATE_FORMAT"),
    }
    assert row["legal_name_shown"].links == [customer_change_url(maria)]
    assert row["company_link"].links == [reverse("admin:companies_company_change", args=[maria.company_id])]
    assert page.row("legal_name_shown", TECH_SOLUTIONS["legal_name"])["active"].text == "False"


def test_customer_changelist_cuts_long_names_short_and_keeps_them_whole_in_a_tooltip(staff):
    long_name = "Construcciones y Reformas Integrales del Mediterráneo Occidental SL"
    customer = CustomerFactory(legal_name=long_name, tax_id_status="INVALID")

    page = staff.get(CUSTOMERS).content.decode()
    row = get_changelist(staff, CUSTOMERS).rows[0]

    assert row["legal_name_shown"].text == "Construcciones y Reformas Int…"
    assert f'title="{long_name}"' in page
    assert row["legal_name_shown"].links == [customer_change_url(customer)]
    assert f'title="{formats.localize(timezone.localtime(customer.created_at))}"' in page


def test_customer_changelist_counts_each_customers_own_invoices(staff):
    account = AccountFactory()
    counts = {"Sin Facturas SL": 0, "Una Factura SL": 1, "Tres Facturas SL": 3}
    for legal_name, count in counts.items():
        customer = CustomerFactory(account=account, legal_name=legal_name)
        InvoiceFactory.create_batch(count, customer=customer)
    # Another account's customer with its own invoices: counted for itself only.
    InvoiceFactory.create_batch(4, customer=CustomerFactory(legal_name="Ajena SL"))

    page = get_changelist(staff, CUSTOMERS)

    shown = {row["legal_name_shown"].text: row["invoice_count"].text for row in page.rows}
    assert shown == {**{name: str(count) for name, count in counts.items()}, "Ajena SL": "4"}


def test_customer_changelist_query_count_does_not_grow_with_the_number_of_customers(staff):
    def add_customers_with_invoices(how_many: int) -> None:
        for _ in range(how_many):
            InvoiceFactory.create_batch(2, customer=CustomerFactory())  # each with its own account

    def queries_for_changelist(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff.get(CUSTOMERS)
        page = parse_changelist(response)
        assert len(page.rows) == expected_rows
        assert set(page.column("invoice_count")) == {"2"}
        return len(queries.captured_queries)

    add_customers_with_invoices(3)
    staff.get(CUSTOMERS)  # warm up whatever is cached per process
    with_3 = queries_for_changelist(3)
    add_customers_with_invoices(27)
    with_30 = queries_for_changelist(30)

    assert with_30 == with_3


@pytest.mark.parametrize("term", ["garcia", "GARCÍA", "garcía lópez", "Maria Garcia"])
def test_customer_search_ignores_accents_and_case_in_the_legal_name(staff, term):
    CustomerFactory(legal_name="María García López")
    CustomerFactory(legal_name="Pedro Sánchez Ruiz")

    page = get_changelist(staff, CUSTOMERS, q=term)

    assert page.column("legal_name_shown") == ["María García López"]


@pytest.mark.parametrize("term", ["12345678Z", "12345678-z", "1234 5678", "45678z"])
def test_customer_search_finds_by_nif_whatever_its_spacing_and_case(staff, term):
    CustomerFactory(legal_name="María García López", nif="12345678Z")
    CustomerFactory(legal_name="Pedro Sánchez Ruiz", nif=valid_dni(424242))

    page = get_changelist(staff, CUSTOMERS, q=term)

    assert page.column("legal_name_shown") == ["María García López"]


@pytest.mark.parametrize("term", ["maria@example.es", "MARIA@EXAMPLE", "maria@"])
def test_customer_search_finds_by_email(staff, term):
    CustomerFactory(legal_name="María García López", email="maria@example.es")
    CustomerFactory(legal_name="Pedro Sánchez Ruiz", email="pedro@example.es")

    page = get_changelist(staff, CUSTOMERS, q=term)

    assert page.column("legal_name_shown") == ["María García López"]


def test_customer_search_matching_nothing_shows_no_rows(staff):
    CustomerFactory(legal_name="María García López")

    page = get_changelist(staff, CUSTOMERS, q="zzzz")

    assert page.rows == []


def test_customer_filter_by_active_status(staff):
    CustomerFactory(legal_name="Activa SL")
    CustomerFactory(legal_name="Inactiva SL", active=False, deactivated_at=timezone.now())

    assert get_changelist(staff, CUSTOMERS, active__exact="1").column("legal_name_shown") == ["Activa SL"]
    assert get_changelist(staff, CUSTOMERS, active__exact="0").column("legal_name_shown") == ["Inactiva SL"]


def test_customer_filter_by_province_offers_each_province_and_matches_it_exactly(staff):
    CustomerFactory(legal_name="Sevillana SL", city="Sevilla", province="Sevilla")
    CustomerFactory(legal_name="Malagueña SL", city="Málaga", province="Málaga")
    CustomerFactory(legal_name="Madrileña SL", city="Madrid", province="Madrid")

    response = staff.get(CUSTOMERS)
    province_filter = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "province")
    assert {"Sevilla", "Málaga", "Madrid"} <= {str(value) for value in province_filter.lookup_choices}

    assert get_changelist(staff, CUSTOMERS, province="Sevilla").column("legal_name_shown") == ["Sevillana SL"]
    assert get_changelist(staff, CUSTOMERS, province="Málaga").column("legal_name_shown") == ["Malagueña SL"]


def test_customer_filters_and_search_combine(staff):
    CustomerFactory(legal_name="García Activa SL", province="Sevilla")
    CustomerFactory(legal_name="García Inactiva SL", province="Sevilla", active=False, deactivated_at=timezone.now())
    CustomerFactory(legal_name="García Madrid SL", province="Madrid")
    CustomerFactory(legal_name="Pérez Sevilla SL", province="Sevilla")

    page = get_changelist(staff, CUSTOMERS, q="garcia", province="Sevilla", active__exact="1")

    assert page.column("legal_name_shown") == ["García Activa SL"]


# --- deactivate action -----------------------------------------------------------------------------------


def test_deactivate_action_deactivates_what_it_can_and_names_each_customer_it_could_not(staff, admin_user):
    free = CustomerFactory(legal_name="Libre Uno SL")
    also_free = CustomerFactory(legal_name="Libre Dos SL")
    busy = CustomerFactory(legal_name=TECH_SOLUTIONS["legal_name"], nif=TECH_SOLUTIONS["nif"])
    InvoiceFactory.create_batch(3, customer=busy)
    one_invoice = CustomerFactory(legal_name="Panadería Núñez SL", nif=valid_cif("B", 77))
    InvoiceFactory(customer=one_invoice)
    not_selected = CustomerFactory(legal_name="No Seleccionada SL")
    rows_before = Customer.objects.count()
    started = timezone.now()

    response = confirm_action(staff, CUSTOMERS, "deactivate_selected", [free, busy, also_free, one_invoice])

    assert Customer.objects.count() == rows_before  # soft delete only
    for customer in (free, also_free):
        customer.refresh_from_db()
        assert customer.active is False
        assert customer.deactivated_at is not None and customer.deactivated_at >= started
        assert customer.audit_entries.get().actor == admin_user.get_username()
    for customer in (busy, one_invoice, not_selected):
        customer.refresh_from_db()
        assert customer.active is True
        assert customer.deactivated_at is None
        assert not customer.audit_entries.exists()

    successes = message_texts(response, messages.SUCCESS)
    assert len(successes) == 1
    assert re.search(r"\b2\b", successes[0]) and "deactivated" in successes[0].lower()
    warnings = message_texts(response, messages.WARNING)
    assert len(warnings) == 1
    assert f"{busy.legal_name} ({busy.nif}): has 3 invoices" in warnings[0]
    assert re.search(re.escape(f"Panadería Núñez SL ({one_invoice.nif}): has 1 invoice") + r"(?!s)", warnings[0])
    assert "Libre" not in warnings[0]
    assert message_texts(response, messages.ERROR) == []


def test_deactivate_action_where_every_customer_can_be_deactivated_gives_no_warning(staff):
    customers = CustomerFactory.create_batch(3)

    response = confirm_action(staff, CUSTOMERS, "deactivate_selected", customers)

    assert not Customer.objects.filter(active=True).exists()
    successes = message_texts(response, messages.SUCCESS)
    assert len(successes) == 1 and re.search(r"\b3\b", successes[0])
    assert message_texts(response, messages.WARNING) == []


def test_deactivate_action_where_nothing_can_be_deactivated_gives_only_the_warning(staff):
    busy = CustomerFactory(legal_name="Con Facturas SL", nif=valid_cif("A", 5))
    InvoiceFactory.create_batch(2, customer=busy)

    response = confirm_action(staff, CUSTOMERS, "deactivate_selected", [busy])

    busy.refresh_from_db()
    assert busy.active is True
    assert message_texts(response, messages.SUCCESS) == []
    warnings = message_texts(response, messages.WARNING)
    assert len(warnings) == 1
    assert f"Con Facturas SL ({busy.nif}): has 2 invoices" in warnings[0]


def test_deactivate_action_leaves_an_already_inactive_customer_as_it_was(staff):
    deactivated_at = timezone.now() - timedelta(days=10)
    inactive = CustomerFactory(active=False, deactivated_at=deactivated_at)

    response = confirm_action(staff, CUSTOMERS, "deactivate_selected", [inactive])

    inactive.refresh_from_db()
    assert inactive.active is False
    assert inactive.deactivated_at == deactivated_at
    assert message_texts(response, messages.WARNING) == []


# --- no hard delete --------------------------------------------------------------------------------------


def test_delete_selected_is_not_offered_among_the_customer_actions(staff):
    CustomerFactory()

    response = staff.get(CUSTOMERS)

    choices = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in choices
    assert {"deactivate_selected", "reactivate_selected"} <= set(choices)


def test_posting_delete_selected_anyway_deletes_nothing(staff):
    customer = CustomerFactory()

    response = run_action(staff, CUSTOMERS, "delete_selected", [customer])

    assert Customer.objects.filter(pk=customer.pk, active=True).exists()
    assert "deleted" not in " ".join(message_texts(response)).lower()


def test_customer_delete_view_is_refused(staff):
    customer = CustomerFactory()
    url = reverse("admin:customers_customer_delete", args=[customer.pk])

    assert staff.get(url).status_code == 403
    assert staff.post(url, {"post": "yes"}).status_code == 403
    assert row_values(customer)["active"] is True


# --- reactivate action -----------------------------------------------------------------------------------


def test_reactivate_action_reactivates_inactive_customers_and_reports_a_nif_clash(staff):
    account = AccountFactory()
    nif = valid_dni(9001)
    before = timezone.now() - timedelta(days=3)
    returning = CustomerFactory(account=account, legal_name="Vuelve SL", active=False, deactivated_at=before)
    blocked = CustomerFactory(account=account, legal_name="Bloqueada SL", nif=nif, active=False, deactivated_at=before)
    CustomerFactory(account=account, legal_name="Ocupa El NIF SL", nif=nif)  # active, same account
    other_account_twin = CustomerFactory(legal_name="Gemela Ajena SL", nif=nif, active=False, deactivated_at=before)
    already_active = CustomerFactory(account=account, legal_name="Ya Activa SL")

    response = confirm_action(
        staff, CUSTOMERS, "reactivate_selected", [returning, blocked, other_account_twin, already_active]
    )

    for customer in (returning, other_account_twin):
        customer.refresh_from_db()
        assert customer.active is True
        assert customer.deactivated_at is None
    blocked.refresh_from_db()
    assert blocked.active is False
    assert blocked.deactivated_at == before
    already_active.refresh_from_db()
    assert already_active.active is True
    assert Customer.objects.filter(account=account, nif=nif, active=True).count() == 1

    successes = confirmations(response)
    assert len(successes) == 1 and re.search(r"\b2\b", successes[0])
    warnings = message_texts(response, messages.WARNING)
    assert len(warnings) == 1
    assert f"Bloqueada SL ({nif})" in warnings[0]
    assert re.search(r"active customer .*NIF", warnings[0], re.IGNORECASE)
    assert "Vuelve" not in warnings[0] and "Gemela" not in warnings[0]


# --- change form -----------------------------------------------------------------------------------------


def test_editing_a_customer_saves_the_normalised_nif(staff):
    customer = CustomerFactory(legal_name="Antigua SL")
    url = customer_change_url(customer)
    data = change_form_data(staff, url)
    new_nif = valid_dni(5150)
    data.update(legal_name="Nueva SL", nif=f" {new_nif[:4]}-{new_nif[4:8]} {new_nif[8].lower()}")

    response = staff.post(url, data, follow=True)

    assert response.status_code == 200
    assert message_texts(response, messages.ERROR) == []
    customer.refresh_from_db()
    assert customer.legal_name == "Nueva SL"
    assert customer.legal_name_folded == "nueva sl"
    assert customer.nif == new_nif


def test_editing_a_customer_with_a_wrong_nif_control_letter_shows_an_error_and_saves_nothing(staff):
    customer = CustomerFactory(legal_name="Antigua SL", nif="12345678Z")
    before = row_values(customer)
    url = customer_change_url(customer)
    data = change_form_data(staff, url)
    data.update(legal_name="Nueva SL", nif="12345678A")

    response = staff.post(url, data)

    assert response.status_code == 200  # the form again, not a redirect
    assert "nif" in response.context["adminform"].form.errors
    assert row_values(customer) == before


def test_editing_a_customer_to_the_nif_of_another_active_customer_of_its_account_is_refused(staff):
    account = AccountFactory()
    holder = CustomerFactory(account=account, nif=valid_dni(6001))
    customer = CustomerFactory(account=account, legal_name="Antigua SL")
    before = row_values(customer)
    url = customer_change_url(customer)
    data = change_form_data(staff, url)
    data.update(legal_name="Nueva SL", nif=holder.nif)

    response = staff.post(url, data)

    assert response.status_code == 200
    assert "nif" in response.context["adminform"].form.errors
    assert row_values(customer) == before
    assert Customer.objects.filter(account=account, nif=holder.nif, active=True).count() == 1


def test_editing_a_customer_to_a_nif_held_only_by_an_inactive_or_foreign_customer_is_allowed(staff):
    account = AccountFactory()
    inactive_holder = CustomerFactory(account=account, nif=valid_dni(7001), active=False, deactivated_at=timezone.now())
    foreign_holder = CustomerFactory(nif=valid_dni(7002))  # another account, active
    first = CustomerFactory(account=account)
    second = CustomerFactory(account=account)

    for customer, nif in ((first, inactive_holder.nif), (second, foreign_holder.nif)):
        url = customer_change_url(customer)
        data = change_form_data(staff, url)
        data["nif"] = nif
        response = staff.post(url, data, follow=True)
        assert response.status_code == 200
        assert message_texts(response, messages.ERROR) == []
        customer.refresh_from_db()
        assert customer.nif == nif
