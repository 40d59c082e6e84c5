"""What the logs say about abuse of the API: one access line per request with its request id, refused
requests logged without a key, raw keys never in any log record, and the JSON formatter."""

import io
import json
import logging
import sys
import uuid
from contextlib import contextmanager
from datetime import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from beel.api.context import current_request_id
from beel.api.logging import JSONFormatter, RequestIdFilter
from customers import views as customer_views
from tests.api.abuse import (
    ACCESS_FIELDS,
    BULK,
    CUSTOMERS,
    customer_url,
    forge_secret,
    revoke_with_model,
    split_key,
    unknown_key_like,
    valid_customer_body,
)
from tests.envelope import assert_error
from tests.factories import APIKeyFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def access_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "beel.access"]


def assert_access_record(record, response, *, method: str, path: str, api_key) -> None:
    assert record.levelno == logging.INFO
    assert record.request_id == response["X-Request-ID"]
    assert record.method == method
    assert record.path == path
    assert record.status == response.status_code
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    assert record.api_key == api_key


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", CUSTOMERS, {}, 200),
        ("post", CUSTOMERS, {"data": valid_customer_body(), "format": "json"}, 201),
        ("get", f"{CUSTOMERS}/{uuid.UUID(int=1)}", {}, 404),
        ("get", f"{CUSTOMERS}/not-a-uuid", {}, 400),
        ("get", "/api/v1/no-such-thing", {}, 404),  # no credentials are checked there
        ("post", CUSTOMERS, {"data": "x", "content_type": "text/plain"}, 415),
        ("get", f"{CUSTOMERS}?search={'a' * 9000}", {}, 414),
        ("delete", f"{BULK}?ids={uuid.UUID(int=2)}", {}, 200),
    ],
)
def test_each_api_request_logs_exactly_one_access_line_with_its_request_id(
    api, api_key, account, caplog, method, path, kwargs, status
):
    with caplog.at_level(logging.INFO, logger="beel.access"):
        response = getattr(api, method)(path, **kwargs)

    assert response.status_code == status, response.content[:300]
    [record] = access_records(caplog)
    # The middleware refuses oversized requests before authentication, and unknown routes check no
    # credentials: an unverified key is never logged as if it were the caller.
    expected_key = None if status == 414 or "no-such-thing" in path else api_key.display_prefix
    assert_access_record(record, response, method=method.upper(), path=path.split("?")[0], api_key=expected_key)
    assert record.getMessage().startswith(f"{method.upper()} {path.split('?')[0]} {status} ")


def test_a_session_of_requests_logs_one_line_each_in_order(api, api_key, account, caplog):
    customer = CustomerFactory(account=account)
    with caplog.at_level(logging.INFO, logger="beel.access"):
        responses = [
            api.get(CUSTOMERS),
            api.get(customer_url(customer.pk)),
            api.patch(customer_url(customer.pk), {"legal_name": "Renombrada SL"}, format="json"),
            api.delete(customer_url(customer.pk)),
        ]

    records = access_records(caplog)
    assert [record.request_id for record in records] == [response["X-Request-ID"] for response in responses]
    assert len({record.request_id for record in records}) == 4
    assert [record.status for record in records] == [200, 200, 200, 200]
    assert [record.method for record in records] == ["GET", "GET", "PATCH", "DELETE"]
    assert all(record.api_key == api_key.display_prefix for record in records)


def test_access_line_reuses_a_well_formed_incoming_request_id(api, caplog):
    incoming = uuid.uuid4().hex
    with caplog.at_level(logging.INFO, logger="beel.access"):
        response = api.get(CUSTOMERS, HTTP_X_REQUEST_ID=incoming)

    [record] = access_records(caplog)
    assert record.request_id == incoming == response["X-Request-ID"]


def test_access_line_shows_the_keys_display_prefix(api, api_key, caplog):
    with caplog.at_level(logging.INFO, logger="beel.access"):
        api.get(CUSTOMERS)

    [record] = access_records(caplog)
    head, secret = split_key(api_key)
    assert record.api_key == api_key.display_prefix
    assert record.api_key.rstrip("…") == head
    assert secret not in record.api_key


