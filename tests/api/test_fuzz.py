"""Schema-driven fuzzing with schemathesis.

The OpenAPI schema is fetched from the service itself (GET /api/v1/schema, in-process through the WSGI
application, no server), and every operation in it gets generated requests: the schema's examples,
schemathesis' deterministic coverage cases (boundary values, missing and malformed parameters, other
HTTP methods) and MAX_EXAMPLES derandomised Hypothesis examples, valid and invalid. Every built-in check
runs (see EXCLUDED_CHECKS for the one that does not apply); each response must:
- not be a 5xx;
- conform to the schema: documented status code, body matching the response schema, content type and
  documented headers;
- agree with the schema on the request: what the schema allows is accepted, what it refuses is refused;
- wear the envelope: a boolean `success`, `meta` with `timestamp` and `request_id` (also the
  X-Request-ID header), and `error.code` / `error.message` on errors.

Runs are reproducible: fixed seed, derandomised Hypothesis, no example database, fixed data (ids and
field values) and a fresh database for each operation. A local run is shallow (5 generated examples per
operation); BEEL_FUZZ_DEPTH=deep, which CI sets, runs 25. To fuzz deeper still, set BEEL_FUZZ_EXAMPLES (e.g.
300) and BEEL_FUZZ_SEED.

A failure names the operation and the check, and prints a curl command that reproduces it. Each operation's
test has its own id, `[METHOD /path]`, which pytest 9.2 drops and tests/parallel.py gives back (xdist tells
tests apart by id).
"""

import os
import re
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance, use_after_free

from apikeys.models import ALL_SCOPES
from companies.models import primary_company_of
from invoices.models import InvoiceSeriesCounter, InvoiceStatus
from tests.api.fuzz_depth import fuzz_depth
from tests.api.fuzz_ids import real_ids, webhook_delivery_of
from tests.api.schemathesis_hooks import (
    IDEMPOTENCY_HEADER,
    REAL_IDS,
    UNSAFE_METHODS,
    positive_data_acceptance_but_for_server_judgments,
)
from tests.factories import AccountFactory, APIKeyFactory, CustomerFactory, InvoiceFactory, valid_dni
from tests.spec import MARIA_GARCIA, TECH_SOLUTIONS

SCHEMA_PATH = "/api/v1/schema?format=json"
# Generated examples per operation, on top of the schema's examples and the coverage cases: CI (.ci/run sets
# BEEL_FUZZ_DEPTH=deep) generates 25; a local run 5, a real but quick pass.
MAX_EXAMPLES = int(os.environ.get("BEEL_FUZZ_EXAMPLES", fuzz_depth(deep=25, shallow=5)))
SEED = int(os.environ.get("BEEL_FUZZ_SEED", "20250115"))

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# Fixed ids, so the generated requests are the same on every run. Half of the generated customer and
# invoice ids (in paths, filters and bodies) are drawn from these, so that requests reach existing rows
# rather than answering 404 every time.
CUSTOMER_IDS = [str(uuid.UUID(int=0xC0570000 + n)) for n in range(5)]
INVOICE_IDS = [str(uuid.UUID(int=0x1A701CE0 + n)) for n in range(3)]

# Two with invoices, two without, the last one deactivated.
CUSTOMER_NAMES = [
    MARIA_GARCIA["legal_name"],
    TECH_SOLUTIONS["legal_name"],
    "Ñandú Diseño SA",
    "O'Brien & Hijos, S.L.",
    "Cerrada SL",
]
INVOICE_CUSTOMERS = [0, 0, 1]

VALID_NIFS = [valid_dni(1000 + n) for n in range(20)] + ["B12345674", "A58818501", "X1234567L", "b-1234567 4"]
# With the country code: without one a number is Spanish only while the generated country is Spain.
VALID_PHONES = ["", "+34612345678", "+34 912 34 56 78", "+34954000000", "+33142685300"]


def check_envelope(ctx, response, case) -> None:
    """Every response under /api/v1/ is {success, data, meta} or {success: false, error, meta}, but for the
    CSV downloads' successes, which are the documented `text/csv` (with a BOM) and still carry X-Request-ID, and
    a 204 (deleteCompanyCustomer), which has no body."""
    if response.status_code == 204:
        assert not response.content, f"A 204 with a body: {response.content[:200]!r}"
        assert REQUEST_ID.match(response.headers["x-request-id"][0]), "A 204 without X-Request-ID"
        return
    if response.status_code < 400 and response.headers.get("content-type") == ["text/csv; charset=utf-8"]:
        assert response.content.startswith("\ufeff".encode()), f"A CSV without its BOM: {response.content[:200]!r}"
        assert REQUEST_ID.match(response.headers["x-request-id"][0]), "A CSV without X-Request-ID"
        return
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"The body is not JSON: {response.content[:200]!r}") from None
    assert isinstance(body, dict), f"The body is not a JSON object: {body!r}"
    assert isinstance(body.get("success"), bool), f"`success` is not a boolean: {body!r}"
    meta = body.get("meta")
    assert isinstance(meta, dict), f"`meta` is not an object: {body!r}"
    assert isinstance(meta.get("timestamp"), str) and TIMESTAMP.match(meta["timestamp"]), f"Bad timestamp: {meta!r}"
    assert isinstance(meta.get("request_id"), str) and REQUEST_ID.match(meta["request_id"]), f"Bad request_id: {meta!r}"
    header = response.headers.get("x-request-id")
    assert header == [meta["request_id"]], f"X-Request-ID header {header!r} is not meta.request_id"
    if body["success"]:
        assert response.status_code < 400, f"success: true with status {response.status_code}"
        assert "data" in body and "error" not in body, f"A success without `data`, or with `error`: {body!r}"
    else:
        assert response.status_code >= 400, f"success: false with status {response.status_code}"
        error = body.get("error")
        assert isinstance(error, dict), f"`error` is not an object: {body!r}"
        assert isinstance(error.get("code"), str) and error["code"], f"No error.code: {body!r}"
        assert isinstance(error.get("message"), str) and error["message"], f"No error.message: {body!r}"
        assert "data" not in body, f"An error with `data`: {body!r}"


