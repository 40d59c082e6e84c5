"""Erasing a survivor while a duplicate is merged into it, with real threads on PostgreSQL: the erasure takes in
every customer merged into the survivor, so none is ever left merged into an anonymised customer with its
data, and neither call deadlocks the other (a deadlock would be a 503)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from customers.models import Customer
from tests.clients import bearer
from tests.factories import APIKeyFactory, CustomerFactory
from tests.threads import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 15


def race(api_key, *calls):
    barrier = threading.Barrier(len(calls))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(at_once, barrier, lambda call=call: call(bearer(api_key.raw_key))) for call in calls]
        return [future.result() for future in futures]


def merge_call(duplicate, survivor):
    return lambda api: api.post(f"/api/v1/customers/{duplicate.pk}/merge", {"into": str(survivor.pk)}, format="json")


def erase_call(customer):
    return lambda api: api.post(f"/api/v1/customers/{customer.pk}/anonymize")


def test_a_duplicate_merged_while_its_survivor_is_erased_is_erased_or_refused():
    api_key = APIKeyFactory()
    for round_ in range(ROUNDS):
        # Named so the merge locks the duplicate first (the model's order), the erasure the survivor.
        duplicate = CustomerFactory(account=api_key.account, legal_name=f"Aaa duplicada {round_}")
        survivor = CustomerFactory(account=api_key.account, legal_name=f"Zzz superviviente {round_}")

        merging, erasing = race(api_key, merge_call(duplicate, survivor), erase_call(survivor))

        assert erasing.status_code == 200, erasing.content
        duplicate.refresh_from_db()
        if merging.status_code == 200:  # merged first: the erasure took the duplicate in
            assert duplicate.merged_into_id == survivor.pk and duplicate.anonymized_at is not None
        else:  # erased first: nothing merges into an anonymised customer
            assert merging.json()["error"]["code"] == "CUSTOMER_ANONYMIZED", merging.content
            assert duplicate.merged_into_id is None and duplicate.anonymized_at is None


def test_merging_again_while_the_survivor_is_erased_never_deadlocks():
    api_key = APIKeyFactory()
    for round_ in range(ROUNDS):
        duplicate = CustomerFactory(account=api_key.account, legal_name=f"Aaa duplicada {round_}")
        survivor = CustomerFactory(account=api_key.account, legal_name=f"Zzz superviviente {round_}")
        assert merge_call(duplicate, survivor)(bearer(api_key.raw_key)).status_code == 200

        merging, erasing = race(api_key, merge_call(duplicate, survivor), erase_call(survivor))

        assert erasing.status_code == 200, erasing.content
        assert merging.status_code in (200, 409), merging.content  # the same answer, or refused once erased
        assert Customer.objects.filter(pk__in=[duplicate.pk, survivor.pk], anonymized_at__isnull=True).count() == 0
