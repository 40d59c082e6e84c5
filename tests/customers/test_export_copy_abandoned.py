"""Exports left before their end: a download the client abandons after its first pieces (the server closes the
response, as WSGI servers do when the client goes away) and an export job whose file cannot be written midway
(a full disk). Either must end the export's COPY (customers.spreadsheet.copy) and its transaction at once, so
the connection serves its next statement: psycopg holds the connection's lock for the whole COPY, and a COPY
left running would make that statement wait forever. So each check runs in a thread, bounded by a timeout, and
a stuck connection is terminated on the server so that the test database can still be flushed."""

import errno
import threading

import pytest
from django.db import connection, connections

from customers import spreadsheet
from customers.export_jobs import CustomerExport
from customers.services import exports
from customers.spreadsheet import copy
from tests.factories import CustomerFactory

# The export's own transaction (REPEATABLE READ on PostgreSQL), as in production, and a connection per thread.
pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

EXPORT = "/api/v1/customers/export"
TIMEOUT_SECONDS = 30


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch):
    """Many pieces from a few customers, so the COPY is still running after the first ones."""
    monkeypatch.setattr(copy, "PIECE_BYTES", 1)


def bounded(work) -> dict:
    """`work(outcome)` in a thread of its own (its own connection), waited for TIMEOUT_SECONDS at most: a thread
    still waiting then is a hang, its server connection terminated (its locks would block the flush)."""
    outcome: dict = {}

    def run():
        try:
            if connection.vendor == "postgresql":
                outcome["backend_pid"] = connection.cursor().connection.info.backend_pid
            work(outcome)
        except BaseException as error:  # reported by the test, not lost in the thread
            outcome["error"] = error
        finally:
            if "error" in outcome or outcome.get("done"):
                connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(TIMEOUT_SECONDS)
    if thread.is_alive():
        if "backend_pid" in outcome:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [outcome["backend_pid"]])
        pytest.fail(f"the connection's next statement still waited after {TIMEOUT_SECONDS} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome


@postgresql_only
def test_a_download_abandoned_after_its_first_pieces_frees_the_connection(api, account):
    CustomerFactory.create_batch(40, account=account)

    def abandon(outcome):
        response = api.get(EXPORT)
        assert response.status_code == 200
        pieces = iter(response.streaming_content)
        outcome["first"] = next(pieces) + next(pieces)
        response.close()  # what the server does when the client goes away
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM customers_customer")
            outcome["count"] = cursor.fetchone()[0]
        outcome["after"] = b"".join(api.get(EXPORT).streaming_content)  # and the next download is whole
        outcome["done"] = True

    outcome = bounded(abandon)

    assert outcome["first"].startswith(spreadsheet.BOM.encode())
    assert outcome["count"] == 40
    assert outcome["after"].count(b"\r\n") == 41  # the header and every customer


def test_an_export_job_whose_file_cannot_be_written_midway_is_queued_again(
    api, account, monkeypatch, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "customer_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    CustomerFactory.create_batch(40, account=account)
    monkeypatch.setattr(exports, "WRITE_CHUNK", 1)  # a write per piece
    written = []

    def disk_full_after_two_writes(spool, digest, pending):
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(pending)
        return sum(len(data) for data in pending)

    monkeypatch.setattr(exports, "_flush", disk_full_after_two_writes)

    def start(outcome):
        # Without a broker the task runs in the request, once the job's row is committed.
        outcome["response"] = api.post("/api/v1/customers/exports", {}, format="json")
        outcome["done"] = True

    outcome = bounded(start)

    assert outcome["response"].status_code == 202, outcome["response"].content
    assert len(written) == 2  # the file was cut midway
    job = CustomerExport.objects.get()
    assert (job.status, job.attempts, job.failure) == ("queued", 1, "The export could not be written.")
