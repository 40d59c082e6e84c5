"""The Django admin for staff, driven through the test client as a logged-in superuser: the customers
changelist (columns, invoice count, queries, search, filters), the deactivate and reactivate actions, the
change form's NIF rules, the invoices changelist and the API key screens (raw key shown once).

Every test checks what the pages and the messages say and what the database holds afterwards."""

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import strip_tags
from rest_framework.test import APIClient
from stdnum.es import cif

from apikeys.models import ALL_SCOPES, LOOKUP_LENGTH, APIKey, key_marker
from beel.tenancy import Mode
from customers.models import Customer
from invoices.models import InvoiceStatus
from tests.customers.admin_pages import confirm_action
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory, InvoiceFactory, valid_dni

LIVE_KEY_MARKER = key_marker(Mode.LIVE)  # keys made in the admin are live unless told otherwise

pytestmark = pytest.mark.django_db

CUSTOMERS = reverse("admin:customers_customer_changelist")
INVOICES = reverse("admin:invoices_invoice_changelist")
API_KEYS = reverse("admin:apikeys_apikey_changelist")
API_KEY_ADD = reverse("admin:apikeys_apikey_add")
CUSTOMER_COLUMNS = [
    "legal_name",
    "account",
    "nif",
    "email",
    "city",
    "province",
    "active",
    "invoice_count",
    "created_at",
]
RAW_KEY = re.compile(r"beel_sk_[A-Za-z0-9_-]{32,}")


def valid_cif(letter: str, n: int) -> str:
    digits = f"{(n * 7919) % 10_000_000:07d}"
    return letter + digits + cif.calc_check_digits(letter + digits)[0]


def customer_change_url(customer) -> str:
    return reverse("admin:customers_customer_change", args=[customer.pk])


# --- reading admin pages ---------------------------------------------------------------------------------


@dataclass
class Cell:
    text: str = ""
    links: list[str] = field(default_factory=list)


class ResultListParser(HTMLParser):
    """The changelist's `#result_list` table: the column names (from the headers' `column-*` classes) and
    one {column: Cell} per row (from the cells' `field-*` classes; a boolean icon reads as its alt text)."""

    def __init__(self):
        super().__init__()
        self.columns: list[str] = []
        self.rows: list[dict[str, Cell]] = []
        self._in_table = self._in_body = False
        self._row: dict[str, Cell] | None = None
        self._cell_name: str | None = None
        self._cell: Cell | None = None

    @staticmethod
    def _class_suffix(attrs: dict, prefix: str) -> str | None:
        for name in (attrs.get("class") or "").split():
            if name.startswith(prefix):
                return name.removeprefix(prefix)
        return None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "result_list":
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tbody":
            self._in_body = True
        elif tag == "th" and not self._in_body:
            column = self._class_suffix(attrs, "column-")
            if column:
                self.columns.append(column)
        elif tag == "tr" and self._in_body:
            self._row = {}
        elif tag in ("td", "th") and self._row is not None:
            self._cell_name = self._class_suffix(attrs, "field-")
            self._cell = Cell() if self._cell_name else None
        elif self._cell is not None and tag == "a":
            self._cell.links.append(attrs.get("href"))
        elif self._cell is not None and tag == "img":
            self._cell.text += attrs.get("alt") or ""

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag in ("td", "th") and self._cell is not None:
            self._cell.text = " ".join(self._cell.text.split())
            self._row[self._cell_name] = self._cell
            self._cell = self._cell_name = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.text += data


@dataclass
class Changelist:
    columns: list[str]
    rows: list[dict[str, Cell]]

    def column(self, name: str) -> list[str]:
        return [row[name].text for row in self.rows]

    def row(self, column: str, text: str) -> dict[str, Cell]:
        matches = [row for row in self.rows if row[column].text == text]
        assert len(matches) == 1, (text, self.column(column))
        return matches[0]


def parse_changelist(response) -> Changelist:
    assert response.status_code == 200, response.content[:500]
    parser = ResultListParser()
    parser.feed(response.content.decode())
    return Changelist(columns=parser.columns, rows=parser.rows)


