"""Customer exports as background jobs (issue 26, item 7): `POST /customers/exports` starts one with the direct
export's filters, its status resource says where it is, `.../download` serves its file (the direct export's
bytes, with their count and digest), its end is an event, a killed worker's job is run again, and the file
expires. Celery runs eagerly in the tests (no broker): the job runs when the POST's transaction commits."""

import base64
import csv
import hashlib
import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from beel.clock import clock
from beel.events.models import Event
from companies.models import primary_company_of
from customers.export_jobs import CustomerExport
from customers.services import exports
from tests.envelope import assert_error, assert_success
from tests.factories import APIKeyFactory, CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/customers/exports"
EXPORT = "/api/v1/customers/export"


@pytest.fixture(autouse=True)
def export_files(settings, tmp_path):
    """Where the jobs' files go (STORAGES["customer_exports"]), a fresh directory per test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "customer_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }
    return tmp_path / "exports"


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(datetime(2026, 12, 2, 9, 0, tzinfo=UTC).timestamp())
    yield
    clock.unfreeze()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """The job's task, run (eagerly, as without a broker) once the POST's transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def start(api, body=None, run_on_commit=None, url=JOBS, **headers):
    if run_on_commit is None:
        return api.post(url, body or {}, format="json", headers=headers)
    with run_on_commit():
        return api.post(url, body or {}, format="json", headers=headers)


def records(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_a_job_writes_the_direct_export_s_bytes_and_serves_them_with_their_count_and_digest(
    api, account, run_on_commit, export_files
):
    CustomerFactory(account=account, legal_name="Zapatería García", city="Sevilla")
    CustomerFactory(account=account, legal_name="Árbol García SL", city="Sevilla", phone="+34912345678")
    CustomerFactory(account=account, legal_name="Otra SL", city="Madrid")
    body = {"search": "garcia", "active": True, "sort_by": "legal_name", "sort_order": "desc", "format": "csv"}

    response = start(api, body, run_on_commit)

    job = assert_success(response, 202)
    assert job["status"] == "queued" and job["row_count"] is None and job["download_url"] is None
    assert job["filters"] == {"search": "garcia", "active": True, "sort_by": "legal_name", "sort_order": "desc"}
    company = primary_company_of(account)
    assert response["Location"] == job["url"] == f"/api/v1/companies/{company.pk}/customers/exports/{job['id']}"

    done = assert_success(api.get(f"{JOBS}/{job['id']}"))
    assert done["status"] == "succeeded" and done["row_count"] == 2 and done["attempts"] == 1
    assert done["expires_at"] == "2026-12-03T09:00:00Z"
    assert done["download_url"] == f"{job['url']}/download"

    download = api.get(done["download_url"])
    assert download.status_code == 200
    raw = b"".join(download.streaming_content)
    direct = api.get(EXPORT + "?search=garcia&active=true&sort_by=legal_name&sort_order=desc")
    assert raw == b"".join(direct.streaming_content)
    assert [row[0] for row in records(raw)[1:]] == ["Zapatería García", "Árbol García SL"]
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Length"] == str(len(raw)) == str(done["size_bytes"])
    assert download["X-Total-Rows"] == "2"
    assert download["Repr-Digest"] == f"sha-256=:{base64.b64encode(hashlib.sha256(raw).digest()).decode()}:"
    assert done["sha256"] == hashlib.sha256(raw).hexdigest()
    assert download["Content-Disposition"] == 'attachment; filename="clientes-20261202-090000.csv"'
    # The flat route serves the same file.
    assert b"".join(api.get(f"{JOBS}/{job['id']}/download").streaming_content) == raw


def test_its_end_is_an_event_with_the_job_as_the_status_resource_shows_it(api, account, run_on_commit):
    CustomerFactory(account=account)
    job = assert_success(start(api, {}, run_on_commit), 202)

    event = Event.objects.get(type="customer_export.succeeded")
    assert (event.account_id, event.mode, event.company_id) == (account.pk, "live", primary_company_of(account).pk)
    assert event.data == assert_success(api.get(f"{JOBS}/{job['id']}"))


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"colour": "red"}, "colour", 400),
        ({"page": "2"}, "page", 400),
        ({"limit": "10"}, "limit", 400),
        ({"active": "maybe"}, "active", 400),
        ({"active": 1}, "active", 400),
        ({"sort_by": "colour"}, "sort_by", 400),
        ({"created_since": "yesterday"}, "created_since", 400),
        ({"metadata": {"plan": 3}}, "metadata[plan]", 400),
        ({"format": "xlsx"}, "format", 400),
    ],
)
def test_a_bad_body_is_refused_naming_the_field_and_starts_nothing(api, body, field, status):
    error = assert_error(start(api, body), status, "VALIDATION_ERROR")
    assert field in error["details"]
    assert not CustomerExport.objects.exists()


