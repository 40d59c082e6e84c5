"""schemathesis' stateful phase, with every check: sequences of calls linked through the ids the API answers
with (create a customer, then read, update, deactivate, reactivate, bulk-deactivate it, invoice it...),
against a real server thread (pytest-django's live_server) on the test database. No failure and no 5xx
may be found. Bounded and seeded: shallow locally, deeper where CI sets BEEL_FUZZ_DEPTH=deep;
BEEL_FUZZ_STATEFUL_EXAMPLES and BEEL_FUZZ_SEED go deeper still.

The schemathesis command line drives it (its stateful phase is not available from pytest's in-process
integration), with the custom formats' strategies from tests/api/schemathesis_hooks.py, whose before_call gives each
unsafe call a fresh Idempotency-Key and the company's and account's real ids in paths (the others come from
the sequence's responses). Excluded:
use_after_free, since DELETE is the documented soft delete after which the customer still answers; and
positive_data_acceptance, run instead as the hooks' positive_data_acceptance_but_for_server_judgments."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from companies.models import primary_company_of
from invoices.models import InvoiceSeriesCounter
from tests.api.fuzz_depth import fuzz_depth
from tests.api.fuzz_ids import real_ids, webhook_delivery_of
from tests.api.schemathesis_hooks import REAL_IDS
from tests.factories import APIKeyFactory, CustomerFactory, InvoiceFactory

ROOT = Path(__file__).resolve().parents[2]
# CI (BEEL_FUZZ_DEPTH=deep) explores 15 examples; a local run 3, enough to walk the links once.
MAX_EXAMPLES = os.environ.get("BEEL_FUZZ_STATEFUL_EXAMPLES", str(fuzz_depth(deep=15, shallow=3)))
SEED = os.environ.get("BEEL_FUZZ_SEED", "20250115")


def _schemathesis() -> str:
    executable = Path(sys.executable).with_name("schemathesis")
    return str(executable) if executable.exists() else shutil.which("schemathesis")


@pytest.mark.django_db(transaction=True)
def test_the_stateful_phase_finds_no_failure(live_server, tmp_path):
    api_key = APIKeyFactory()
    customers = CustomerFactory.create_batch(3, account=api_key.account)
    invoices = [InvoiceFactory(customer=customers[0], series="A", number=1, status="issued")]
    invoices.append(InvoiceFactory(customer=customers[1]))  # a draft, to issue
    # As if it had been created through the API: the series' next number is 2.
    InvoiceSeriesCounter.objects.create(company=primary_company_of(api_key.account), series="A", last_number=1)
    delivery = webhook_delivery_of(api_key.account)
    ids = real_ids(api_key, customers=customers, invoices=invoices, delivery=delivery)
    result = subprocess.run(
        [
            _schemathesis(),
            "run",
            f"{live_server.url}/api/v1/schema?format=json",
            "--phases",
            "stateful",
            "--checks",
            "all",
            "--exclude-checks",
            "use_after_free,positive_data_acceptance",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--generation-deterministic",
            "--no-color",
            "--request-timeout",
            "30",
            "-H",
            f"Authorization: Bearer {api_key.raw_key}",
        ],
        cwd=tmp_path,  # its .schemathesis cache stays out of the repository
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
            "PYTHONPATH": str(ROOT),
            REAL_IDS: ids,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Stateful" in result.stdout
