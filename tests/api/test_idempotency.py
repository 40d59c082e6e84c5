"""POST with an Idempotency-Key (BeeL 1.9.0's IdempotencyKeyHeader): served once, a 2xx replayed on retry
with `Idempotency-Replay: true`, refused on reuse with another body; a 4xx or 5xx is not stored."""

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from beel.clock import clock
from beel.idempotency.decorators import fingerprint
from beel.idempotency.models import IdempotencyRecord
from beel.idempotency.models import now as idempotency_now
from companies.models import primary_company_of
from customers.models import Customer
from invoices.models import Invoice
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

NEW_CUSTOMER = {"legal_name": "Ferretería Núñez SL", "nif": "B12345674"}


def post(api, body, key, path="/api/v1/customers"):
    return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_and_body_is_replayed_without_a_second_write(api, account):
    first = post(api, NEW_CUSTOMER, "create-ferreteria-1")
    second = post(api, NEW_CUSTOMER, "create-ferreteria-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotency-Replay"] == "true"
    assert "Idempotency-Replay" not in first
    assert second.json()["data"] == first.json()["data"]
    assert second.json()["meta"]["request_id"] != first.json()["meta"]["request_id"]
    assert Customer.objects.filter(account=account).count() == 1


def test_without_the_header_each_post_is_served(api, account):
    assert api.post("/api/v1/customers", NEW_CUSTOMER, format="json").status_code == 201
    assert api.post("/api/v1/customers", NEW_CUSTOMER, format="json").status_code == 409  # same NIF


def test_the_same_key_with_another_body_is_409_mismatch(api, account):
    post(api, NEW_CUSTOMER, "key-1")
    response = post(api, {**NEW_CUSTOMER, "legal_name": "Otra SL"}, "key-1")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    assert Customer.objects.get(account=account).legal_name == NEW_CUSTOMER["legal_name"]


def test_the_same_key_on_another_endpoint_is_409_mismatch(api, account):
    customer = CustomerFactory(account=account)
    post(api, NEW_CUSTOMER, "shared-key")
    response = post(api, {"customer_id": str(customer.pk)}, "shared-key", path="/api/v1/invoices")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    assert not Invoice.objects.exists()


def test_a_client_error_is_not_stored_so_the_corrected_retry_with_the_same_key_succeeds(api, account):
    invalid = {"legal_name": "Sin NIF SL"}
    first = post(api, invalid, "bad-1")
    again = post(api, invalid, "bad-1")
    assert first.status_code == again.status_code == 422
    assert "Idempotency-Replay" not in again
    assert not IdempotencyRecord.objects.exists()

    corrected = post(api, NEW_CUSTOMER, "bad-1")

    assert corrected.status_code == 201, corrected.content
    assert "Idempotency-Replay" not in corrected
    assert Customer.objects.get(account=account).nif == NEW_CUSTOMER["nif"]
    replayed = post(api, NEW_CUSTOMER, "bad-1")
    assert replayed["Idempotency-Replay"] == "true"
    assert replayed.json()["data"] == corrected.json()["data"]


def test_a_body_that_is_not_json_is_not_stored_either(api, account):
    response = api.post(
        "/api/v1/customers", '{"legal_name": ', content_type="application/json", HTTP_IDEMPOTENCY_KEY="broken-1"
    )
    assert response.status_code == 400
    assert post(api, NEW_CUSTOMER, "broken-1").status_code == 201


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
    assert "Idempotency-Replay" not in response


def test_keys_are_per_account(api, client_for):
    post(api, NEW_CUSTOMER, "same-key")
    other = client_for(APIKeyFactory(account=AccountFactory()))
    response = post(other, NEW_CUSTOMER, "same-key")
    assert response.status_code == 201
    assert "Idempotency-Replay" not in response


