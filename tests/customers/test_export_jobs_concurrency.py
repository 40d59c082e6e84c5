"""Two workers handed the same export job at once (a redelivered message and the sweep's resend): the lease's
conditional UPDATE lets one run it (PostgreSQL only: real concurrent transactions)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from beel.events.models import Event
from customers.export_jobs import CustomerExport
from customers.services import exports
from customers.tasks import run_customer_export
from tests.clients import bearer
from tests.customers.test_export_jobs import export_files  # noqa: F401 (the jobs' files in a fresh directory)
from tests.factories import APIKeyFactory, CustomerFactory
from tests.threads import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def test_a_job_handed_to_two_workers_at_once_is_run_once(export_files, monkeypatch):  # noqa: F811
    api_key = APIKeyFactory()
    CustomerFactory.create_batch(3, account=api_key.account)
    # Started and committed, its message not sent (as if the broker lost it), then delivered twice at once.
    monkeypatch.setattr(exports, "_enqueue", lambda export_id: None)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _round in range(ROUNDS):
            started = bearer(api_key.raw_key).post("/api/v1/customers/exports", {}, format="json")
            export = CustomerExport.objects.get(pk=started.json()["data"]["id"])
            barrier = threading.Barrier(2)
            runs = [pool.submit(at_once, barrier, lambda e=export: run_customer_export(str(e.pk))) for _ in range(2)]
            for run in runs:
                run.result()

            export.refresh_from_db()
            assert (export.status, export.attempts, export.row_count) == ("succeeded", 1, 3)
            status = bearer(api_key.raw_key).get(f"/api/v1/customers/exports/{export.pk}").json()["data"]
            assert status["status"] == "succeeded"
    assert Event.objects.filter(type="customer_export.succeeded").count() == ROUNDS
    assert len(list(export_files.iterdir())) == ROUNDS
