"""POST /customers/{id}/anonymize: the right to be forgotten within Spanish retention law, the daily
command that finishes what retention delayed, and the operator's command for a written request."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from beel.clock import clock
from customers.models import AuditEntry, Customer
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    clock.freeze(datetime(2026, 6, 15, 10, 0, tzinfo=UTC).timestamp())
    yield
    clock.unfreeze()


def anonymize(api, customer):
    return api.post(f"/api/v1/customers/{customer.pk}/anonymize")


def test_a_customer_without_invoices_is_anonymised_at_once_and_still_answers(api, account):
    customer = CustomerFactory(account=account, nif="12345678Z", email="maria@example.es", phone="+34612345678")
    data = assert_success(anonymize(api, customer))
    assert data["id"] == str(customer.pk)
    assert data["legal_name"] == f"Anonymised customer {customer.pk.hex[:8]}"
    assert (data["nif"], data["email"], data["phone"]) == (None, None, None)
    assert set(data["address"].values()) == {None}
    assert data["active"] is False
    assert data["anonymized_at"] is not None
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.nif, stored.email, stored.phone, stored.street, stored.city) == ("", "", "", "", "")
    assert assert_success(api.get(f"/api/v1/customers/{customer.pk}"))["anonymized_at"] == data["anonymized_at"]
    # The history says what was erased, never the erased values.
    entry = AuditEntry.objects.get(customer=customer, action="anonymized")
    assert "nif" in entry.changed_fields and "email" in entry.changed_fields
    history = str(list(AuditEntry.objects.filter(customer=customer).values()))
    assert "12345678Z" not in history and "maria@example.es" not in history
    # Its NIF is free for a new customer.
    created = api.post("/api/v1/customers", {"legal_name": "Nueva SL", "nif": "12345678Z"}, format="json")
    assert created.status_code == 201


def test_a_customer_with_only_drafts_is_anonymised_at_once(api, account):
    customer = CustomerFactory(account=account)
    InvoiceFactory(customer=customer, status="draft", issue_date=date(2026, 1, 10))
    assert assert_success(anonymize(api, customer))["anonymized_at"] is not None


def test_a_draft_cancelled_before_being_issued_keeps_no_customer(api, account):
    customer = CustomerFactory(account=account)
    draft = InvoiceFactory(customer=customer, number=None, status="draft", issue_date=date(2026, 1, 10))
    assert_success(api.post(f"/api/v1/invoices/{draft.pk}/cancel"))

    assert assert_success(anonymize(api, customer))["anonymized_at"] is not None
    assert Customer.objects.get(pk=customer.pk).retain_until is None


def test_invoices_from_three_years_ago_keep_the_customer_until_six_years_after_that_year(api, account):
    customer = CustomerFactory(account=account, legal_name="Retenida SL")
    InvoiceFactory(customer=customer, status="paid", issue_date=date(2019, 3, 1))  # seven years ago
    InvoiceFactory(customer=customer, status="issued", issue_date=date(2023, 5, 20))  # three years ago
    error = assert_error(anonymize(api, customer), 409, "RETENTION_ACTIVE")
    assert error["details"] == {"retain_until": "2029-12-31"}
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.legal_name == "Retenida SL"  # kept: the law needs it on the invoices
    assert stored.active is False and stored.erasure_requested_at is not None
    assert stored.retain_until == date(2029, 12, 31) and stored.anonymized_at is None
    detail = assert_success(api.get(f"/api/v1/customers/{customer.pk}"))
    assert detail["retain_until"] == "2029-12-31"
    # It can take no invoice and cannot be brought back.
    invoice = api.post("/api/v1/invoices", {"customer_id": str(customer.pk)}, format="json")
    assert_error(invoice, 409, "CUSTOMER_INACTIVE")
    assert_error(api.post(f"/api/v1/customers/{customer.pk}/reactivate"), 409, "CUSTOMER_ERASURE_PENDING")
    # Asking again answers the same and records nothing more.
    assert_error(anonymize(api, customer), 409, "RETENTION_ACTIVE")
    assert AuditEntry.objects.filter(customer=customer, action="erasure_requested").count() == 1


def test_invoices_whose_retention_ended_do_not_delay_the_erasure(api, account):
    customer = CustomerFactory(account=account)
    InvoiceFactory(customer=customer, status="issued", issue_date=date(2019, 11, 30))  # kept until 2025-12-31
    assert assert_success(anonymize(api, customer))["anonymized_at"] is not None


def test_a_cancelled_invoice_is_kept_as_well(api, account):
    customer = CustomerFactory(account=account)
    InvoiceFactory(customer=customer, status="cancelled", issue_date=date(2025, 2, 1))
    assert assert_error(anonymize(api, customer), 409, "RETENTION_ACTIVE")["details"]["retain_until"] == "2031-12-31"


def test_an_anonymised_customer_cannot_be_edited_or_reactivated(api, account):
    customer = CustomerFactory(account=account)
    anonymize(api, customer)
    patch = api.patch(f"/api/v1/customers/{customer.pk}", {"legal_name": "Otra vez SL"}, format="json")
    assert_error(patch, 409, "CUSTOMER_ANONYMIZED")
    assert_error(api.post(f"/api/v1/customers/{customer.pk}/reactivate"), 409, "CUSTOMER_ANONYMIZED")
    assert assert_success(anonymize(api, customer))["anonymized_at"] is not None  # idempotent


def test_another_accounts_customer_is_not_found(api, other_account):
    customer = CustomerFactory(account=other_account)
    assert_error(anonymize(api, customer), 404, "CLIENT_NOT_FOUND")
    assert Customer.objects.get(pk=customer.pk).anonymized_at is None


def _waiting_until(api, account, last_issue: date) -> Customer:
    customer = CustomerFactory(account=account)
    InvoiceFactory(customer=customer, status="issued", issue_date=last_issue)
    assert anonymize(api, customer).status_code == 409
    return customer


def test_the_daily_command_anonymises_exactly_the_customers_whose_date_passed(api, account):
    # Recorded while retention was running; their dates are then set to yesterday and today, as years of
    # waiting would have left them.
    passed = _waiting_until(api, account, date(2024, 1, 1))
    Customer.objects.filter(pk=passed.pk).update(retain_until=date(2026, 6, 14))
    today = _waiting_until(api, account, date(2024, 1, 1))
    Customer.objects.filter(pk=today.pk).update(retain_until=TODAY)
    later = _waiting_until(api, account, date(2024, 1, 1))
    out = StringIO()
    call_command("anonymizeduecustomers", stdout=out)
    assert f"anonymised  {passed.pk}" in out.getvalue()
    assert "Anonymised 1 customer." in out.getvalue()
    anonymized = set(Customer.objects.filter(anonymized_at__isnull=False).values_list("pk", flat=True))
    assert anonymized == {passed.pk}
    entry = AuditEntry.objects.get(customer=passed, action="anonymized")
    assert (entry.channel, entry.actor) == ("command", "anonymizeduecustomers")
    clock.advance(24 * 3600)  # the next day
    call_command("anonymizeduecustomers", stdout=StringIO())
    anonymized = set(Customer.objects.filter(anonymized_at__isnull=False).values_list("pk", flat=True))
    assert anonymized == {passed.pk, today.pk}
    assert Customer.objects.get(pk=later.pk).anonymized_at is None


def test_an_operator_carries_out_a_written_request_with_a_command(account):
    customer = CustomerFactory(account=account)
    out = StringIO()
    call_command("anonymizecustomer", str(customer.pk), stdout=out)
    assert "is anonymised" in out.getvalue()
    assert Customer.objects.get(pk=customer.pk).anonymized_at is not None
    kept = CustomerFactory(account=account)
    InvoiceFactory(customer=kept, status="issued", issue_date=date(2026, 1, 2))
    out = StringIO()
    call_command("anonymizecustomer", str(kept.pk), stdout=out)
    assert "until 2032-12-31" in out.getvalue()
    assert Customer.objects.get(pk=kept.pk).erasure_requested_at is not None