def test_a_retry_with_the_same_idempotency_key_gets_the_same_job(api, account, run_on_commit):
    first = start(api, {"active": True}, run_on_commit, **{"Idempotency-Key": "export-1"})
    again = start(api, {"active": True}, run_on_commit, **{"Idempotency-Key": "export-1"})

    assert again["Idempotency-Replay"] == "true"
    assert assert_success(again, 202)["id"] == assert_success(first, 202)["id"]
    assert again["Location"] == first["Location"]
    assert CustomerExport.objects.count() == 1
    assert_error(start(api, {"active": False}, **{"Idempotency-Key": "export-1"}), 409, "IDEMPOTENCY_KEY_MISMATCH")


def test_another_account_s_company_s_or_mode_s_job_is_not_found(api, account, other_account, client_for, run_on_commit):
    job = assert_success(start(api, {}, run_on_commit), 202)
    other = client_for(APIKeyFactory(account=other_account))
    test_mode = client_for(APIKeyFactory(account=account, mode="test"))
    for client, url in [
        (other, f"{JOBS}/{job['id']}"),
        (other, f"{JOBS}/{job['id']}/download"),
        (test_mode, f"{JOBS}/{job['id']}"),
        (api, f"{JOBS}/00000000-0000-0000-0000-000000000000"),
    ]:
        assert_error(client.get(url), 404, "NOT_FOUND")
    second = CompanyFactory(account=account)
    assert_error(api.get(f"/api/v1/companies/{second.pk}/customers/exports/{job['id']}"), 404, "NOT_FOUND")
    assert_success(api.get(job["url"]))
    assert_error(other.get(job["url"]), 403, "ACTIVE_COMPANY_NOT_ACCESSIBLE")
    assert_error(api.get(f"{job['url'].rsplit('/', 1)[0]}/not-a-uuid"), 400, "VALIDATION_ERROR")


def test_the_canonical_route_exports_the_path_s_company(api, account, run_on_commit):
    second = CompanyFactory(account=account)
    CustomerFactory(account=account, company=second, legal_name="De la segunda SL")
    CustomerFactory(account=account, legal_name="De la primera SL")
    url = f"/api/v1/companies/{second.pk}/customers/exports"

    job = assert_success(start(api, {}, run_on_commit, url=url), 202)

    assert job["company_id"] == str(second.pk)
    raw = b"".join(api.get(f"{url}/{job['id']}/download").streaming_content)
    assert [row[0] for row in records(raw)[1:]] == ["De la segunda SL"]


def test_jobs_need_the_export_s_read_scope(client_for, account):
    writer = client_for(APIKeyFactory(account=account, scopes=["customers:write"]))
    reader = client_for(APIKeyFactory(account=account, scopes=["customers:read"]))
    assert_error(start(writer, {}), 403, "INSUFFICIENT_SCOPE")
    assert_success(start(reader, {}), 202)


def test_the_file_is_not_ready_before_the_job_succeeded(api):
    job = assert_success(start(api, {}), 202)  # its task never ran: the transaction was not committed
    error = assert_error(api.get(f"{JOBS}/{job['id']}/download"), 409, "EXPORT_NOT_READY")
    assert error["details"] == {"status": "queued"}


def test_the_file_expires_and_the_sweep_deletes_it_with_its_job(api, account, run_on_commit, export_files):
    CustomerFactory(account=account)
    job = assert_success(start(api, {}, run_on_commit), 202)
    assert len(list(export_files.iterdir())) == 1

    clock.advance(24 * 3600)
    status = assert_success(api.get(f"{JOBS}/{job['id']}"))
    assert status["download_url"] is None
    assert_error(api.get(f"{JOBS}/{job['id']}/download"), 410, "EXPORT_EXPIRED")

    call_command("sweepcustomerexports", stdout=io.StringIO())
    assert_error(api.get(f"{JOBS}/{job['id']}"), 404, "NOT_FOUND")
    assert list(export_files.iterdir()) == []


class WorkerKilled(BaseException):
    """What the task sees of a worker killed mid-export: nothing after it runs (not an Exception it handles)."""


