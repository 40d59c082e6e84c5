"""Erasing a merged duplicate (issue 26, item 2): it answers the erasure like any customer (anonymised now, or
once the invoices issued to it need no longer be kept) and keeps pointing at its survivor; erasing a survivor
erases the duplicates merged into it, the same person, each by its own retention."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from beel.events.models import Event
from customers.models import Customer
from tests.envelope import assert_error, assert_success
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_june_2026")]


def merge(api, duplicate, survivor):
    url = f"/api/v1/customers/{duplicate.pk}/merge"
    assert_success(api.post(url, {"into": str(survivor.pk)}, format="json"))


def anonymize(api, customer):
    return api.post(f"/api/v1/customers/{customer.pk}/anonymize")


def stored(customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def test_a_merged_duplicate_is_anonymised_and_keeps_pointing_at_its_survivor(api, account):
    duplicate = CustomerFactory(account=account, legal_name="Duplicada SL", email="duplicada@example.es")
    survivor = CustomerFactory(account=account, legal_name="Superviviente SL")
    merge(api, duplicate, survivor)

    data = assert_success(anonymize(api, duplicate))

    assert data["anonymized_at"] is not None and data["merged_into"] == str(survivor.pk)
    assert data["legal_name"] == f"Anonymised customer {duplicate.pk.hex[:8]}" and data["email"] is None
    assert (stored(duplicate).email, stored(duplicate).merged_into_id) == ("", survivor.pk)
    # The merge's event, which held the duplicate's data, holds the anonymised one.
    merged_event = Event.objects.get(type="customer.merged")
    assert merged_event.data["legal_name"] == data["legal_name"] and merged_event.data["email"] is None
    # Alone: the survivor is another record, erased only when asked for.
    assert (stored(survivor).legal_name, stored(survivor).active) == ("Superviviente SL", True)
    assert assert_success(anonymize(api, duplicate))["anonymized_at"] == data["anonymized_at"]  # idempotent


def test_a_merged_duplicate_with_issued_invoices_is_anonymised_once_their_retention_ends(api, account):
    duplicate, survivor = CustomerFactory(account=account, legal_name="Duplicada SL"), CustomerFactory(account=account)
    InvoiceFactory(customer=duplicate, status="issued", issue_date=date(2025, 2, 1))  # stays with the duplicate
    merge(api, duplicate, survivor)

    error = assert_error(anonymize(api, duplicate), 409, "RETENTION_ACTIVE")

    assert error["details"] == {"retain_until": "2031-12-31"}
    waiting = stored(duplicate)
    assert waiting.erasure_requested_at is not None and waiting.legal_name == "Duplicada SL"
    Customer.objects.filter(pk=duplicate.pk).update(retain_until=date(2026, 6, 14))  # as years of waiting would
    call_command("anonymizeduecustomers", stdout=StringIO())
    assert stored(duplicate).anonymized_at is not None and stored(duplicate).merged_into_id == survivor.pk


def test_erasing_a_survivor_erases_every_customer_merged_into_it(api, account):
    survivor = CustomerFactory(account=account, legal_name="Superviviente SL")
    duplicate = CustomerFactory(account=account, legal_name="Duplicada SL")
    earlier = CustomerFactory(account=account, legal_name="Anterior SL")
    merge(api, earlier, duplicate)  # earlier -> duplicate, then re-pointed at the survivor by the next merge
    merge(api, duplicate, survivor)

    assert_success(anonymize(api, survivor))

    for customer in (survivor, duplicate, earlier):
        assert stored(customer).anonymized_at is not None
        assert stored(customer).legal_name.startswith("Anonymised customer")
    assert (stored(duplicate).merged_into_id, stored(earlier).merged_into_id) == (survivor.pk, survivor.pk)
    assert Event.objects.filter(type="customer.anonymized").count() == 3


def test_erasing_a_survivor_waits_for_the_retention_of_a_duplicate_with_issued_invoices(api, account):
    survivor, duplicate = CustomerFactory(account=account), CustomerFactory(account=account, legal_name="Duplicada SL")
    InvoiceFactory(customer=duplicate, status="issued", issue_date=date(2024, 5, 1))
    merge(api, duplicate, survivor)

    assert assert_success(anonymize(api, survivor))["anonymized_at"] is not None

    waiting = stored(duplicate)
    assert (waiting.anonymized_at, waiting.retain_until, waiting.legal_name) == (
        None,
        date(2030, 12, 31),
        "Duplicada SL",
    )
    assert waiting.erasure_requested_at is not None
