"""Erasure and merging from the admin, through the test client: each shows what will happen first, then
calls the same service as the API (customers.services.request_erasure / merge_customers)."""

from datetime import UTC, date, datetime

import pytest
from django.contrib import messages

from beel.clock import clock
from customers.models import Customer
from invoices.models import Invoice
from tests.admin_pages import CUSTOMERS, page_text, post_action, texts
from tests.factories import AccountFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    clock.freeze(datetime(2026, 6, 15, 10, 0, tzinfo=UTC).timestamp())
    yield
    clock.unfreeze()


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def erasable_and_retained():
    account = AccountFactory()
    erasable = CustomerFactory(account=account, legal_name="Olvidable SL", email="olvidable@example.es")
    retained = CustomerFactory(account=account, legal_name="Retenida SL")
    InvoiceFactory(customer=retained, series="F", number=1, status="issued", issue_date=date(2024, 3, 1))
    return erasable, retained


# --- anonymise ------------------------------------------------------------------------------------------------


def test_anonymising_first_shows_what_will_happen_to_each_customer_and_changes_nothing(staff, erasable_and_retained):
    erasable, retained = erasable_and_retained

    response = post_action(staff, "anonymize_selected", [erasable, retained], follow=False)

    assert response.status_code == 200
    text = page_text(response)
    assert "1 customer will be anonymised now." in text
    assert "Olvidable SL" in text
    assert "1 customer has issued invoices that must be kept" in text
    assert "Retenida SL" in text and "kept until 12/31/2030" in text
    assert Customer.objects.filter(anonymized_at__isnull=False).count() == 0
    assert Customer.objects.get(pk=retained.pk).erasure_requested_at is None


def test_confirming_anonymises_now_and_reports_retention_active_with_its_date(staff, erasable_and_retained):
    erasable, retained = erasable_and_retained

    response = post_action(staff, "anonymize_selected", [erasable, retained], post="yes")

    assert texts(response, messages.SUCCESS) == ["Anonymised 1 customer."]
    [warning] = texts(response, messages.WARNING)
    assert "Retention active (RETENTION_ACTIVE) for 1 customer" in warning
    assert "Retenida SL" in warning and "12/31/2030" in warning
    scrubbed = Customer.objects.get(pk=erasable.pk)
    assert scrubbed.anonymized_at is not None and scrubbed.email == ""
    waiting = Customer.objects.get(pk=retained.pk)
    assert (waiting.active, waiting.retain_until, waiting.anonymized_at) == (False, date(2030, 12, 31), None)
    assert waiting.legal_name == "Retenida SL"


def test_an_issued_invoice_keeps_its_recipient_when_its_customer_is_anonymised(staff):
    customer = CustomerFactory(legal_name="Antigua SL")
    invoice = InvoiceFactory(customer=customer, series="F", number=1, status="issued", issue_date=date(2018, 3, 1))

    post_action(staff, "anonymize_selected", [customer], post="yes")

    assert Customer.objects.get(pk=customer.pk).anonymized_at is not None
    assert Invoice.objects.get(pk=invoice.pk).recipient["legal_name"] == "Antigua SL"


# --- merge ----------------------------------------------------------------------------------------------------


@pytest.fixture
def duplicates():
    account = AccountFactory()
    kept = CustomerFactory(account=account, legal_name="Alfa SL")
    duplicate = CustomerFactory(account=account, legal_name="Alfa Duplicada SL")
    InvoiceFactory.create_batch(2, customer=duplicate, number=None, status="draft")
    InvoiceFactory(customer=duplicate, series="F", number=4, status="issued")
    return kept, duplicate


def test_merging_needs_exactly_two_customers(staff, duplicates):
    kept, duplicate = duplicates
    response = post_action(staff, "merge_selected", [kept])
    assert texts(response, messages.ERROR) == ["Select exactly two customers to merge."]
    third = CustomerFactory(account=kept.account)
    response = post_action(staff, "merge_selected", [kept, duplicate, third])
    assert texts(response, messages.ERROR) == ["Select exactly two customers to merge."]
    assert not Customer.objects.filter(merged_into__isnull=False).exists()


def test_merging_first_previews_both_directions_and_changes_nothing(staff, duplicates):
    kept, duplicate = duplicates

    response = post_action(staff, "merge_selected", [kept, duplicate], follow=False)

    assert response.status_code == 200
    text = page_text(response)
    assert "Keep Alfa SL" in text and "merge Alfa Duplicada SL" in text
    assert "2 drafts move to the survivor; 1 issued invoice stays with the merged customer." in text
    assert "0 drafts move to the survivor; 0 issued invoices stay with the merged customer." in text
    assert not Customer.objects.filter(merged_into__isnull=False).exists()
    assert Invoice.objects.filter(customer=duplicate).count() == 3


def test_the_preview_says_which_earlier_duplicates_the_merge_carries_along(staff, duplicates):
    kept, duplicate = duplicates
    earlier = CustomerFactory(account=kept.account, active=False, merged_into=duplicate)

    text = page_text(post_action(staff, "merge_selected", [kept, duplicate], follow=False))

    assert "1 customer merged into it earlier now points to the survivor." in text
    assert Customer.objects.get(pk=earlier.pk).merged_into_id == duplicate.pk


def test_confirming_merges_in_the_direction_staff_chose(staff, duplicates):
    kept, duplicate = duplicates

    response = post_action(staff, "merge_selected", [kept, duplicate], post="yes", survivor=str(kept.pk))

    assert texts(response, messages.SUCCESS) == [f"Merged {duplicate} into {kept}."]
    merged = Customer.objects.get(pk=duplicate.pk)
    assert (merged.merged_into_id, merged.active) == (kept.pk, False)
    assert Invoice.objects.filter(customer=kept, status="draft").count() == 2
    assert Invoice.objects.filter(customer=duplicate).values_list("status", flat=True).get() == "issued"


def test_a_refused_merge_is_reported_and_writes_nothing(staff, duplicates):
    kept, duplicate = duplicates
    Customer.objects.filter(pk=kept.pk).update(active=False)

    response = post_action(staff, "merge_selected", [kept, duplicate], post="yes", survivor=str(kept.pk))

    [error] = texts(response, messages.ERROR)
    assert error.startswith("Not merged:")
    assert not Customer.objects.filter(merged_into__isnull=False).exists()
    assert Invoice.objects.filter(customer=duplicate).count() == 3


def test_a_spanish_browser_gets_the_erasure_and_merge_actions_and_their_pages_in_spanish(staff, duplicates):
    kept, duplicate = duplicates
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}

    listing = staff.get(CUSTOMERS, **spanish)
    labels = {value: str(label) for value, label in listing.context["action_form"].fields["action"].choices}
    preview = staff.post(
        CUSTOMERS, {"action": "merge_selected", "_selected_action": [str(kept.pk), str(duplicate.pk)]}, **spanish
    )

    assert labels["anonymize_selected"] == "Anonimizar los clientes seleccionados (derecho al olvido)"
    assert labels["merge_selected"] == "Fusionar los dos clientes seleccionados"
    assert "2 borradores pasan al que se conserva" in page_text(preview)
