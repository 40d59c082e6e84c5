"""Bulk deactivation in the admin: the confirmation page computed by the service in dry-run, honest
messages, the undo of exactly one deactivation, and bulk reactivation, driven through the test client."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditEntry, Customer
from tests.admin_pages import CUSTOMERS, confirm_action, page_text, post_action, texts
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory, valid_dni

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def customer_url(customer) -> str:
    return reverse("admin:customers_customer_change", args=[customer.pk])


def state(*customers) -> list[tuple[bool, object]]:
    return [Customer.objects.values_list("active", "deactivated_at").get(pk=c.pk) for c in customers]


@pytest.fixture
def mixed_selection():
    acme, beta = AccountFactory(username="acme"), AccountFactory(username="beta")
    free = [CustomerFactory(account=acme, legal_name=f"Libre {n} SL") for n in range(2)]
    inactive = CustomerFactory(
        account=acme, legal_name="Ya Inactiva SL", active=False, deactivated_at=timezone.now() - timedelta(days=9)
    )
    busy = CustomerFactory(account=beta, legal_name="Tech Solutions SL", nif="B12345674")
    InvoiceFactory.create_batch(3, customer=busy)
    return {"free": free, "inactive": inactive, "busy": busy, "all": [*free, inactive, busy]}


def test_deactivating_first_shows_what_will_happen_and_changes_nothing(staff, mixed_selection):
    before = state(*mixed_selection["all"])

    response = post_action(staff, "deactivate_selected", mixed_selection["all"], follow=False)

    assert response.status_code == 200
    assert "admin/customers/customer/deactivate_confirmation.html" in [t.name for t in response.templates]
    text = page_text(response)
    assert "2 customers will be deactivated. (account acme: 2)" in text
    assert "1 is already inactive and stays as it is." in text
    assert "1 cannot be deactivated:" in text
    assert "Account beta (1) Tech Solutions SL (B12345674): has 3 invoices" in text
    assert customer_url(mixed_selection["busy"]) in response.content.decode()
    assert 'value="Yes, deactivate 2 customers"' in response.content.decode()
    assert state(*mixed_selection["all"]) == before
    assert not AuditEntry.objects.exists()


def test_cancelling_the_confirmation_goes_back_to_the_list_and_changes_nothing(staff, mixed_selection):
    url = f"{CUSTOMERS}?active__exact=1"
    response = staff.post(
        url, {"action": "deactivate_selected", "_selected_action": [str(c.pk) for c in mixed_selection["free"]]}
    )

    cancel = re.search(r'href="([^"]+)" class="button cancel-link"', response.content.decode()).group(1)
    assert cancel.replace("&amp;", "&") == url
    assert staff.get(cancel).status_code == 200
    assert Customer.objects.filter(active=True).count() == 3
    assert not AuditEntry.objects.exists()


def test_confirming_deactivates_and_says_honestly_what_happened(staff, mixed_selection):
    response = confirm_action(staff, CUSTOMERS, "deactivate_selected", mixed_selection["all"])

    assert [active for active, _ in state(*mixed_selection["free"])] == [False, False]
    assert state(mixed_selection["inactive"])[0][1] < timezone.now() - timedelta(days=8)  # untouched
    assert state(mixed_selection["busy"])[0][0] is True
    assert texts(response, messages.SUCCESS) == [
        "Deactivated 2 customers (account acme: 2); 1 was already inactive. Undo"
    ]
    warnings = texts(response, messages.WARNING)
    assert warnings == [
        "Could not deactivate 1 customer:Account beta (1 customer) Tech Solutions SL (B12345674): has 3 invoices"
    ]
    warning_html = next(str(m) for m in response.context["messages"] if m.level == messages.WARNING)
    assert f'<a href="{customer_url(mixed_selection["busy"])}">Tech Solutions SL (B12345674)</a>' in warning_html


def test_only_already_inactive_customers_are_reported_as_such_not_as_deactivated(staff):
    customers = CustomerFactory.create_batch(3, active=False, deactivated_at=timezone.now())

    response = confirm_action(staff, CUSTOMERS, "deactivate_selected", customers)

    assert texts(response, messages.SUCCESS) == []
    assert texts(response, messages.INFO) == ["No customer was deactivated: the 3 selected were already inactive."]
    assert not AuditEntry.objects.exists()


def test_a_long_failure_list_is_grouped_by_account_and_folded(staff):
    account = AccountFactory(username="muchas")
    busy = [CustomerFactory(account=account, legal_name=f"Ocupada {n:02d} SL") for n in range(8)]
    for customer in busy:
        InvoiceFactory(customer=customer)

    preview = post_action(staff, "deactivate_selected", busy, follow=False)
    response = confirm_action(staff, CUSTOMERS, "deactivate_selected", busy)

    assert "<details" in preview.content.decode() and "open" not in preview.content.decode().split("<details")[1][:30]
    warning_html = next(str(m) for m in response.context["messages"] if m.level == messages.WARNING)
    assert warning_html.count("<details>") == 1 and warning_html.count("<li>") == 8
    assert warning_html.count("Ocupada 03 SL") == 1
    assert Customer.objects.filter(active=True).count() == 8


# --- undo ---------------------------------------------------------------------------------------------------


def undo_url_of(response) -> str:
    success = next(str(m) for m in response.context["messages"] if m.level == messages.SUCCESS)
    return re.search(r'href="([^"]+)" class="undo-link"', success).group(1)


def test_undo_reactivates_exactly_the_customers_that_deactivation_deactivated(staff, mixed_selection):
    earlier = CustomerFactory(legal_name="Otra Tanda SL")
    confirm_action(staff, CUSTOMERS, "deactivate_selected", [earlier])
    response = confirm_action(staff, CUSTOMERS, "deactivate_selected", mixed_selection["all"])
    undo_url = undo_url_of(response)

    preview = staff.get(undo_url)
    assert preview.status_code == 200
    listed = page_text(preview)
    assert all(c.legal_name in listed for c in mixed_selection["free"])
    assert "Ya Inactiva SL" not in listed and "Otra Tanda SL" not in listed
    assert [active for active, _ in state(*mixed_selection["free"])] == [False, False]  # a GET changes nothing

    done = staff.post(undo_url, follow=True)

    assert [active for active, _ in state(*mixed_selection["free"])] == [True, True]
    assert state(mixed_selection["inactive"])[0][0] is False
    assert state(earlier)[0][0] is False
    assert texts(done, messages.SUCCESS) == ["Reactivated 2 customers (account acme: 2)."]
    reactivations = AuditEntry.objects.filter(action=AuditEntry.Action.REACTIVATED)
    assert sorted(e.customer_id for e in reactivations) == sorted(c.pk for c in mixed_selection["free"])


def test_undoing_twice_reports_the_customers_as_already_active(staff):
    customers = CustomerFactory.create_batch(2)
    undo_url = undo_url_of(confirm_action(staff, CUSTOMERS, "deactivate_selected", customers))
    staff.post(undo_url)

    again = staff.post(undo_url, follow=True)

    assert texts(again, messages.INFO) == ["No customer was reactivated: the 2 selected were already active."]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REACTIVATED).count() == 2


def test_the_undo_page_summarises_by_account_with_the_buttons_before_the_folded_list(staff):
    acme, beta = AccountFactory(username="acme"), AccountFactory(username="beta")
    customers = [CustomerFactory(account=acme) for _ in range(3)] + [CustomerFactory(account=beta) for _ in range(2)]
    undo_url = undo_url_of(confirm_action(staff, CUSTOMERS, "deactivate_selected", customers))
    Customer.objects.filter(pk=customers[0].pk).update(active=True, deactivated_at=None)  # reactivated meanwhile

    page = staff.get(undo_url, headers={"accept-language": "es"})

    html = page.content.decode()
    summary, button, folded = (html.index(part) for part in ('id="undo-by-account"', 'id="confirm-undo"', "<details"))
    assert summary < button < folded
    assert '<details id="to-reactivate">' in html  # folded: not open
    text = page_text(page)
    assert "Se reactivarán 4 clientes. (De 5 en la desactivación: los demás ya están activos de nuevo.)" in text
    assert [(row["account_name"], row["total"], row["inactive"]) for row in page.context["by_account"]] == [
        ("acme", 3, 2),
        ("beta", 2, 2),
    ]
    assert 'value="Sí, reactivar 4 clientes"' in html
    assert html.count("<li>") >= 5
    assert Customer.objects.filter(active=False).count() == 4  # a GET changes nothing


def test_revisiting_an_undone_deactivation_says_so_and_offers_no_button(staff):
    customers = CustomerFactory.create_batch(2)
    undo_url = undo_url_of(confirm_action(staff, CUSTOMERS, "deactivate_selected", customers))
    staff.post(undo_url)

    page = staff.get(undo_url, headers={"accept-language": "es"})

    assert "Esta desactivación ya se deshizo: sus 2 clientes vuelven a estar activos." in page_text(page)
    assert 'id="confirm-undo"' not in page.content.decode()
    assert Customer.objects.filter(active=True).count() == 2


def test_an_unknown_deactivation_has_nothing_to_undo(staff):
    page = staff.get(
        reverse("admin:customers_customer_undo_deactivation", args=["00000000-0000-0000-0000-000000000000"]),
        headers={"accept-language": "es"},
    )

    assert "Nada que deshacer: esta desactivación no existe o sus clientes ya no existen." in page_text(page)
    assert 'id="confirm-undo"' not in page.content.decode()


# --- reactivation -------------------------------------------------------------------------------------------


def test_reactivate_action_reports_already_active_customers_and_clashes_at_the_success_level(staff):
    account = AccountFactory(username="acme")
    nif = valid_dni(5150)
    returning = CustomerFactory(account=account, legal_name="Vuelve SL", active=False, deactivated_at=timezone.now())
    blocked = CustomerFactory(account=account, nif=nif, legal_name="Bloqueada SL", active=False)
    CustomerFactory(account=account, nif=nif, legal_name="Tiene El NIF SL")
    active = CustomerFactory(account=account, legal_name="Activa SL")

    response = confirm_action(staff, CUSTOMERS, "reactivate_selected", [returning, blocked, active])

    assert state(returning)[0] == (True, None)
    assert state(blocked)[0][0] is False
    assert texts(response, messages.SUCCESS) == ["Reactivated 1 customer (account acme: 1); 1 was already active."]
    assert texts(response, messages.WARNING) == [
        f"Could not reactivate 1 customer:Account acme (1 customer) Bloqueada SL ({nif}): "
        "an active customer of the account already has this NIF"
    ]


def test_reactivating_only_active_customers_says_so(staff):
    customers = CustomerFactory.create_batch(2)

    response = confirm_action(staff, CUSTOMERS, "reactivate_selected", customers)

    assert texts(response, messages.INFO) == ["No customer was reactivated: the 2 selected were already active."]
    assert not AuditEntry.objects.exists()


def test_select_all_across_a_filtered_list_confirms_and_deactivates_exactly_that_list(staff):
    acme = AccountFactory(username="acme")
    chosen = CustomerFactory.create_batch(3, account=acme)
    others = CustomerFactory.create_batch(2)
    url = f"{CUSTOMERS}?account=acme"
    select_all = {"action": "deactivate_selected", "select_across": "1", "index": "0"}

    preview = staff.post(url, {**select_all, "_selected_action": [str(chosen[0].pk)]})
    content = preview.content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(select_across|action)" value="([^"]*)">', content))
    form_action = re.search(r'<form method="post" action="([^"]+)"', content).group(1).replace("&amp;", "&")
    assert "3 customers will be deactivated. (account acme: 3)" in page_text(preview)
    assert hidden == {"select_across": "1", "action": "deactivate_selected"}

    confirmed = {**select_all, "_selected_action": [str(chosen[0].pk)], "post": "yes"}
    done = staff.post(form_action, confirmed, follow=True)

    assert texts(done, messages.SUCCESS) == ["Deactivated 3 customers (account acme: 3). Undo"]
    assert not Customer.objects.filter(pk__in=[c.pk for c in chosen], active=True).exists()
    assert Customer.objects.filter(pk__in=[c.pk for c in others], active=True).count() == 2


def test_the_reactivate_action_takes_as_many_queries_for_100_customers_as_for_1(staff):
    def queries_to_reactivate(how_many: int) -> int:
        customers = CustomerFactory.create_batch(how_many, account=AccountFactory(), active=False)
        with CaptureQueriesContext(connection) as captured:
            response = post_action(staff, "reactivate_selected", customers, follow=False, post="yes")
        assert response.status_code == 302
        assert not Customer.objects.filter(pk__in=[c.pk for c in customers], active=False).exists()
        return len(captured.captured_queries)

    queries_to_reactivate(1)  # warm up whatever is cached per process
    assert queries_to_reactivate(100) == queries_to_reactivate(1)


def test_the_confirmation_names_the_customers_it_will_deactivate(staff, mixed_selection):
    response = post_action(staff, "deactivate_selected", mixed_selection["all"], follow=False)

    listed = re.search(r'<details id="will-deactivate-list">(.*?)</details>', response.content.decode(), re.S).group(1)
    assert sorted(re.findall(r">(Libre \d SL) \(", listed)) == ["Libre 0 SL", "Libre 1 SL"]
    assert "Ya Inactiva SL" not in listed and "Tech Solutions SL" not in listed
