"""POST with an Idempotency-Key: served once, replayed on retry, refused on reuse with another body."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from beel.idempotency.models import IdempotencyRecord
from customers.models import Customer
from invoices.models import Invoice
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {"legal_name": "Ferretería Núñez SL", "nif": "B12345674"}


def post(api, body, key, path="/api/v1/customers"):
    return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_and_body_is_replayed_without_a_second_write(api, account):
    first = post(api, NEW_CUSTOMER, "create-ferreteria-1")
    second = post(api, NEW_CUSTOMER, "create-ferreteria-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert second.json()["data"] == first.json()["data"]
    assert second.json()["meta"]["request_id"] != first.json()["meta"]["request_id"]
    assert Customer.objects.filter(account=account).count() == 1


def test_without_the_header_each_post_is_served(api, account):
    assert api.post("/api/v1/customers", NEW_CUSTOMER, format="json").status_code == 201
    assert api.post("/api/v1/customers", NEW_CUSTOMER, format="json").status_code == 409  # same NIF


def test_the_same_key_with_another_body_is_409_reused(api, account):
    post(api, NEW_CUSTOMER, "key-1")
    response = post(api, {**NEW_CUSTOMER, "legal_name": "Otra SL"}, "key-1")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert Customer.objects.get(account=account).legal_name == NEW_CUSTOMER["legal_name"]


def test_the_same_key_on_another_endpoint_is_409_reused(api, account):
    customer = CustomerFactory(account=account)
    post(api, NEW_CUSTOMER, "shared-key")
    response = post(api, {"customer_id": str(customer.pk)}, "shared-key", path="/api/v1/invoices")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert not Invoice.objects.exists()


def test_client_errors_are_replayed_too(api, account):
    invalid = {"legal_name": "Sin NIF SL"}
    first = post(api, invalid, "bad-1")
    second = post(api, invalid, "bad-1")
    assert first.status_code == second.status_code == 400
    assert second.json()["error"] == first.json()["error"]
    assert second["Idempotent-Replayed"] == "true"


def test_a_server_error_is_not_stored_so_the_retry_runs(api, account, monkeypatch):
    from customers import views

    real_create = views.services.create_customer

    def failing_create(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(views.services, "create_customer", failing_create)
    assert post(api, NEW_CUSTOMER, "retry-me").status_code == 500
    monkeypatch.setattr(views.services, "create_customer", real_create)
    response = post(api, NEW_CUSTOMER, "retry-me")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_keys_are_per_account(api, client_for):
    post(api, NEW_CUSTOMER, "same-key")
    other = client_for(APIKeyFactory(account=AccountFactory()))
    response = post(other, NEW_CUSTOMER, "same-key")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


@pytest.mark.parametrize("bad_key", ["x" * 256, "ñandú", "tab\there"])
def test_malformed_keys_are_400(api, account, bad_key):
    response = api.post("/api/v1/customers", NEW_CUSTOMER, format="json", HTTP_IDEMPOTENCY_KEY=bad_key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["message"]
    assert not Customer.objects.exists()


def test_a_key_of_255_characters_is_accepted(api):
    assert post(api, NEW_CUSTOMER, "k" * 255).status_code == 201


def test_reactivation_and_invoice_creation_are_idempotent_too(api, account):
    customer = CustomerFactory(account=account)
    first = post(api, {"customer_id": str(customer.pk)}, "invoice-1", path="/api/v1/invoices")
    second = post(api, {"customer_id": str(customer.pk)}, "invoice-1", path="/api/v1/invoices")
    assert second.json()["data"]["number"] == first.json()["data"]["number"]
    assert Invoice.objects.count() == 1
    inactive = CustomerFactory(account=account, active=False)
    reactivate = f"/api/v1/customers/{inactive.pk}/reactivate"
    assert post(api, {}, "reactivate-1", path=reactivate).status_code == 200
    assert post(api, {}, "reactivate-1", path=reactivate)["Idempotent-Replayed"] == "true"


def test_expired_records_are_forgotten_and_purged_by_the_command(api, account):
    post(api, NEW_CUSTOMER, "old-key")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    out = StringIO()
    call_command("purgeidempotencykeys", stdout=out)
    assert "Deleted 1" in out.getvalue()
    assert not IdempotencyRecord.objects.exists()


def test_an_expired_key_can_be_used_again(api, account):
    post(api, NEW_CUSTOMER, "reuse-later")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = post(api, {**NEW_CUSTOMER, "nif": "12345678Z"}, "reuse-later")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_the_same_key_never_both_create():
    api_key = APIKeyFactory()
    barrier = threading.Barrier(4)

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key.raw_key}")
        try:
            barrier.wait(timeout=10)
            return post(client, NEW_CUSTOMER, "race-key")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = [future.result() for future in [pool.submit(send) for _ in range(4)]]

    assert Customer.objects.filter(account=api_key.account).count() == 1
    created = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r]
    assert len(created) == 1
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_PROGRESS"
        else:
            assert response.status_code == 201


def test_a_response_echoing_a_nul_field_name_is_stored_and_replayed(api, account):
    # PostgreSQL's jsonb refuses U+0000: the echoed unknown field's name is escaped before it is stored.
    first = api.post(
        "/api/v1/customers", data='{"\\u0000": 1}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul"
    )
    second = api.post(
        "/api/v1/customers", data='{"\\u0000": 1}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul"
    )
    assert first.status_code == second.status_code == 400
    assert first.json()["error"]["details"]["\\x00"] == "Unknown field."
    assert second["Idempotent-Replayed"] == "true"
    assert not Customer.objects.exists()


def test_options_is_405_for_any_key(api):
    response = api.options("/api/v1/customers")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
