"""Erasing and merging customers record their events in the outbox, in the change's transaction, with the
customer as the API shows it then (the webhooks deliver them: tests/webhooks)."""

from datetime import date

import pytest

from beel.events.models import Event
from tests.envelope import assert_error, assert_success, without_stats
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def events_of(customer, event_type: str) -> list[Event]:
    return [event for event in Event.objects.filter(type=event_type) if event.data["id"] == str(customer.pk)]


def test_anonymising_records_customer_anonymized_with_the_scrubbed_record(api, account):
    customer = CustomerFactory(account=account, legal_name="Borrada SL")
    data = assert_success(api.post(f"/api/v1/customers/{customer.pk}/anonymize"))
    [event] = events_of(customer, "customer.anonymized")
    assert event.data == without_stats(data)
    assert "Borrada SL" not in str(event.data)
    assert (event.account_id, event.mode) == (account.pk, customer.mode)


def test_an_erasure_waiting_for_retention_records_the_deactivation_only(api, account):
    customer = CustomerFactory(account=account)
    InvoiceFactory(customer=customer, status="issued", issue_date=date.today())
    assert_error(api.post(f"/api/v1/customers/{customer.pk}/anonymize"), 409, "RETENTION_ACTIVE")
    [deactivated] = events_of(customer, "customer.deactivated")
    assert deactivated.data["active"] is False and deactivated.data["retain_until"] is not None
    assert not events_of(customer, "customer.anonymized")


def test_merging_records_customer_merged_pointing_at_the_survivor(api, account):
    duplicate, survivor = CustomerFactory(account=account), CustomerFactory(account=account)
    data = assert_success(
        api.post(f"/api/v1/customers/{duplicate.pk}/merge", {"into": str(survivor.pk)}, format="json")
    )
    [event] = events_of(duplicate, "customer.merged")
    assert event.data == without_stats(data)
    assert event.data["merged_into"] == str(survivor.pk)


def test_a_refused_merge_records_no_event(api, account):
    duplicate = CustomerFactory(account=account)
    survivor = CustomerFactory(account=account, active=False)
    response = api.post(f"/api/v1/customers/{duplicate.pk}/merge", {"into": str(survivor.pk)}, format="json")
    assert_error(response, 409, "CUSTOMER_INACTIVE")
    assert not Event.objects.filter(type="customer.merged").exists()