_idempotency_keys_sent: set[str] = set()


def check_a_fresh_idempotency_key(ctx, response, case) -> None:
    """What the hooks promise (tests/api/schemathesis_hooks.py): a schema-valid call of an unsafe method carries
    an Idempotency-Key no call sent before, so it runs the operation rather than replaying another's."""
    if case.method.upper() not in UNSAFE_METHODS or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    key = (case.headers or {}).get(IDEMPOTENCY_HEADER)
    assert isinstance(key, str) and key, "A schema-valid unsafe call without an Idempotency-Key"
    assert key not in _idempotency_keys_sent, f"Idempotency-Key {key!r} sent twice"
    _idempotency_keys_sent.add(key)


# Every built-in check (the response's status, body, content type and headers as documented; no 5xx; the
# server refuses what the schema refuses and accepts what it accepts; required headers and
# authentication enforced...) plus the envelope's. `use_after_free` (a DELETE'd resource must then be a 404)
# does not apply: DELETE is the documented soft delete, after which the customer still answers with
# `active: false` and its `deactivated_at`.
EXCLUDED_CHECKS = [use_after_free, positive_data_acceptance]


def load_schema():
    """The schema as the service serves it, with the generation settings of this module."""
    from beel.wsgi import application

    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # Requests carry the fixture's key (sent by the test); 401s are covered elsewhere.
                "with-security-parameters": False,
            },
            "dictionaries": {
                "customer_ids": {"values": CUSTOMER_IDS},
                "invoice_ids": {"values": INVOICE_IDS},
                # A NIF's control character and a phone number's validity are beyond what a pattern can
                # say (the schema names them as formats es-tax-id and phone): schema-valid values of these
                # two come from lists of real ones; their invalid values are still generated.
                "nifs": {"values": VALID_NIFS},
                "phones": {"values": VALID_PHONES},
            },
            "parameters": {
                "path.customer_id": {"dictionary": "customer_ids", "probability": 0.5},
                "query.customer_id": {"dictionary": "customer_ids", "probability": 0.5},
                "body.customer_id": {"dictionary": "customer_ids", "probability": 0.5},
                "path.invoice_id": {"dictionary": "invoice_ids", "probability": 0.5},
                "body.nif": {"dictionary": "nifs", "probability": 1.0},
                "body.phone": {"dictionary": "phones", "probability": 1.0},
            },
        }
    )
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=config)


# Loaded at import: `schemathesis.pytest.from_fixture` (4.32) fails on pytest 9.2 (`Function._nodeid`).
# The schema view reads no database, so this runs outside pytest-django's database blocker.
schema = load_schema()


@pytest.fixture
def fuzz_key(transactional_db, monkeypatch):
    """A key with every scope, for an account with customers (some with invoices, one deactivated).

    Requests go through the real WSGI handler, which commits and closes connections as in production, so
    the data is committed (`transactional_db`), and the database is emptied again after each operation."""
    account = AccountFactory(username="fuzz")
    customers = [
        CustomerFactory(
            id=customer_id,
            account=account,
            legal_name=name,
            nif=valid_dni(n),
            email=f"cliente{n}@example.es",
            phone=f"+3491000000{n}",
            street="Calle Mayor",
            number=str(n + 1),
            postal_code="41001",
            city="Sevilla",
            province="Sevilla",
        )
        for n, (customer_id, name) in enumerate(zip(CUSTOMER_IDS, CUSTOMER_NAMES, strict=True))
    ]
    customers[-1].active = False
    customers[-1].save()
    statuses = [InvoiceStatus.DRAFT, InvoiceStatus.ISSUED, InvoiceStatus.PAID]
    invoices = [
        # Numbered as issuing numbers them: the draft has none, the others 1 and 2.
        InvoiceFactory(id=invoice_id, customer=customers[owner], series="A", number=n or None, status=status)
        for n, (invoice_id, owner, status) in enumerate(zip(INVOICE_IDS, INVOICE_CUSTOMERS, statuses, strict=True))
    ]
    # As if they had been issued through the API, so that the next invoice issued in series A is number 3.
    InvoiceSeriesCounter.objects.create(
        company=primary_company_of(account), series="A", last_number=len(INVOICE_IDS) - 1
    )
    api_key = APIKeyFactory(account=account, scopes=list(ALL_SCOPES))
    ids = real_ids(api_key, customers=customers, invoices=invoices, delivery=webhook_delivery_of(account))
    monkeypatch.setenv(REAL_IDS, ids)
    return api_key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_operation_answers_as_documented(case, fuzz_key):
    # The hooks (tests/api/schemathesis_hooks.py, before_call) give each unsafe case a fresh Idempotency-Key
    # and name the fixture's rows in its path.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_key.raw_key}"},
        additional_checks=[
            check_envelope,
            check_a_fresh_idempotency_key,
            positive_data_acceptance_but_for_server_judgments,
        ],
        excluded_checks=EXCLUDED_CHECKS,
    )
