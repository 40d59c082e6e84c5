"""POST /invoices/{id}/mark-paid (BeeL's markInvoicePaid, with beel's partial `amount`) and
DELETE /invoices/{id}/payments/{payment_id}; the due date an issue sets."""

from decimal import Decimal

import pytest

from beel.events.models import Event
from invoices.models import Invoice, InvoicePayment
from tests.envelope import assert_error, assert_success, assert_validation_error
from tests.factories import CustomerFactory
from tests.invoices.helpers import cancel, created, url_of
from tests.invoices.payments import issue_with, issued_for, mark_paid, undo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]


def events_of(invoice_id: str, event_type: str) -> int:
    return Event.objects.filter(type=event_type, data__id=invoice_id).count()


# --- due dates ----------------------------------------------------------------------------------------------


def test_an_issued_invoice_falls_due_after_beels_default_30_days_without_a_customer_term(api, customer):
    invoice = issued_for(api, customer)
    assert (invoice["issue_date"], invoice["due_date"]) == ("2026-06-15", "2026-07-15")
    assert Invoice.objects.get(pk=invoice["id"]).due_date.isoformat() == "2026-07-15"


@pytest.mark.parametrize(("term", "due"), [(0, "2026-06-15"), (15, "2026-06-30"), (90, "2026-09-13")])
def test_the_due_date_is_the_customers_payment_term_at_issue_time(api, account, term, due):
    customer = CustomerFactory(account=account, payment_term_days=45)
    draft = created(api, customer)
    customer.payment_term_days = term  # what counts is the term when it is issued, not when drafted
    customer.save(update_fields=["payment_term_days"])
    assert assert_success(issue_with(api, draft["id"], {}))["due_date"] == due


def test_a_due_date_given_when_issuing_or_drafting_wins_over_the_term(api, customer):
    assert issued_for(api, customer, due_date="2026-08-01")["due_date"] == "2026-08-01"
    draft = created(api, customer, due_date="2026-07-01")
    assert draft["due_date"] == "2026-07-01"
    assert assert_success(issue_with(api, draft["id"], {}))["due_date"] == "2026-07-01"


def test_a_due_date_before_the_issue_date_is_refused_and_the_draft_stays_a_draft(api, customer):
    draft = created(api, customer)
    assert_validation_error(issue_with(api, draft["id"], {"due_date": "2026-06-14"}), {"due_date"}, 422)
    stored = Invoice.objects.get(pk=draft["id"])
    assert (stored.status, stored.number, stored.due_date) == ("draft", None, None)


# --- mark-paid --------------------------------------------------------------------------------------------


def test_mark_paid_without_an_amount_pays_what_is_due_and_the_invoice_is_paid(api, customer):
    invoice = issued_for(api, customer, total="121.00")
    data = assert_success(mark_paid(api, invoice["id"], payment_date="2026-06-10"))
    assert (data["status"], data["payment_date"], data["amount_paid"], data["amount_due"]) == (
        "paid",
        "2026-06-10",
        "121.00",
        "0.00",
    )
    assert data["paid_at"] is not None and data["overdue"] is False
    assert [(p["amount"], p["payment_date"]) for p in data["payments"]] == [("121.00", "2026-06-10")]
    stored = Invoice.objects.get(pk=invoice["id"])
    assert (stored.status, stored.amount_paid, str(stored.payment_date)) == ("paid", Decimal("121.00"), "2026-06-10")
    assert events_of(invoice["id"], "invoice.paid") == 1


def test_the_payment_date_defaults_to_today_and_may_not_be_in_the_future(api, customer):
    invoice = issued_for(api, customer)
    assert_validation_error(mark_paid(api, invoice["id"], payment_date="2026-06-16"), {"payment_date"}, 422)
    assert not InvoicePayment.objects.exists()
    assert assert_success(mark_paid(api, invoice["id"]))["payment_date"] == "2026-06-15"


def test_partial_payments_add_up_and_the_invoice_is_paid_when_they_cover_its_total(api, customer):
    invoice = issued_for(api, customer, total="121.00")
    first = assert_success(mark_paid(api, invoice["id"], amount="21.00", payment_date="2026-06-01"))
    assert (first["status"], first["amount_paid"], first["amount_due"], first["payment_date"]) == (
        "issued",
        "21.00",
        "100.00",
        None,
    )
    assert events_of(invoice["id"], "invoice.paid") == 0
    second = assert_success(mark_paid(api, invoice["id"], amount="100.00", payment_date="2026-06-12"))
    assert (second["status"], second["amount_due"], second["payment_date"]) == ("paid", "0.00", "2026-06-12")
    assert [p["amount"] for p in second["payments"]] == ["21.00", "100.00"]
    assert events_of(invoice["id"], "invoice.paid") == 1


def test_cents_add_up_exactly(api, customer):
    invoice = issued_for(api, customer, total="0.30")
    assert_success(mark_paid(api, invoice["id"], amount="0.10"))
    paid = assert_success(mark_paid(api, invoice["id"], amount="0.20"))
    assert (paid["status"], paid["amount_paid"]) == ("paid", "0.30")  # 0.1 + 0.2 as floats is 0.30000000000000004


