"""Bulk reactivation in the admin asks first: how many will be reactivated (per account), how many are
already active (left alone) and which cannot be, computed by the service's dry run; confirming reactivates
only the inactive ones, and a confirmation posted again says they are active already. Test client."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.utils import timezone

from customers.models import AuditEntry, Customer
from tests.admin_pages import CUSTOMERS, page_text, post_action, texts
from tests.factories import AccountFactory, CustomerFactory, valid_dni

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def selection():
    acme = AccountFactory(username="acme")
    then = timezone.now() - timedelta(days=4)
    returning = [
        CustomerFactory(account=acme, legal_name=f"Vuelve {n} SL", active=False, deactivated_at=then) for n in range(2)
    ]
    active = CustomerFactory(account=acme, legal_name="Ya Activa SL")
    nif = valid_dni(7301)
    blocked = CustomerFactory(account=acme, legal_name="Bloqueada SL", nif=nif, active=False, deactivated_at=then)
    CustomerFactory(account=acme, legal_name="Tiene El NIF SL", nif=nif)
    return {"returning": returning, "active": active, "blocked": blocked, "all": [*returning, active, blocked]}


def states(customers) -> list[bool]:
    return [Customer.objects.get(pk=customer.pk).active for customer in customers]


def test_reactivating_first_shows_the_counts_and_changes_nothing(staff, selection):
    response = post_action(staff, "reactivate_selected", selection["all"], follow=False)

    assert response.status_code == 200
    assert "admin/customers/customer/reactivate_confirmation.html" in [t.name for t in response.templates]
    text = page_text(response)
    assert "2 customers will be reactivated. (account acme: 2)" in text
    assert "1 is already active and stays as it is." in text
    assert "1 cannot be reactivated:" in text
    assert "Bloqueada SL" in text and "an active customer of the account already has this NIF" in text
    assert "Vuelve 0 SL" in text and "Vuelve 1 SL" in text
    assert 'value="Yes, reactivate 2 customers"' in response.content.decode()
    assert states(selection["all"]) == [False, False, True, False]
    assert not AuditEntry.objects.exists()


def test_the_spanish_confirmation_says_how_many_are_already_active(staff, selection):
    data = {"action": "reactivate_selected", "_selected_action": [str(c.pk) for c in selection["all"]]}
    response = staff.post(CUSTOMERS, data, HTTP_ACCEPT_LANGUAGE="es")

    text = page_text(response)
    assert "Se reactivarán 2 clientes. (cuenta acme: 2)" in text
    assert "1 ya está activo y se queda como está." in text
    assert 'value="Sí, reactivar 2 clientes"' in response.content.decode()


def test_confirming_reactivates_only_the_inactive_customers(staff, selection):
    response = post_action(staff, "reactivate_selected", selection["all"], post="yes")

    assert texts(response, messages.SUCCESS) == ["Reactivated 2 customers (account acme: 2); 1 was already active."]
    assert states(selection["all"]) == [True, True, True, False]
    reactivated = AuditEntry.objects.filter(action=AuditEntry.Action.REACTIVATED)
    assert sorted(entry.customer_id for entry in reactivated) == sorted(c.pk for c in selection["returning"])
    assert Customer.objects.get(pk=selection["active"].pk).audit_entries.count() == 0


def test_the_cancel_link_goes_back_to_the_filtered_list_and_changes_nothing(staff, selection):
    url = f"{CUSTOMERS}?active__exact=0"
    response = post_action(staff, "reactivate_selected", selection["returning"], url=url, follow=False)

    cancel = re.search(r'href="([^"]+)" class="button cancel-link"', response.content.decode()).group(1)
    assert cancel.replace("&amp;", "&") == url
    assert staff.get(cancel).status_code == 200
    assert states(selection["returning"]) == [False, False]


def test_a_confirmation_posted_again_says_they_are_already_active(staff, selection):
    # The list was filtered on inactive customers: once reactivated, the filter no longer shows them.
    url = f"{CUSTOMERS}?active__exact=0"
    post_action(staff, "reactivate_selected", selection["returning"], url=url, post="yes")

    again = post_action(staff, "reactivate_selected", selection["returning"], url=url, post="yes")

    assert again.status_code == 200
    assert texts(again, messages.INFO) == ["No customer was reactivated: the 2 selected were already active."]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REACTIVATED).count() == 2


def test_select_all_confirmed_again_on_a_list_that_now_shows_none_says_so(staff, selection):
    url = f"{CUSTOMERS}?active__exact=0&account=acme"
    select_all = {"action": "reactivate_selected", "select_across": "1", "index": "0", "post": "yes"}
    first = {**select_all, "_selected_action": [str(selection["returning"][0].pk)]}
    staff.post(url, first)
    Customer.objects.filter(pk=selection["blocked"].pk).update(active=True, deactivated_at=None, nif="")

    again = staff.post(url, first, follow=True)

    assert texts(again, messages.INFO) == ["No customer was reactivated: the list shows none of them any more."]
