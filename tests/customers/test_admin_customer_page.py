"""The customer admin beyond the actions: whose customer a row is (account column and filter), the
"has invoices" and province filters, the customer's page (banner, Deactivate/Reactivate, invoices link,
history for viewers) and the CSV export."""

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from beel.actors import Actor
from beel.tenancy import DataScope
from companies.models import primary_company_of
from customers import services
from customers.models import AuditEntry, Customer
from tests.admin_pages import CUSTOMERS, confirm_action, page_text, post_action, texts
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def names_listed(client, **params) -> list[str]:
    response = client.get(CUSTOMERS, params)
    assert response.status_code == 200
    return sorted(customer.legal_name for customer in response.context["cl"].result_list)


def filter_spec(response, title: str):
    return next(spec for spec in response.context["cl"].filter_specs if str(spec.title) == title)


# --- whose customer ----------------------------------------------------------------------------------------


def test_the_account_column_and_filter_tell_two_accounts_apart(staff):
    for username in ("acme", "beta"):
        CustomerFactory(account=AccountFactory(username=username), legal_name="Gemela SL")

    response = staff.get(CUSTOMERS)

    assert "account" in response.context["cl"].list_display
    assert sorted(c.account.username for c in response.context["cl"].result_list) == ["acme", "beta"]
    spec = filter_spec(response, "account")
    assert [choice[0] for choice in spec.lookup_choices] == ["acme", "beta"]
    assert 'name="account"' in response.content.decode()  # the search box for many accounts
    only_beta = staff.get(CUSTOMERS, {"account": "beta"})
    assert [c.account.username for c in only_beta.context["cl"].result_list] == ["beta"]


def test_with_many_accounts_the_filter_offers_the_search_box_only(staff):
    for n in range(25):
        CustomerFactory(account=AccountFactory(username=f"cuenta{n:02d}"), legal_name=f"Cliente {n:02d} SL")

    response = staff.get(CUSTOMERS, {"account": "cuenta07", "active__exact": "1"})

    assert filter_spec(response, "account").lookup_choices == []
    content = response.content.decode()
    assert re.search(r'<input type="search" name="account" value="cuenta07"', content)
    assert '<input type="hidden" name="active__exact" value="1">' in content
    assert names_listed(staff, account="cuenta07") == ["Cliente 07 SL"]


def test_has_invoices_filter(staff):
    with_invoices = CustomerFactory(legal_name="Con Facturas SL")
    InvoiceFactory.create_batch(2, customer=with_invoices)
    CustomerFactory(legal_name="Sin Facturas SL")

    assert names_listed(staff, has_invoices="yes") == ["Con Facturas SL"]
    assert names_listed(staff, has_invoices="no") == ["Sin Facturas SL"]
    rows = staff.get(CUSTOMERS, {"has_invoices": "yes"}).context["cl"].result_list
    assert [customer.invoice_count for customer in rows] == [2]  # the filter does not skew the count


def test_provinces_are_offered_in_spanish_alphabetical_order(staff):
    for province in ["Castellón", "Madrid", "Ávila", "Cáceres", "álava"]:
        CustomerFactory(province=province)

    specs = staff.get(CUSTOMERS).context["cl"].filter_specs
    spec = next(s for s in specs if getattr(s, "field_path", "") == "province")

    assert list(spec.lookup_choices) == ["álava", "Ávila", "Cáceres", "Castellón", "Madrid"]


# --- the customer's page -----------------------------------------------------------------------------------


def change_url(customer) -> str:
    return reverse("admin:customers_customer_change", args=[customer.pk])


