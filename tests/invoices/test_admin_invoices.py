"""Invoices in the admin cannot be bent: only drafts are editable, their amounts are checked by the same
rule as the API's, status moves only along allowed transitions; search ignores accents; one number format."""

from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import Invoice, InvoiceStatus
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

INVOICES = reverse("admin:invoices_invoice_changelist")


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def change_url(invoice) -> str:
    return reverse("admin:invoices_invoice_change", args=[invoice.pk])


def form_data(**overrides) -> dict:
    data = {
        "status": "draft",
        "issue_date": "2026-03-01",
        "currency": "EUR",
        "subtotal": "814.00",
        "tax_total": "170.94",
        "total": "984.94",
    }
    return {**data, **overrides}


def stored(invoice) -> dict:
    return Invoice.objects.values("status", "currency", "subtotal", "tax_total", "total").get(pk=invoice.pk)


@pytest.fixture
def paid():
    return InvoiceFactory(
        status=InvoiceStatus.PAID, subtotal=Decimal("814.00"), tax_total=Decimal("170.94"), total=Decimal("984.94")
    )


@pytest.mark.parametrize("status", [InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.CANCELLED])
def test_issued_paid_and_cancelled_invoices_are_read_only(staff, status):
    invoice = InvoiceFactory(
        status=status, subtotal=Decimal("814"), tax_total=Decimal("170.94"), total=Decimal("984.94")
    )
    before = stored(invoice)

    page = staff.get(change_url(invoice))
    posted = staff.post(change_url(invoice), form_data(status="draft", total="1.00", currency="XYZ"), follow=True)

    assert page.status_code == 200
    assert 'name="total"' not in page.content.decode() and 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert stored(invoice) == before


def test_a_drafts_total_must_be_subtotal_plus_tax(staff):
    draft = InvoiceFactory(status=InvoiceStatus.DRAFT)

    response = staff.post(change_url(draft), form_data(total="1.00"))

    assert response.status_code == 200
    assert "Must be subtotal + tax_total = 984.94." in response.context["adminform"].form.errors["total"][0]
    assert stored(draft)["total"] == Decimal("0")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"currency": "XYZ"}, "currency"), ({"subtotal": "-1.00", "total": "169.94"}, "subtotal")],
)
def test_a_drafts_currency_and_amounts_are_checked(staff, overrides, field):
    draft = InvoiceFactory(status=InvoiceStatus.DRAFT)

    response = staff.post(change_url(draft), form_data(**overrides))

    assert field in response.context["adminform"].form.errors
    assert stored(draft)["currency"] == "EUR" and stored(draft)["subtotal"] == Decimal("0")


def test_a_valid_draft_edit_is_saved_and_issued_through_the_service(staff):
    draft = InvoiceFactory(status=InvoiceStatus.DRAFT, series="A", number=None)

    response = staff.post(change_url(draft), {**form_data(currency="USD"), "_issue": "1"})

    assert response.status_code == 302
    assert stored(draft) == {
        "status": "issued",
        "currency": "USD",
        "subtotal": Decimal("814.00"),
        "tax_total": Decimal("170.94"),
        "total": Decimal("984.94"),
    }
    issued = Invoice.objects.get(pk=draft.pk)
    assert (issued.full_number, issued.recipient["legal_name"]) == ("A-000001", draft.customer.legal_name)


def test_the_issue_action_issues_the_drafts_and_reports_each_invoice_it_could_not(staff):
    customer = CustomerFactory()
    drafts = InvoiceFactory.create_batch(2, customer=customer, series="A", number=None, status=InvoiceStatus.DRAFT)
    paid = InvoiceFactory(customer=customer, series="F", number=9, status=InvoiceStatus.PAID)

    response = staff.post(
        INVOICES, {"action": "issue_selected", "_selected_action": [str(i.pk) for i in [*drafts, paid]]}, follow=True
    )

    shown = [str(message) for message in response.context["messages"]]
    assert any("Issued 2 invoices: A-000001, A-000002" in text for text in shown)
    assert any("Could not issue 1 invoice:" in text and "F-000009" in text for text in shown)
    assert sorted(Invoice.objects.filter(series="A").values_list("number", flat=True)) == [1, 2]
    assert stored(paid)["status"] == "paid"


def test_an_issued_invoices_page_shows_the_recipient_as_issued_not_as_the_customer_is_now(staff, api, account):
    customer = CustomerFactory(account=account, legal_name="Antigua SL")
    draft = InvoiceFactory(customer=customer, series="A", number=None, status=InvoiceStatus.DRAFT)
    staff.post(INVOICES, {"action": "issue_selected", "_selected_action": [str(draft.pk)]})
    api.patch(f"/api/v1/customers/{customer.pk}", {"legal_name": "Nueva SL"}, format="json")

    page = staff.get(change_url(draft)).content.decode()

    assert "Antigua SL" in page.split('class="invoice-recipient"')[1]
    assert "Nueva SL" not in page.split('class="invoice-recipient"')[1]
    assert Invoice.objects.get(pk=draft.pk).recipient["legal_name"] == "Antigua SL"


@pytest.mark.parametrize("status", ["paid", "issued", "cancelled"])
def test_a_drafts_form_has_no_status_to_choose_and_a_posted_one_changes_nothing(staff, status):
    draft = InvoiceFactory(status=InvoiceStatus.DRAFT)

    page = staff.get(change_url(draft))
    staff.post(change_url(draft), form_data(status=status))

    assert "status" not in page.context["adminform"].form.fields
    assert stored(draft)["status"] == "draft" and stored(draft)["total"] == Decimal("984.94")


def test_the_api_has_no_way_to_change_an_invoice(api, account):
    invoice = InvoiceFactory(customer=CustomerFactory(account=account), status=InvoiceStatus.PAID)
    url = f"/api/v1/invoices/{invoice.pk}"

    for method in ("put", "patch", "delete"):
        response = getattr(api, method)(url, {"status": "draft", "total": "1.00"}, format="json")
        assert response.status_code == 405, method
    assert stored(invoice)["status"] == "paid"


@pytest.mark.parametrize("currency", ["XYZ", "AAA"])
def test_the_api_refuses_a_currency_that_is_not_iso_4217(api, account, currency):
    customer = CustomerFactory(account=account)

    response = api.post("/api/v1/invoices", {"customer_id": str(customer.pk), "currency": currency}, format="json")

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"currency": "An ISO 4217 code such as EUR."}
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("term", ["garcia", "GARCÍA", "García"])
def test_invoice_search_ignores_accents_and_case(staff, term):
    maria = CustomerFactory(legal_name="María García López")
    InvoiceFactory.create_batch(2, customer=maria)
    InvoiceFactory(customer=CustomerFactory(legal_name="Pedro Pérez SL"))

    response = staff.get(INVOICES, {"q": term})

    assert {invoice.customer_id for invoice in response.context["cl"].result_list} == {maria.pk}
    assert response.context["cl"].result_count == 2


def test_an_invoice_number_is_printed_the_same_in_the_list_and_the_page_title(staff):
    invoice = InvoiceFactory(series="A", number=1, status=InvoiceStatus.DRAFT)

    listed = staff.get(INVOICES).content.decode()
    page = staff.get(change_url(invoice)).content.decode()

    assert "A-000001" in listed
    assert "<title>A-000001 |" in page and "A-1 " not in page
    assert str(invoice) == invoice.full_number == "A-000001"
