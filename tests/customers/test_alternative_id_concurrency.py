"""Two creates of the same alternative id race (PostgreSQL only: real transactions). The service's check
alone would let both through; the partial unique index stops the second, answered as the duplicate it is."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from customers.models import Customer
from tests.clients import bearer
from tests.factories import APIKeyFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 15


def _create(barrier: threading.Barrier, raw_key: str, number: str):
    try:
        barrier.wait(timeout=10)
        body = {"legal_name": "Race Inc", "alternative_id": {"type": "03", "number": number, "country_code": "US"}}
        return bearer(raw_key).post("/api/v1/customers", body, format="json")
    finally:
        connection.close()


def test_concurrent_creates_of_one_alternative_id_leave_exactly_one_active_customer():
    api_key = APIKeyFactory()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for round_ in range(ROUNDS):
            number = f"P{round_:06d}"
            barrier = threading.Barrier(2)
            responses = [pool.submit(_create, barrier, api_key.raw_key, number) for _ in range(2)]
            statuses = sorted(response.result().status_code for response in responses)

            assert statuses == [201, 409], [response.result().content[:300] for response in responses]
            refused = next(response.result() for response in responses if response.result().status_code == 409)
            assert refused.json()["error"]["code"] == "CLIENT_DUPLICATE"
            assert Customer.objects.filter(alternative_id_number=number, active=True).count() == 1