@pytest.mark.parametrize(
    "credentials",
    ["none", "unknown key", "wrong secret", "revoked key", "malformed header"],
)
def test_refused_requests_are_logged_with_api_key_none(client_for, anonymous_client, api_key, caplog, credentials):
    if credentials == "none":
        client = anonymous_client
    elif credentials == "unknown key":
        client = client_for(unknown_key_like(api_key))
    elif credentials == "wrong secret":
        client = client_for(forge_secret(api_key))
    elif credentials == "revoked key":
        revoke_with_model(api_key)
        client = client_for(api_key)
    else:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key.raw_key}")

    with caplog.at_level(logging.INFO, logger="beel.access"):
        response = client.get(CUSTOMERS)

    assert response.status_code == 401
    [record] = access_records(caplog)
    assert_access_record(record, response, method="GET", path=CUSTOMERS, api_key=None)


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def every_log_record():
    """Every record at every level, including Django's request logger that does not propagate."""
    collector = _Collector()
    loggers = [logging.getLogger(), logging.getLogger("django.request"), logging.getLogger("django.server")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(collector)
        logger.setLevel(logging.DEBUG)
    try:
        yield collector.records
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(collector)
            logger.setLevel(level)


def record_texts(record: logging.LogRecord):
    yield record.getMessage()
    for value in vars(record).values():
        yield str(value)
        yield repr(value)
    yield JSONFormatter().format(record)
    yield logging.Formatter("%(message)s %(request_id)s").format(record) if hasattr(record, "request_id") else ""


def test_raw_keys_never_appear_in_any_log_record(client_for, api_key, account, monkeypatch):
    customer = CustomerFactory(account=account)
    other = APIKeyFactory(account=account, scopes=["invoices:read"])
    forged = forge_secret(api_key)

    def explode(**kwargs):
        raise RuntimeError("boom")

    with every_log_record() as records:
        session = client_for(api_key)
        session.get(CUSTOMERS)
        session.get(customer_url(customer.pk))
        session.post(CUSTOMERS, {"legal_name": ""}, format="json")
        session.post(CUSTOMERS, "x", content_type="text/plain")
        session.get(f"{CUSTOMERS}?search={'a' * 9000}")
        client_for(other).get(CUSTOMERS)  # 403
        client_for(forged).get(CUSTOMERS)  # 401
        client_for(api_key.raw_key + "x").get(CUSTOMERS)  # 401, the real key with a character more
        monkeypatch.setattr(customer_views.services, "get_customer", explode)
        session.get(customer_url(customer.pk))  # 500
        revoke_with_model(api_key)
        session.get(CUSTOMERS)  # 401, revoked

    assert len([record for record in records if record.name == "beel.access"]) == 10
    secret_tails = {split_key(api_key)[1], split_key(other)[1], forged[len(split_key(api_key)[0]) :]}
    for record in records:
        for text in record_texts(record):
            for secret in secret_tails:
                assert secret not in text, (record.name, record.getMessage())


def test_unhandled_error_is_logged_on_beel_api_at_error_with_the_response_request_id(api, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(customer_views.services, "get_customer", explode)
    with caplog.at_level(logging.INFO):
        response = api.get(customer_url(uuid.uuid4()))

    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert "database on fire" not in json.dumps(error)
    request_id = response["X-Request-ID"]
    errors = [record for record in caplog.records if record.name == "beel.api" and record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].request_id == request_id
    assert errors[0].exc_info is not None and isinstance(errors[0].exc_info[1], RuntimeError)
    [access] = access_records(caplog)
    assert (access.request_id, access.status) == (request_id, 500)


# --- the JSON log formatter -----------------------------------------------------------------------------


@contextmanager
def request_id_set(value: str):
    token = current_request_id.set(value)
    try:
        yield
    finally:
        current_request_id.reset(token)


def make_record(message="hello %s", args=("world",), level=logging.WARNING, exc_info=None, **extra):
    logger = logging.getLogger("beel.test")
    record = logger.makeRecord(logger.name, level, __file__, 1, message, args, exc_info, extra=extra or None)
    RequestIdFilter().filter(record)
    return record


def test_json_formatter_writes_one_object_with_the_standard_fields_and_the_extras():
    with request_id_set("a" * 32):
        record = make_record(method="GET", status=200, duration_ms=1.5, api_key=None, note="niño")

    line = JSONFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry == {
        "time": entry["time"],
        "level": "WARNING",
        "logger": "beel.test",
        "message": "hello world",
        "request_id": "a" * 32,
        "method": "GET",
        "status": 200,
        "duration_ms": 1.5,
        "api_key": None,
        "note": "niño",
    }
    moment = datetime.fromisoformat(entry["time"])
    assert moment.utcoffset().total_seconds() == 0
    assert abs((moment - timezone.now()).total_seconds()) < 60


def test_json_formatter_keeps_a_multiline_message_and_traceback_on_one_line():
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        record = make_record("failed:\n%s", ("details\r\nmore",), level=logging.ERROR, exc_info=sys.exc_info())

    line = JSONFormatter().format(record)

    assert "\n" not in line and "\r" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed:\ndetails\r\nmore"
    assert entry["level"] == "ERROR"
    assert "ValueError: first line\nsecond line" in entry["traceback"]


def test_json_formatter_renders_values_json_cannot_hold_as_text():
    record = make_record(customer_id=uuid.UUID(int=5), when=datetime(2025, 1, 15, 10, 30), payload={"a": {1, 2}})

    line = JSONFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["customer_id"] == str(uuid.UUID(int=5))
    assert isinstance(entry["when"], str) and entry["when"].startswith("2025-01-15")
    assert isinstance(entry["payload"]["a"], str)


def test_json_log_lines_of_real_requests_carry_the_request_id_and_access_fields(api, api_key, account, monkeypatch):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RequestIdFilter())
    beel_logger = logging.getLogger("beel")
    saved_level = beel_logger.level
    beel_logger.addHandler(handler)
    beel_logger.setLevel(logging.INFO)

    def explode(**kwargs):
        raise RuntimeError("kaput")

    try:
        ok = api.get(CUSTOMERS)
        monkeypatch.setattr(customer_views.services, "get_customer", explode)
        failed = api.get(customer_url(uuid.uuid4()))
    finally:
        beel_logger.removeHandler(handler)
        beel_logger.setLevel(saved_level)

    lines = stream.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 3  # access line, error line, access line
    first, error, second = entries
    for entry in entries:
        assert {"time", "level", "logger", "message", "request_id"} <= set(entry)
    assert first["logger"] == "beel.access" and first["level"] == "INFO"
    assert set(first) >= ACCESS_FIELDS
    assert first["request_id"] == ok["X-Request-ID"]
    assert (first["method"], first["path"], first["status"], first["api_key"]) == (
        "GET",
        CUSTOMERS,
        200,
        api_key.display_prefix,
    )
    assert error["logger"] == "beel.api" and error["level"] == "ERROR"
    assert error["request_id"] == failed["X-Request-ID"]
    assert "RuntimeError: kaput" in error["traceback"]
    assert second["request_id"] == failed["X-Request-ID"] and second["status"] == 500
    assert api_key.raw_key not in stream.getvalue()