@pytest.mark.parametrize("amount", ["121.01", "0.00", "0", "-1.00", "1.001", "12,00", 10])
def test_an_amount_over_what_is_due_or_not_a_positive_two_place_decimal_is_refused(api, customer, amount):
    invoice = issued_for(api, customer, total="121.00")
    response = mark_paid(api, invoice["id"], amount=amount)
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code)
    assert not InvoicePayment.objects.exists()
    assert Invoice.objects.get(pk=invoice["id"]).amount_paid == Decimal("0.00")


@pytest.mark.parametrize("amount", ["-3", "+3.00", "3e2"])
def test_a_signed_or_exponent_amount_is_told_the_form_an_amount_takes(api, customer, amount):
    invoice = issued_for(api, customer, total="121.00")
    response = mark_paid(api, invoice["id"], amount=amount)
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert error["details"]["amount"] == 'Must be a decimal string with up to two decimals and no sign, e.g. "814.00".'
    assert not InvoicePayment.objects.exists()


def test_only_an_issued_invoice_takes_a_payment(api, customer):
    draft = created(api, customer, subtotal="10.00")
    assert_error(mark_paid(api, draft["id"]), 409, "INVOICE_NOT_PAYABLE")
    paid = issued_for(api, customer)
    assert_success(mark_paid(api, paid["id"]))
    assert_error(mark_paid(api, paid["id"]), 409, "INVOICE_NOT_PAYABLE")
    cancelled = issued_for(api, customer)
    assert_success(cancel(api, cancelled["id"]))
    assert_error(mark_paid(api, cancelled["id"]), 409, "INVOICE_NOT_PAYABLE")
    assert InvoicePayment.objects.count() == 1


def test_another_accounts_invoice_is_not_found(api, other_api, customer):
    invoice = issued_for(api, customer)
    assert_error(mark_paid(other_api, invoice["id"]), 404, "NOT_FOUND")
    assert not InvoicePayment.objects.exists()


def test_mark_paid_on_the_companys_canonical_route(api, customer):
    invoice = issued_for(api, customer)
    url = f"/api/v1/companies/{customer.company_id}/invoices/{invoice['id']}"
    data = assert_success(api.post(f"{url}/mark-paid", {"amount": "1.00"}, format="json"))
    assert data["amount_paid"] == "1.00"
    undone = assert_success(api.delete(f"{url}/payments/{data['payments'][0]['id']}"))
    assert (undone["amount_paid"], undone["payments"]) == ("0.00", [])


def test_the_payment_method_of_beels_body_is_kept_with_the_payment(api, customer):
    invoice = issued_for(api, customer)
    data = assert_success(mark_paid(api, invoice["id"], payment_method={"method": "BIZUM"}))
    assert data["payments"][0]["method"] == "BIZUM"
    assert InvoicePayment.objects.get().method == "BIZUM"


# --- undoing a payment ------------------------------------------------------------------------------------


def test_undoing_a_payment_returns_a_paid_invoice_to_issued(api, customer):
    invoice = issued_for(api, customer, total="50.00")
    assert_success(mark_paid(api, invoice["id"], amount="20.00"))
    paid = assert_success(mark_paid(api, invoice["id"]))
    mistaken = paid["payments"][1]["id"]
    data = assert_success(undo(api, invoice["id"], mistaken))
    assert (data["status"], data["amount_paid"], data["amount_due"], data["payment_date"], data["paid_at"]) == (
        "issued",
        "20.00",
        "30.00",
        None,
        None,
    )
    stored = Invoice.objects.get(pk=invoice["id"])
    assert (stored.status, stored.amount_paid, stored.paid_at) == ("issued", Decimal("20.00"), None)
    assert list(InvoicePayment.objects.values_list("amount", flat=True)) == [Decimal("20.00")]


def test_undoing_an_unknown_or_another_invoices_payment_is_not_found(api, customer):
    one, other = issued_for(api, customer), issued_for(api, customer)
    payment_id = assert_success(mark_paid(api, one["id"], amount="1.00"))["payments"][0]["id"]
    assert_error(undo(api, other["id"], payment_id), 404, "NOT_FOUND")
    assert_error(undo(api, one["id"], "00000000-0000-4000-8000-000000000000"), 404, "NOT_FOUND")
    assert_error(undo(api, one["id"], "not-a-uuid"), 400)
    assert InvoicePayment.objects.count() == 1


def test_a_cancelled_invoices_payments_stay(api, customer):
    invoice = issued_for(api, customer)
    payment_id = assert_success(mark_paid(api, invoice["id"], amount="1.00"))["payments"][0]["id"]
    assert_success(cancel(api, invoice["id"]))
    assert_error(undo(api, invoice["id"], payment_id), 409, "INVOICE_NOT_PAYABLE")
    assert InvoicePayment.objects.count() == 1


def test_the_invoice_shows_its_payments_when_read(api, customer):
    invoice = issued_for(api, customer)
    assert_success(mark_paid(api, invoice["id"], amount="1.50"))
    data = assert_success(api.get(url_of(invoice["id"])))
    assert (data["amount_paid"], [p["amount"] for p in data["payments"]]) == ("1.50", ["1.50"])