def test_a_job_whose_worker_was_killed_is_run_again_once_its_lease_expired(api, account, monkeypatch, settings):
    CustomerFactory.create_batch(3, account=account)
    job = assert_success(start(api, {}), 202)
    real_write = exports._write
    monkeypatch.setattr(exports, "_write", lambda export: (_ for _ in ()).throw(WorkerKilled()))
    # Never sent (its transaction was not committed): once queued for long enough, the sweep sends it.
    call_command("sweepcustomerexports", stdout=io.StringIO())
    assert assert_success(api.get(f"{JOBS}/{job['id']}"))["status"] == "queued"
    clock.advance(settings.EXPORT_QUEUED_RESEND_SECONDS)
    with pytest.raises(WorkerKilled):
        call_command("sweepcustomerexports", stdout=io.StringIO())
    assert assert_success(api.get(f"{JOBS}/{job['id']}"))["status"] == "running"

    monkeypatch.setattr(exports, "_write", real_write)
    call_command("sweepcustomerexports", stdout=io.StringIO())  # the lease still holds: left alone
    assert assert_success(api.get(f"{JOBS}/{job['id']}"))["status"] == "running"
    clock.advance(settings.EXPORT_LEASE_SECONDS)
    call_command("sweepcustomerexports", stdout=io.StringIO())

    done = assert_success(api.get(f"{JOBS}/{job['id']}"))
    assert (done["status"], done["row_count"], done["attempts"]) == ("succeeded", 3, 2)
    assert Event.objects.filter(type="customer_export.succeeded").count() == 1


def test_a_job_killed_on_every_attempt_fails_with_its_event(api, account, monkeypatch, settings):
    job = assert_success(start(api, {}), 202)
    monkeypatch.setattr(exports, "_write", lambda export: (_ for _ in ()).throw(WorkerKilled()))
    clock.advance(settings.EXPORT_QUEUED_RESEND_SECONDS)
    for _attempt in range(settings.EXPORT_MAX_ATTEMPTS):
        with pytest.raises(WorkerKilled):
            call_command("sweepcustomerexports", stdout=io.StringIO())
        clock.advance(settings.EXPORT_LEASE_SECONDS)
    call_command("sweepcustomerexports", stdout=io.StringIO())

    failed = assert_success(api.get(f"{JOBS}/{job['id']}"))
    assert (failed["status"], failed["attempts"], failed["download_url"]) == ("failed", 3, None)
    assert failed["failure_reason"]
    event = Event.objects.get(type="customer_export.failed")
    assert event.data["id"] == job["id"]


def test_a_run_that_fails_is_retried_by_the_sweep(api, account, monkeypatch, settings, run_on_commit):
    CustomerFactory(account=account)
    real_write = exports._write
    monkeypatch.setattr(exports, "_write", lambda export: 1 / 0)
    job = assert_success(start(api, {}, run_on_commit), 202)
    queued = assert_success(api.get(f"{JOBS}/{job['id']}"))
    assert (queued["status"], queued["attempts"]) == ("queued", 1)

    monkeypatch.setattr(exports, "_write", real_write)
    clock.advance(settings.EXPORT_QUEUED_RESEND_SECONDS)
    call_command("sweepcustomerexports", stdout=io.StringIO())
    assert assert_success(api.get(f"{JOBS}/{job['id']}"))["status"] == "succeeded"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"search": "a\x00b"}, "search"),
        ({"search": 3}, "search"),
        ({"active": "true"}, "active"),
        ({"metadata": "plan"}, "metadata"),
        ({"metadata": {"plan": "a\x00"}}, "metadata[plan]"),
    ],
)
def test_a_value_of_another_type_than_the_schema_s_is_refused(api, body, field):
    error = assert_error(start(api, body), 400, "VALIDATION_ERROR")
    assert field in error["details"]


def test_the_change_window_and_metadata_filters_reach_the_job_s_run(api, account, run_on_commit):
    CustomerFactory(account=account, legal_name="Con plan SL", metadata={"plan": "pro"})
    CustomerFactory(account=account, legal_name="Sin plan SL")
    body = {"created_since": "2020-01-01T00:00:00+01:00", "metadata": {"plan": "pro"}}

    job = assert_success(start(api, body, run_on_commit), 202)

    assert job["filters"] == {"created_since": "2019-12-31T23:00:00+00:00", "metadata": {"plan": "pro"}}
    raw = b"".join(api.get(f"{JOBS}/{job['id']}/download").streaming_content)
    assert [row[0] for row in records(raw)[1:]] == ["Con plan SL"]


def test_an_erasure_deletes_the_export_files_that_may_hold_the_customer(api, account, run_on_commit, export_files):
    forgotten = CustomerFactory(account=account, legal_name="Olvido Derecho Supresión")
    job = assert_success(start(api, {}, run_on_commit), 202)
    assert "Olvido Derecho Supresión" in b"".join(api.get(f"{JOBS}/{job['id']}/download").streaming_content).decode()

    with run_on_commit():
        assert_success(api.post(f"/api/v1/customers/{forgotten.pk}/anonymize", format="json"))

    assert_error(api.get(f"{JOBS}/{job['id']}/download"), 410, "EXPORT_EXPIRED")
    assert assert_success(api.get(f"{JOBS}/{job['id']}"))["download_url"] is None
    assert not [path for path in export_files.rglob("*") if path.is_file()]
