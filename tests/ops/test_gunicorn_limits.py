"""What gunicorn itself reads and refuses, with the production gunicorn.conf.py, on a real server: an overlong
request line is refused at once and the worker serves on, gunicorn's own refusals are the envelope, a chunked
body reaches the app, and a request longer than the worker timeout is not killed."""

import contextlib
import http.client
import json
import socket
import threading
import time

import pytest
from django.db import connection

from customers.models import Customer
from tests.factories import APIKeyFactory
from tests.ops.servers import Gunicorn, database_url

pytestmark = [
    pytest.mark.postgres_only(reason="the server shares the test database, which SQLite's in-memory one cannot be"),
    pytest.mark.django_db(transaction=True),
]

WORKER_TIMEOUT_SECONDS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    environment = {
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-secret-for-the-gunicorn-limit-tests-0123456789-abcdefghijklmnopq",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "ACCEPT_PER_PROCESS_RATE_LIMITS": "true",
        "SECURE_SSL_REDIRECT": "false",
        # One worker: the request after a refusal is served by the very worker that refused.
        "GUNICORN_WORKERS": "1",
        "GUNICORN_TIMEOUT": str(WORKER_TIMEOUT_SECONDS),
    }
    log = tmp_path_factory.mktemp("gunicorn") / "limits.log"
    with Gunicorn(port=free_port(), env=environment, log_path=log) as started:
        yield started


def raw_exchange(server, request: bytes, *, timeout: float) -> bytes:
    """Sends `request` from a thread while reading the answer: gunicorn may answer (and close) before the
    client has finished sending."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as client:

        def send():
            with contextlib.suppress(OSError):  # the server closed after answering
                client.sendall(request)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        received = b""
        try:
            while chunk := client.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        sender.join(timeout)
        return received


def parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {name.lower(): value for name, value in headers.items()}, body


def assert_envelope(raw: bytes, status: int, code: str) -> dict:
    answered, headers, body = parse(raw)
    assert answered == status, raw[:500]
    assert headers["content-type"] == "application/json"
    envelope = json.loads(body)
    assert envelope["success"] is False
    assert envelope["error"]["code"] == code
    assert envelope["meta"]["request_id"] == headers["x-request-id"]
    assert "server" not in headers
    return envelope


def test_a_20_mb_request_line_is_refused_at_once_and_the_worker_serves_the_next_request(server):
    line = b"GET /api/v1/customers?search=" + b"a" * (20 * 1024 * 1024) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    started = time.monotonic()

    raw = raw_exchange(server, line, timeout=10)

    assert time.monotonic() - started < 2
    assert_envelope(raw, 414, "URI_TOO_LONG")
    answer = server.request("GET", "/healthz")
    assert answer.status == 200
    assert "WORKER TIMEOUT" not in server.log()


def test_a_query_past_the_apps_limit_within_the_request_line_gets_the_apps_own_414(server):
    api_key = APIKeyFactory()
    headers = {"Authorization": f"Bearer {api_key.raw_key}"}

    answer = server.request("GET", "/api/v1/customers?search=" + "a" * 7500, headers=headers)

    assert answer.status == 414
    assert answer.json()["error"]["code"] == "URI_TOO_LONG"
    assert "7168 characters" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("request_head", "status", "code"),
    [
        pytest.param(b"GET / HTTP/9.9\r\n", 400, "BAD_REQUEST", id="bad-version"),
        pytest.param(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n",
            431,
            "REQUEST_HEADERS_TOO_LARGE",
            id="long-header",
        ),
        pytest.param(
            b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-H%d: 1\r\n" % n for n in range(60)),
            431,
            "REQUEST_HEADERS_TOO_LARGE",
            id="many-headers",
        ),
        pytest.param(
            b"POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: zip\r\n",
            501,
            "TRANSFER_CODING_NOT_IMPLEMENTED",
            id="unknown-coding",
        ),
    ],
)
def test_gunicorns_own_refusals_are_the_envelope_not_html(server, request_head, status, code):
    raw = raw_exchange(server, request_head + b"\r\n", timeout=10)

    assert_envelope(raw, status, code)


def test_a_chunked_body_reaches_the_app(server):
    api_key = APIKeyFactory()
    body = json.dumps({"legal_name": "Ferretería Núñez SL", "nif": "B12345674"}).encode()
    connection_ = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {api_key.raw_key}", "Content-Type": "application/json"}
        # An iterable body has no length: http.client sends it chunked, with no Content-Length.
        connection_.request("POST", "/api/v1/customers", body=iter([body[:10], body[10:]]), headers=headers)
        response = connection_.getresponse()
        answer = json.loads(response.read())
    finally:
        connection_.close()

    assert response.status == 201, answer
    assert answer["data"]["legal_name"] == "Ferretería Núñez SL"
    assert Customer.objects.filter(account=api_key.account, nif="B12345674").count() == 1


def test_a_chunked_body_past_the_limit_is_a_413_in_the_envelope(server):
    api_key = APIKeyFactory()
    chunk = b"x" * (1024 * 1024 + 50_000)
    connection_ = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {api_key.raw_key}", "Content-Type": "application/json"}
        connection_.request("POST", "/api/v1/customers", body=iter([chunk] * 2), headers=headers)
        response = connection_.getresponse()
        answer = json.loads(response.read())
    finally:
        connection_.close()

    assert response.status == 413
    assert answer["error"]["code"] == "REQUEST_BODY_TOO_LARGE"
    assert answer["error"]["details"] == {"max_size_bytes": 2 * 1024 * 1024}
    assert not Customer.objects.filter(account=api_key.account).exists()


def test_a_request_longer_than_the_worker_timeout_completes_and_the_worker_lives(server):
    """A body sent slowly over twice the worker timeout: the sync worker was killed at the timeout (the
    connection cut, as a long CSV download was); the threaded worker's main loop keeps it alive."""
    api_key = APIKeyFactory()
    body = json.dumps({"legal_name": "Despacio SL", "nif": "A58818501"}).encode()
    head = (
        "POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: Bearer {api_key.raw_key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as client:
        client.sendall(head + body[:5])
        time.sleep(2 * WORKER_TIMEOUT_SECONDS + 1)
        client.sendall(body[5:])
        raw = b""
        while chunk := client.recv(65536):
            raw += chunk

    status, _, answer = parse(raw)
    assert status == 201, raw[:500]
    assert json.loads(answer)["data"]["legal_name"] == "Despacio SL"
    assert "WORKER TIMEOUT" not in server.log()


def test_a_chunked_csv_upload_reaches_the_import(server):
    api_key = APIKeyFactory()
    boundary = "limits-boundary"
    csv = "Razón social;NIF\r\nFerretería Núñez SL;A58818501\r\n".encode()
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="clientes.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + csv
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection_ = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        headers = {
            "Authorization": f"Bearer {api_key.raw_key}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        }
        connection_.request("POST", "/api/v1/customers/import-csv-preview", body=iter([body]), headers=headers)
        response = connection_.getresponse()
        answer = json.loads(response.read())
    finally:
        connection_.close()

    assert response.status == 200, answer
    assert [row["status"] for row in answer["data"]["customers_validation"]] == ["VALID"]