def get_changelist(client, url: str, **params) -> Changelist:
    response = client.get(url, params)
    # An unknown filter parameter makes the admin redirect to `?e=1`; that must not pass for a filter.
    assert response.status_code == 200, response
    return parse_changelist(response)


def shown_date(moment) -> str:
    """A datetime as the admin's list and readonly fields show it (localised, in TIME_ZONE)."""
    return formats.localize(timezone.template_localtime(moment))


def message_texts(response, level: int | None = None) -> list[str]:
    """The messages of a followed response, as plain text (HTML line breaks and escapes removed)."""
    return [
        html.unescape(strip_tags(str(message).replace("<br>", "\n")))
        for message in response.context["messages"]
        if level is None or message.level == level
    ]


def confirmations(response) -> list[str]:
    """Messages that report what was done (the admin's default level is INFO, some actions use SUCCESS)."""
    return [text for level in (messages.INFO, messages.SUCCESS) for text in message_texts(response, level)]


def run_action(client, url: str, action: str, objects):
    response = client.post(url, {"action": action, "_selected_action": [str(obj.pk) for obj in objects]}, follow=True)
    assert response.status_code == 200
    return response


def change_form_data(client, url: str) -> dict:
    """What a browser would submit for the change form as displayed, inline management forms included."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        for inline_form in formset.forms:
            data.update({bound.html_name: bound.value() for bound in inline_form})
    return {name: "" if value is None else value for name, value in data.items()}


def row_values(obj) -> dict:
    return type(obj).objects.values().get(pk=obj.pk)


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


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
    CustomerFactory(legal_name="Tech Solutions SL", active=False, deactivated_at=timezone.now())

    page = get_changelist(staff, CUSTOMERS)

    assert page.columns == CUSTOMER_COLUMNS
    row = page.row("legal_name", "María García López")
    assert {name: cell.text for name, cell in row.items()} == {
        "legal_name": "María García López",
        "account": maria.account.username,
        "nif": "12345678Z",
        "email": "maria@example.es",
        "city": "Dos Hermanas",
        "province": "Sevilla",
        "active": "True",
        "invoice_count": "2",
        "created_at": shown_date(maria.created_at),
    }
    assert row["legal_name"].links == [customer_change_url(maria)]
    assert page.row("legal_name", "Tech Solutions SL")["active"].text == "False"


def test_customer_changelist_counts_each_customers_own_invoices(staff):
    account = AccountFactory()
    counts = {"Sin Facturas SL": 0, "Una Factura SL": 1, "Tres Facturas SL": 3}
    for legal_name, count in counts.items():
        customer = CustomerFactory(account=account, legal_name=legal_name)
        InvoiceFactory.create_batch(count, customer=customer)
    # Another account's customer with its own invoices: counted for itself only.
    InvoiceFactory.create_batch(4, customer=CustomerFactory(legal_name="Ajena SL"))

    page = get_changelist(staff, CUSTOMERS)

    shown = {row["legal_name"].text: row["invoice_count"].text for row in page.rows}
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

    assert page.column("legal_name") == ["María García López"]


@pytest.mark.parametrize("term", ["12345678Z", "12345678-z", "1234 5678", "45678z"])
def test_customer_search_finds_by_nif_whatever_its_spacing_and_case(staff, term):
    CustomerFactory(legal_name="María García López", nif="12345678Z")
    CustomerFactory(legal_name="Pedro Sánchez Ruiz", nif=valid_dni(424242))

    page = get_changelist(staff, CUSTOMERS, q=term)

    assert page.column("legal_name") == ["María García López"]


@pytest.mark.parametrize("term", ["maria@example.es", "MARIA@EXAMPLE", "maria@"])
def test_customer_search_finds_by_email(staff, term):
    CustomerFactory(legal_name="María García López", email="maria@example.es")
    CustomerFactory(legal_name="Pedro Sánchez Ruiz", email="pedro@example.es")

    page = get_changelist(staff, CUSTOMERS, q=term)

    assert page.column("legal_name") == ["María García López"]


def test_customer_search_matching_nothing_shows_no_rows(staff):
    CustomerFactory(legal_name="María García López")

    page = get_changelist(staff, CUSTOMERS, q="zzzz")

    assert page.rows == []


def test_customer_filter_by_active_status(staff):
    CustomerFactory(legal_name="Activa SL")
    CustomerFactory(legal_name="Inactiva SL", active=False, deactivated_at=timezone.now())

    assert get_changelist(staff, CUSTOMERS, active__exact="1").column("legal_name") == ["Activa SL"]
    assert get_changelist(staff, CUSTOMERS, active__exact="0").column("legal_name") == ["Inactiva SL"]


def test_customer_filter_by_province_offers_each_province_and_matches_it_exactly(staff):
    CustomerFactory(legal_name="Sevillana SL", city="Sevilla", province="Sevilla")
    CustomerFactory(legal_name="Malagueña SL", city="Málaga", province="Málaga")
    CustomerFactory(legal_name="Madrileña SL", city="Madrid", province="Madrid")

    response = staff.get(CUSTOMERS)
    province_filter = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "province")
    assert {"Sevilla", "Málaga", "Madrid"} <= {str(value) for value in province_filter.lookup_choices}

    assert get_changelist(staff, CUSTOMERS, province="Sevilla").column("legal_name") == ["Sevillana SL"]
    assert get_changelist(staff, CUSTOMERS, province="Málaga").column("legal_name") == ["Malagueña SL"]


def test_customer_filters_and_search_combine(staff):
    CustomerFactory(legal_name="García Activa SL", province="Sevilla")
    CustomerFactory(legal_name="García Inactiva SL", province="Sevilla", active=False, deactivated_at=timezone.now())
    CustomerFactory(legal_name="García Madrid SL", province="Madrid")
    CustomerFactory(legal_name="Pérez Sevilla SL", province="Sevilla")

    page = get_changelist(staff, CUSTOMERS, q="garcia", province="Sevilla", active__exact="1")

    assert page.column("legal_name") == ["García Activa SL"]


# --- deactivate action -----------------------------------------------------------------------------------


def test_deactivate_action_deactivates_what_it_can_and_names_each_customer_it_could_not(staff, admin_user):
    free = CustomerFactory(legal_name="Libre Uno SL")
    also_free = CustomerFactory(legal_name="Libre Dos SL")
    busy = CustomerFactory(legal_name="Tech Solutions SL", nif="B12345674")
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
    assert "Tech Solutions SL (B12345674): has 3 invoices" in warnings[0]
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

    response = run_action(
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


# --- invoices changelist ---------------------------------------------------------------------------------


@pytest.fixture
def invoices():
    maria = CustomerFactory(legal_name="María García López")
    tech = CustomerFactory(legal_name="Tech Solutions SL")
    return {
        "draft": InvoiceFactory(customer=maria, number=12, status=InvoiceStatus.DRAFT),
        "issued": InvoiceFactory(customer=maria, number=112, status=InvoiceStatus.ISSUED),
        "paid": InvoiceFactory(customer=tech, number=120, status=InvoiceStatus.PAID),
        "other_series": InvoiceFactory(customer=tech, series="B", number=12, status=InvoiceStatus.PAID),
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [("draft", ["draft"]), ("issued", ["issued"]), ("paid", ["paid", "other_series"]), ("cancelled", [])],
)
def test_invoice_filter_by_status(staff, invoices, status, expected):
    page = get_changelist(staff, INVOICES, status__exact=status)

    assert sorted(page.column("full_number")) == sorted(invoices[name].full_number for name in expected)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("A-12", ["draft"]),
        ("a-000012", ["draft"]),
        ("B-12", ["other_series"]),
        ("12", ["draft", "other_series"]),
        ("120", ["paid"]),
    ],
)
def test_invoice_search_by_number_finds_exactly_that_number(staff, invoices, term, expected):
    page = get_changelist(staff, INVOICES, q=term)

    assert sorted(page.column("full_number")) == sorted(invoices[name].full_number for name in expected)


@pytest.mark.parametrize("term", ["María García", "garcía lópez", "tech solutions"])
def test_invoice_search_by_customer_legal_name(staff, invoices, term):
    page = get_changelist(staff, INVOICES, q=term)

    customers = {invoice.customer.legal_name for invoice in invoices.values()}
    assert len(page.rows) > 0
    assert {row["customer_link"].text for row in page.rows} <= customers
    expected = [
        invoice.full_number for invoice in invoices.values() if term.lower() in invoice.customer.legal_name.lower()
    ]
    assert sorted(page.column("full_number")) == sorted(expected)


def test_invoice_changelist_links_each_invoice_to_its_customers_admin_page(staff, invoices):
    page = get_changelist(staff, INVOICES)

    assert len(page.rows) == len(invoices)
    for invoice in invoices.values():
        row = page.row("full_number", invoice.full_number)
        assert row["customer_link"].text == invoice.customer.legal_name
        assert row["customer_link"].links == [customer_change_url(invoice.customer)]
    target = page.row("full_number", invoices["paid"].full_number)["customer_link"].links[0]
    customer_page = staff.get(target)
    assert customer_page.status_code == 200
    assert customer_page.context["original"] == invoices["paid"].customer


def test_invoice_changelist_query_count_does_not_grow_with_the_number_of_invoices(staff):
    def queries_for(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff.get(INVOICES)
        assert len(parse_changelist(response).rows) == expected_rows
        return len(queries.captured_queries)

    InvoiceFactory.create_batch(3)  # each with its own customer and account
    staff.get(INVOICES)
    with_3 = queries_for(3)
    InvoiceFactory.create_batch(27)
    assert queries_for(30) == with_3


# --- API keys --------------------------------------------------------------------------------------------


def bearer(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def add_key_through_admin(staff, account, *, name="ERP integration", scopes=("customers:read",)):
    response = staff.post(
        API_KEY_ADD,
        {"account": account.pk, "name": name, "scopes": list(scopes), "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    return response


def test_adding_an_api_key_shows_the_raw_key_once_in_a_message_after_saving(staff):
    account = AccountFactory()

    response = add_key_through_admin(staff, account)

    key = APIKey.objects.get()
    assert key.account == account
    assert key.name == "ERP integration"
    assert key.scopes == ["customers:read"]
    texts = message_texts(response)
    with_key = [text for text in texts if RAW_KEY.search(text)]
    assert len(with_key) == 1
    raw_keys = RAW_KEY.findall(with_key[0])
    assert len(raw_keys) == 1
    raw_key = raw_keys[0]
    assert raw_key.startswith(LIVE_KEY_MARKER)
    assert response.content.decode().count(raw_key) == 1
    assert key.prefix == raw_key[len(LIVE_KEY_MARKER) : len(LIVE_KEY_MARKER) + LOOKUP_LENGTH]
    assert key.matches(raw_key)


def test_the_raw_key_from_the_admin_is_stored_only_as_its_hash_and_prefix(staff):
    response = add_key_through_admin(staff, AccountFactory())
    raw_key = RAW_KEY.search(" ".join(message_texts(response))).group()
    secret_tail = raw_key[len(LIVE_KEY_MARKER) + LOOKUP_LENGTH :]

    key = APIKey.objects.get()
    assert key.secret_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    stored = [str(value) for value in APIKey.objects.values().get(pk=key.pk).values()]
    stored += [str(value) for entry in LogEntry.objects.values() for value in entry.values()]
    assert not any(raw_key in value or secret_tail in value for value in stored)


def test_the_raw_key_is_never_shown_again_only_its_prefix(staff):
    response = add_key_through_admin(staff, AccountFactory())
    raw_key = RAW_KEY.search(" ".join(message_texts(response))).group()
    secret_tail = raw_key[len(LIVE_KEY_MARKER) + LOOKUP_LENGTH :]
    key = APIKey.objects.get()
    change_url = reverse("admin:apikeys_apikey_change", args=[key.pk])

    for url in (API_KEYS, change_url, API_KEYS):
        page = staff.get(url)
        assert page.status_code == 200
        content = page.content.decode()
        assert raw_key not in content
        assert secret_tail not in content
        assert key.display_prefix in content
        assert not any(RAW_KEY.search(text) for text in message_texts(page))
    page = get_changelist(staff, API_KEYS)
    assert page.row("name", "ERP integration")["display_prefix"].text == key.display_prefix


def test_a_key_added_in_the_admin_works_as_a_bearer_token_with_its_scopes(staff):
    account = AccountFactory()
    CustomerFactory(account=account, legal_name="Propia SL")
    CustomerFactory(legal_name="Ajena SL")
    response = add_key_through_admin(staff, account, scopes=["customers:read"])
    raw_key = RAW_KEY.search(" ".join(message_texts(response))).group()

    listed = bearer(raw_key).get("/api/v1/customers")

    assert listed.status_code == 200, listed.content
    assert [c["legal_name"] for c in listed.json()["data"]["customers"]] == ["Propia SL"]
    assert bearer(raw_key).post("/api/v1/customers", {}, format="json").status_code == 403


def test_adding_an_api_key_without_scopes_is_a_form_error_and_creates_no_key(staff):
    response = staff.post(API_KEY_ADD, {"account": AccountFactory().pk, "name": "Sin permisos"})

    assert response.status_code == 200
    assert "scopes" in response.context["adminform"].form.errors
    assert not APIKey.objects.exists()
    assert not RAW_KEY.search(response.content.decode())


def test_revoke_action_revokes_the_selected_keys_and_they_stop_working(staff):
    revoked = APIKeyFactory(name="Comprometida")
    kept = APIKeyFactory(name="Sigue En Uso")
    assert bearer(revoked.raw_key).get("/api/v1/customers").status_code == 200

    response = run_action(staff, API_KEYS, "revoke_selected", [revoked])

    revoked.refresh_from_db()
    kept.refresh_from_db()
    assert revoked.revoked_at is not None
    assert kept.revoked_at is None
    assert APIKey.objects.count() == 2  # revoked, not deleted
    successes = confirmations(response)
    assert len(successes) == 1 and re.search(r"\b1\b", successes[0])
    assert bearer(revoked.raw_key).get("/api/v1/customers").status_code == 401
    assert bearer(kept.raw_key).get("/api/v1/customers").status_code == 200
    page = get_changelist(staff, API_KEYS)
    assert page.row("name", "Comprometida")["status"].text == "revoked"
    assert page.row("name", "Sigue En Uso")["status"].text == "active"


def test_delete_selected_is_not_offered_for_api_keys(staff):
    APIKeyFactory()

    response = staff.get(API_KEYS)

    choices = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in choices
    assert "revoke_selected" in choices


class CheckboxParser(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.inputs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == self.name:
            self.inputs.append(attrs)


def scope_inputs(response) -> list[dict]:
    assert response.status_code == 200
    parser = CheckboxParser("scopes")
    parser.feed(response.content.decode())
    return parser.inputs


def test_scopes_are_offered_as_one_checkbox_per_scope(staff):
    inputs = scope_inputs(staff.get(API_KEY_ADD))

    assert {attrs.get("type") for attrs in inputs} == {"checkbox"}
    assert sorted(attrs["value"] for attrs in inputs) == sorted(ALL_SCOPES)
    assert not any("checked" in attrs for attrs in inputs)


def test_an_existing_keys_scopes_are_shown_checked(staff):
    key = APIKeyFactory(scopes=["customers:read", "invoices:read"])

    inputs = scope_inputs(staff.get(reverse("admin:apikeys_apikey_change", args=[key.pk])))

    assert {attrs.get("type") for attrs in inputs} == {"checkbox"}
    assert {attrs["value"] for attrs in inputs if "checked" in attrs} == {"customers:read", "invoices:read"}


def test_last_used_at_is_displayed_once_the_key_is_used(staff):
    key = APIKeyFactory(name="Integración")
    change_url = reverse("admin:apikeys_apikey_change", args=[key.pk])

    page = get_changelist(staff, API_KEYS)
    assert "last_used_at" in page.columns
    assert page.row("name", "Integración")["last_used_at"].text == "-"

    assert bearer(key.raw_key).get("/api/v1/customers").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None

    page = get_changelist(staff, API_KEYS)
    assert page.row("name", "Integración")["last_used_at"].text == shown_date(key.last_used_at)
    change_page = staff.get(change_url)
    assert change_page.status_code == 200
    assert shown_date(key.last_used_at) in html.unescape(change_page.content.decode())
