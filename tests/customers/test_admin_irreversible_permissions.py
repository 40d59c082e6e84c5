"""Anonymising and merging cannot be undone, so "change customer" is not enough: each needs its own
permission ("Can anonymise customers", "Can merge customers"). Staff without it neither see the action nor
get it run by posting it; with it, the action works as before. Through the test client."""

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission

from customers.models import AuditEntry, Customer
from tests.admin_pages import CUSTOMERS, post_action, texts
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}


def staff_with(client, django_user_model, *codenames: str):
    user = django_user_model.objects.create_user("editor", "editor@example.es", "x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="customers", codename__in=["view_customer", *codenames])
    )
    client.force_login(user)
    return client


def offered_actions(client) -> set[str]:
    return {value for value, _label in client.get(CUSTOMERS).context["action_form"].fields["action"].choices}


@pytest.fixture
def twins():
    account = AccountFactory()
    kept = CustomerFactory(account=account, legal_name="Conservada SL")
    duplicate = CustomerFactory(account=account, legal_name="Duplicada SL")
    InvoiceFactory(customer=duplicate, series="F", number=1)
    return kept, duplicate


def test_change_customer_alone_offers_neither_anonymise_nor_merge(client, django_user_model, twins):
    editor = staff_with(client, django_user_model, "change_customer")

    offered = offered_actions(editor)

    assert {"deactivate_selected", "reactivate_selected"} <= offered
    assert not {"anonymize_selected", "merge_selected"} & offered


def test_anonymise_posted_without_its_permission_is_refused_in_spanish_and_writes_nothing(
    client, django_user_model, twins
):
    editor = staff_with(client, django_user_model, "change_customer")
    customer = twins[0]

    data = {"action": "anonymize_selected", "_selected_action": [str(customer.pk)], "post": "yes"}
    response = editor.post(CUSTOMERS, data, follow=True, **SPANISH)

    assert texts(response, messages.ERROR) == [
        "No tiene permiso para «Anonimizar los clientes seleccionados (derecho al olvido)»: "
        "pídaselo a un administrador."
    ]
    customer.refresh_from_db()
    assert (customer.anonymized_at, customer.erasure_requested_at, customer.legal_name) == (
        None,
        None,
        "Conservada SL",
    )
    assert not AuditEntry.objects.exists()


def test_merge_posted_without_its_permission_is_refused_and_writes_nothing(client, django_user_model, twins):
    editor = staff_with(client, django_user_model, "change_customer", "anonymize_customer")
    kept, duplicate = twins

    response = post_action(editor, "merge_selected", [kept, duplicate], post="yes", survivor=str(kept.pk))

    assert texts(response, messages.ERROR) == [
        "You do not have permission to “Merge two selected customers”: ask an administrator for it."
    ]
    assert not Customer.objects.filter(merged_into__isnull=False).exists()
    assert duplicate.invoices.count() == 1


def test_the_new_permissions_without_change_customer_are_not_enough(client, django_user_model, twins):
    viewer = staff_with(client, django_user_model, "anonymize_customer", "merge_customer")

    assert not {"anonymize_selected", "merge_selected"} & offered_actions(viewer)
    post_action(viewer, "anonymize_selected", [twins[0]], post="yes")
    assert Customer.objects.get(pk=twins[0].pk).anonymized_at is None


def test_with_the_anonymise_permission_staff_anonymise(client, django_user_model, twins):
    editor = staff_with(client, django_user_model, "change_customer", "anonymize_customer")
    customer = twins[0]
    assert "anonymize_selected" in offered_actions(editor)

    response = post_action(editor, "anonymize_selected", [customer], post="yes")

    assert texts(response, messages.SUCCESS) == ["Anonymised 1 customer."]
    assert Customer.objects.get(pk=customer.pk).anonymized_at is not None


def test_with_the_merge_permission_staff_merge(client, django_user_model, twins):
    editor = staff_with(client, django_user_model, "change_customer", "merge_customer")
    kept, duplicate = twins
    assert "merge_selected" in offered_actions(editor)

    response = post_action(editor, "merge_selected", [kept, duplicate], post="yes", survivor=str(kept.pk))

    assert texts(response, messages.SUCCESS) == [f"Merged {duplicate} into {kept}."]
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == kept.pk
