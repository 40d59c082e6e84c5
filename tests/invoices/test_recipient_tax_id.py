"""Issuing to a customer whose tax id its registry does not hold (issue 25, item 5): refused through the API
with RECIPIENT_TAX_ID_INVALID naming the customer; PENDING lets it through; staff may issue anyway in the
admin, with a reason that the invoice records."""

from decimal import Decimal

import pytest
from django.urls import reverse

from beel.events.models import Event
from invoices.models import Invoice, InvoiceStatus
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory, InvoiceFactory
from tests.invoices.helpers import created, issue

pytestmark = pytest.mark.django_db


def test_issuing_to_a_customer_not_in_the_census_is_refused_naming_it(api, account):
    customer = CustomerFactory(account=account, tax_id_status="INVALID")
    draft = created(api, customer)

    error = assert_error(issue(api, draft["id"]), 422, "RECIPIENT_TAX_ID_INVALID")

    assert error["details"]["customer_id"] == str(customer.pk)
    assert customer.legal_name in error["message"]
    invoice = Invoice.objects.get(pk=draft["id"])
    assert (invoice.status, invoice.number) == (InvoiceStatus.DRAFT, None)
    assert not Event.objects.filter(type="invoice.issued").exists()


@pytest.mark.parametrize("status", ["PENDING", "VALID", "ERROR", ""])
def test_a_pending_or_valid_or_unchecked_customer_takes_the_invoice(api, account, status):
    customer = CustomerFactory(account=account, tax_id_status=status)

    data = assert_success(issue(api, created(api, customer)["id"]))

    assert data["status"] == "issued"
    assert Invoice.objects.get(pk=data["id"]).tax_id_override_reason == ""


def admin_form(**overrides) -> dict:
    data = {"_issue": "1", "issue_date": "2026-03-01", "currency": "EUR"}
    data |= {"subtotal": "814.00", "tax_total": "170.94", "total": "984.94"}
    return {**data, **overrides}


def draft_for_invalid_customer() -> Invoice:
    customer = CustomerFactory(tax_id_status="INVALID")
    return InvoiceFactory(
        account=customer.account,
        customer=customer,
        status=InvoiceStatus.DRAFT,
        series="A",
        number=None,
        subtotal=Decimal("814.00"),
        tax_total=Decimal("170.94"),
        total=Decimal("984.94"),
    )


def test_staff_issue_anyway_with_a_reason_that_is_recorded(staff, admin_user):
    draft = draft_for_invalid_customer()
    url = reverse("admin:invoices_invoice_change", args=[draft.pk])

    page = staff.get(url)
    refused = staff.post(url, admin_form(), follow=True)
    draft.refresh_from_db()
    assert 'name="issue_despite_tax_id"' in page.content.decode()
    assert draft.status == InvoiceStatus.DRAFT
    assert "no figura" in refused.content.decode() or "not in its registry" in refused.content.decode()

    staff.post(url, admin_form(issue_despite_tax_id="Alta reciente en Hacienda, confirmada por teléfono"))

    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.ISSUED and draft.number is not None
    assert draft.tax_id_override_reason == "Alta reciente en Hacienda, confirmada por teléfono"
    assert draft.tax_id_override_by == admin_user.get_username()
    assert "Alta reciente" in staff.get(url).content.decode()