@pytest.mark.parametrize("bad_key", ["x" * 256, "ñandú", "tab\there", "with space", "a.b", "a:b", "a/b", "{key}", ""])
def test_keys_outside_the_pattern_are_400_invalid_idempotency_key(api, account, bad_key):
    response = api.post("/api/v1/customers", NEW_CUSTOMER, format="json", HTTP_IDEMPOTENCY_KEY=bad_key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert "Idempotency-Key" in response.json()["error"]["message"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("good_key", ["k" * 255, "3f1c2b1e-8a4d-4c7e-9f00-0d1e2f3a4b5c", "order_42-retry", "A"])
def test_any_string_of_the_pattern_up_to_255_is_accepted_a_uuid_not_required(api, good_key):
    assert post(api, NEW_CUSTOMER, good_key).status_code == 201
    assert post(api, NEW_CUSTOMER, good_key)["Idempotency-Replay"] == "true"


def test_reactivation_and_invoice_creation_are_idempotent_too(api, account):
    customer = CustomerFactory(account=account)
    first = post(api, {"customer_id": str(customer.pk)}, "invoice-1", path="/api/v1/invoices")
    second = post(api, {"customer_id": str(customer.pk)}, "invoice-1", path="/api/v1/invoices")
    assert second.json()["data"]["number"] == first.json()["data"]["number"]
    assert Invoice.objects.count() == 1
    inactive = CustomerFactory(account=account, active=False)
    reactivate = f"/api/v1/customers/{inactive.pk}/reactivate"
    assert post(api, {}, "reactivate-1", path=reactivate).status_code == 200
    assert post(api, {}, "reactivate-1", path=reactivate)["Idempotency-Replay"] == "true"


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
    assert "Idempotency-Replay" not in response


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
    created = [r for r in responses if r.status_code == 201 and "Idempotency-Replay" not in r]
    assert len(created) == 1
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_PROCESSING"
        else:
            assert response.status_code == 201


def test_a_refusal_of_a_body_with_a_nul_field_name_is_answered_and_not_stored(api, account):
    # PostgreSQL's jsonb refuses U+0000: the unknown field is ignored (as BeeL ignores it), never echoed; a 4xx
    # is not stored.
    first = api.post(
        "/api/v1/customers", data='{"\\u0000": 1}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul"
    )
    second = api.post(
        "/api/v1/customers", data='{"\\u0000": 1}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul"
    )
    assert first.status_code == second.status_code == 422
    assert set(first.json()["error"]["details"]) == {"legal_name", "nif"}
    assert "Idempotency-Replay" not in second
    assert not IdempotencyRecord.objects.exists()
    assert not Customer.objects.exists()


def test_options_is_405_for_any_key(api):
    response = api.options("/api/v1/customers")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert response["Allow"] == "GET, POST, HEAD"  # what it does answer, not OPTIONS


# --- modes: a test key and a live key never share a record --------------------------------------------------


@pytest.mark.parametrize(("first_mode", "second_mode"), [("live", "test"), ("test", "live")])
def test_the_same_key_in_the_other_mode_is_served_not_replayed(client_for, account, first_mode, second_mode):
    first_client = client_for(APIKeyFactory(account=account, mode=first_mode))
    second_client = client_for(APIKeyFactory(account=account, mode=second_mode))
    first = post(first_client, NEW_CUSTOMER, "k1")
    second = post(second_client, NEW_CUSTOMER, "k1")
    assert first.status_code == second.status_code == 201
    assert "Idempotency-Replay" not in second
    assert second.json()["data"]["id"] != first.json()["data"]["id"]
    assert Customer.objects.get(pk=first.json()["data"]["id"]).mode == first_mode
    assert Customer.objects.get(pk=second.json()["data"]["id"]).mode == second_mode
    # Each mode replays its own response.
    assert post(second_client, NEW_CUSTOMER, "k1").json()["data"]["id"] == second.json()["data"]["id"]
    assert post(first_client, NEW_CUSTOMER, "k1").json()["data"]["id"] == first.json()["data"]["id"]


# --- a request that died holding its key -------------------------------------------------------------------


@pytest.fixture
def frozen_clock():
    clock.freeze()
    yield clock
    clock.unfreeze()


def _left_by_a_dead_request(api_key, key: str, body: dict, path: str = "/api/v1/customers") -> None:
    """The row a worker killed mid-request leaves behind: the key claimed, no response, nothing written."""
    request = RequestFactory().post(path, data=body, content_type="application/json")
    request.data = body
    IdempotencyRecord.objects.create(
        account=api_key.account,
        mode=api_key.mode,
        key=key,
        fingerprint=fingerprint(request, f"POST {path} company={primary_company_of(api_key.account).pk}"),
        created_at=idempotency_now(),
    )


def test_a_key_held_by_a_request_that_died_is_taken_over_once_its_lease_has_passed(
    api, api_key, account, settings, frozen_clock
):
    settings.IDEMPOTENCY_LEASE_SECONDS = 120
    _left_by_a_dead_request(api_key, "crash-1", NEW_CUSTOMER)
    frozen_clock.advance(119)
    in_progress = post(api, NEW_CUSTOMER, "crash-1")
    assert in_progress.status_code == 409
    assert in_progress.json()["error"]["code"] == "IDEMPOTENCY_KEY_PROCESSING"
    assert in_progress["Retry-After"] == "2"
    assert not Customer.objects.exists()
    frozen_clock.advance(2)
    retried = post(api, NEW_CUSTOMER, "crash-1")
    assert retried.status_code == 201
    assert "Idempotency-Replay" not in retried
    assert Customer.objects.filter(account=account).count() == 1
    record = IdempotencyRecord.objects.get(key="crash-1")
    assert record.status_code == 201
    replayed = post(api, NEW_CUSTOMER, "crash-1")
    assert replayed["Idempotency-Replay"] == "true"
    assert replayed.json()["data"]["id"] == retried.json()["data"]["id"]


def test_taking_a_key_over_still_refuses_another_body(api, api_key, settings, frozen_clock):
    settings.IDEMPOTENCY_LEASE_SECONDS = 120
    _left_by_a_dead_request(api_key, "crash-2", NEW_CUSTOMER)
    frozen_clock.advance(600)
    response = post(api, {**NEW_CUSTOMER, "legal_name": "Otra SL"}, "crash-2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    assert not Customer.objects.exists()


_CRASHING_CLIENT = """
import django, sys
django.setup()
from rest_framework.test import APIClient
client = APIClient()
client.credentials(HTTP_AUTHORIZATION="Bearer " + sys.argv[1])
client.post("/api/v1/customers", {"legal_name": "Ferretería Núñez SL", "nif": "B12345674"}, format="json",
            HTTP_IDEMPOTENCY_KEY="killed-mid-request")
"""


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_after_a_worker_is_killed_mid_request_a_retry_is_served_once_the_lease_passes(settings):
    """A real process is killed (SIGKILL) while its request waits inside the database: nothing it did is
    committed, and once the lease has passed the retry creates the customer, exactly once."""
    api_key = APIKeyFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION beel_test_slow_insert() RETURNS trigger AS $$ "
            "BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER beel_test_slow_insert BEFORE INSERT ON customers_customer "
            "FOR EACH ROW EXECUTE FUNCTION beel_test_slow_insert()"
        )
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "beel.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        # The server notices the dead client during the sleep, as it would a crashed app server's socket.
        "PGOPTIONS": "-c client_connection_check_interval=100",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_CLIENT, api_key.raw_key], env=env, cwd=ROOT, stderr=subprocess.PIPE
    )
    try:
        _wait_for(lambda: _sleeping_backends() == 1, what="the request to wait inside the database")
        assert IdempotencyRecord.objects.get(key="killed-mid-request").status_code is None
        worker.kill()
        worker.wait(timeout=10)
        _wait_for(lambda: _sleeping_backends() == 0, what="the server to drop the dead client's transaction")
    finally:
        worker.kill()
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER beel_test_slow_insert ON customers_customer")
            cursor.execute("DROP FUNCTION beel_test_slow_insert()")
    assert not Customer.objects.exists()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key.raw_key}")
    assert post(client, NEW_CUSTOMER, "killed-mid-request").status_code == 409  # within the lease
    settings.IDEMPOTENCY_LEASE_SECONDS = 1
    clock.freeze(time.time() + 5)
    try:
        retried = post(client, NEW_CUSTOMER, "killed-mid-request")
    finally:
        clock.unfreeze()
    assert retried.status_code == 201
    assert Customer.objects.filter(nif="B12345674").count() == 1


def _sleeping_backends() -> int:
    with connection.cursor() as cursor:
        # This test's database only: under pytest-xdist another worker's test may be sleeping too.
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def _wait_for(condition, *, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- what a key names: the query string too -------------------------------------------------------------


def test_a_dry_run_and_the_real_run_are_two_requests_never_one_replayed_for_the_other(api, account):
    body = {"customers": [NEW_CUSTOMER]}
    dry_run = post(api, body, "bulk-1", path="/api/v1/customers/bulk?dry_run=true")
    assert dry_run.status_code == 200
    real_run = post(api, body, "bulk-1", path="/api/v1/customers/bulk")
    assert real_run.status_code == 409
    assert real_run.json()["error"]["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    assert not Customer.objects.exists()
    assert post(api, body, "bulk-2", path="/api/v1/customers/bulk").status_code == 201
    assert Customer.objects.filter(account=account).count() == 1