def test_an_inactive_customers_page_says_when_and_by_whom_it_was_deactivated(staff, admin_user, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    customer = CustomerFactory()
    confirm_action(staff, CUSTOMERS, "deactivate_selected", [customer])
    entry = AuditEntry.objects.get(customer=customer, action=AuditEntry.Action.DEACTIVATED)
    entry.at = datetime(2026, 7, 1, 10, 30, tzinfo=ZoneInfo("UTC"))
    entry.save()

    response = staff.get(change_url(customer))

    local = formats.localize(datetime(2026, 7, 1, 12, 30, tzinfo=ZoneInfo("Europe/Madrid")))
    assert f"Deactivated on {local} by {admin_user.username}" in page_text(response)
    assert "deactivate-customer" not in response.content.decode()
    assert 'id="reactivate-customer"' in response.content.decode()


def test_the_deactivate_button_goes_through_the_confirmation_and_the_service(staff, admin_user):
    customer = CustomerFactory(legal_name="Botón SL")
    page = staff.get(change_url(customer)).content.decode()
    deactivate_url = reverse("admin:customers_customer_deactivate", args=[customer.pk])
    assert f'href="{deactivate_url}"' in page

    preview = staff.get(deactivate_url)
    assert "1 customer will be deactivated." in page_text(preview)
    assert Customer.objects.get(pk=customer.pk).active is True

    done = staff.post(deactivate_url, {"post": "yes"}, follow=True)

    assert Customer.objects.get(pk=customer.pk).active is False
    assert texts(done, messages.SUCCESS) == [f"Deactivated 1 customer (account {customer.account.username}: 1). Undo"]
    assert AuditEntry.objects.get(customer=customer, action="deactivated").actor == admin_user.username


def test_the_deactivate_button_reports_invoices_instead_of_deactivating(staff):
    customer = CustomerFactory(legal_name="Facturada SL")
    InvoiceFactory(customer=customer)
    url = reverse("admin:customers_customer_deactivate", args=[customer.pk])

    assert "1 cannot be deactivated:" in page_text(staff.get(url))
    done = staff.post(url, {"post": "yes"}, follow=True)

    assert Customer.objects.get(pk=customer.pk).active is True
    assert "has 1 invoice" in texts(done, messages.WARNING)[0]


def test_the_reactivate_button_reactivates_through_the_service(staff):
    customer = CustomerFactory(active=False)
    url = reverse("admin:customers_customer_reactivate", args=[customer.pk])

    assert staff.get(url).status_code == 405
    done = staff.post(url, follow=True)

    assert Customer.objects.get(pk=customer.pk).active is True
    assert texts(done, messages.SUCCESS) == [f"Reactivated 1 customer (account {customer.account.username}: 1)."]


def test_the_customer_page_links_to_its_invoices(staff):
    customer = CustomerFactory()
    InvoiceFactory.create_batch(2, customer=customer)
    InvoiceFactory()  # another customer's

    page = staff.get(change_url(customer)).content.decode()
    link = re.search(r'href="([^"]+)" class="invoices-link">2 invoices<', page)
    invoices = staff.get(link.group(1).replace("&amp;", "&"))

    assert invoices.status_code == 200
    assert {invoice.customer_id for invoice in invoices.context["cl"].result_list} == {customer.pk}
    assert invoices.context["cl"].result_count == 2


@pytest.fixture
def viewer(client):
    user = AccountFactory(username="lectora", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(user)
    return client


def test_a_staff_user_who_may_only_view_customers_sees_the_history_with_each_time_once(viewer):
    customer = CustomerFactory()
    services.update_customer(
        scope=DataScope.everything(),
        customer_id=str(customer.pk),
        data={"email": "n@example.es"},
        actor=Actor.command("ops"),
    )
    services.deactivate_customers(scope=DataScope.everything(), ids=[str(customer.pk)], actor=Actor.command("ops"))
    entries = list(customer.audit_entries.all())

    response = viewer.get(change_url(customer))

    assert response.status_code == 200
    text = page_text(response)
    for entry in entries:
        shown = formats.localize(timezone.localtime(entry.at))
        assert text.count(shown) >= 1
    assert "UTC" not in text
    assert "<td>Updated</td><td>ops</td><td>command</td><td>email</td>" in response.content.decode()
    assert "deactivate-customer" not in response.content.decode()  # viewing is not changing


def test_the_history_button_shows_the_audit_trail(staff):
    customer = CustomerFactory()
    services.deactivate_customers(scope=DataScope.everything(), ids=[str(customer.pk)], actor=Actor.command("ops"))

    response = staff.get(reverse("admin:customers_customer_history", args=[customer.pk]))

    text = page_text(response)
    assert "have a change history" not in text
    assert "Deactivated ops command" in text


# --- CSV export --------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_exporting_selected_customers_gives_a_semicolon_csv_with_bom_that_spanish_excel_reads(staff):
    account = AccountFactory(username="acme")
    chosen = CustomerFactory(account=account, legal_name="Peña; Núñez SL", city="A Coruña", province="A Coruña")
    CustomerFactory(legal_name="No Elegida SL")

    response = post_action(staff, "export_csv", [chosen], follow=False)

    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["Cuenta", "Razón social", "NIF"]  # the API export's columns, led by the account
    assert len(rows) == 2
    assert rows[1][:3] == ["acme", "Peña; Núñez SL", chosen.nif]
    assert "A Coruña" in rows[1]


def test_exporting_many_customers_streams_in_chunks(staff):
    account = AccountFactory()
    Customer.objects.bulk_create(
        [
            Customer(
                account=account, company=primary_company_of(account), legal_name=f"Cliente {n:05d}", nif=f"X{n:07d}"
            )
            for n in range(5000)
        ]
    )

    response = staff.post(CUSTOMERS, {"action": "export_csv", "select_across": "1", "_selected_action": ["x"]})
    assert response.streaming
    chunks = iter(response.streaming_content)

    # Nothing is read before the first line is asked for, and the header goes out on its own.
    with CaptureQueriesContext(connection) as before_first_row:
        header = next(chunks)
    assert header.decode("utf-8").startswith("\ufeffCuenta;")
    assert before_first_row.captured_queries == []
    rest = list(chunks)
    assert 1 < len(rest) < 5000  # in pieces, neither whole nor one per row
    rows = b"".join(rest).decode().split("\r\n")[:-1]

    assert len(rows) == 5000
    assert len(set(rows)) == 5000


def test_a_selection_larger_than_a_direct_export_is_refused_with_a_message_not_cut(staff, settings):
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    CustomerFactory.create_batch(3)

    response = staff.post(
        CUSTOMERS, {"action": "export_csv", "select_across": "1", "_selected_action": ["x"]}, follow=True
    )

    assert not response.streaming
    assert "More than 2 customers selected" in response.content.decode()
    assert "/customers/exports" in response.content.decode()
    small = post_action(staff, "export_csv", list(Customer.objects.all()[:2]), follow=False)
    assert small["X-Total-Rows"] == "2" and len(read_csv(small)) == 3


def test_the_failure_list_of_a_deactivation_exports_as_csv(staff):
    busy = CustomerFactory(account=AccountFactory(username="beta"), legal_name="Tech Solutions SL", nif="B12345674")
    InvoiceFactory.create_batch(3, customer=busy)
    free = CustomerFactory()

    response = post_action(staff, "deactivate_selected", [busy, free], follow=False, _export_failures="1")

    assert read_csv(response) == [
        ["Account", "Legal name", "NIF", "Reason"],
        ["beta", "Tech Solutions SL", "B12345674", "has 3 invoices"],
    ]
    assert Customer.objects.filter(active=True).count() == 2
