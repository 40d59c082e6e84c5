"""Exporting customers as a background job (issue 26): `start_export` records the job and hands it to Celery,
`run_export` (the task) claims it with a lease and writes the file, `sweep_exports` hands out again what a lost
message or a killed worker left behind and purges what expired. The file's bytes are the direct export's
(customers.spreadsheet.export_lines) for the same filters and sort.

Without a broker (CELERY_TASK_ALWAYS_EAGER, a developer's runserver) the task runs in the process that
committed the job, before the POST answers, as webhook deliveries do; `manage.py sweepcustomerexports` from
cron then stands in for beat."""

import hashlib
import logging
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import F, Q

from beel.actors import Actor
from beel.clock import clock
from beel.events.models import EventType, NewEvent, record_events
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from customers import selectors, spreadsheet
from customers.errors import (
    CustomerExportNotFound,
    ExportExpired,
    ExportNotReady,
    ExportTooLarge,
    InvalidExportId,
)
from customers.export_jobs import UNFINISHED, CustomerExport, ExportStatus
from customers.models import Customer
from customers.representations import export_representation
from customers.selectors import CustomerFilters

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "customer_exports"
# Bytes written to the job's file at once.
WRITE_CHUNK = 1 << 20


def export_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def _now() -> datetime:
    return datetime.fromtimestamp(clock.now(), UTC)


def stored_filters(asked: CustomerFilters) -> dict:
    """`asked` as JSON, for the job's row and its representation: only what was asked for."""
    stored = {}
    for name, value in asked.as_dict().items():
        if value is None or value in ("", ()):
            continue
        stored[name] = value.isoformat() if isinstance(value, datetime) else value
    if asked.metadata:
        stored["metadata"] = dict(asked.metadata)
    return stored


def asked_filters(stored: dict) -> CustomerFilters:
    values = dict(stored)
    for name in ("created_since", "created_until", "updated_since", "updated_until"):
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    values["metadata"] = tuple(sorted((values.get("metadata") or {}).items()))
    return CustomerFilters(**values)


def start_export(*, scope: DataScope, asked: CustomerFilters, actor: Actor) -> CustomerExport:
    """A job exporting the customers of `scope` that `asked` selects, in its order; handed to a worker once
    the caller's transaction commits (if that fails, the sweep sends it)."""
    account, company, mode = scope.issuer()
    export = CustomerExport.objects.create(
        account=account,
        company=company,
        mode=mode,
        filters=stored_filters(asked),
        requested_by=str(actor),
        created_at=_now(),
    )
    transaction.on_commit(lambda: _enqueue(export.pk), robust=True)
    return export


def _enqueue(export_id: uuid.UUID) -> None:
    from customers.tasks import run_customer_export  # the tasks module imports the services

    run_customer_export.delay(str(export_id))


def get_export(*, scope: DataScope, export_id: str) -> CustomerExport:
    """The export with this id in `scope`; another account's, company's or mode's is not found."""
    export_uuid = parse_uuid(export_id, field="export_id", error_class=InvalidExportId)
    export = CustomerExport.objects.within(scope).filter(pk=export_uuid).first()
    if export is None:
        raise CustomerExportNotFound()
    return export


def export_file(*, scope: DataScope, export_id: str) -> tuple[CustomerExport, File]:
    """The finished export's file, open; EXPORT_NOT_READY before it succeeded, EXPORT_EXPIRED after."""
    export = get_export(scope=scope, export_id=export_id)
    if export.status != ExportStatus.SUCCEEDED:
        raise ExportNotReady(details={"status": export.status})
    if export.expires_at <= _now() or not export.file_name:
        raise ExportExpired(details={"expired_at": export.expires_at.isoformat()})
    try:
        return export, export_storage().open(export.file_name, "rb")
    except FileNotFoundError:
        # Purged between the read and the open.
        raise ExportExpired(details={"expired_at": export.expires_at.isoformat()}) from None


def run_export(export_id: str) -> None:
    """The task's work: claim the job (or leave it, when another run holds it or it is finished), write its
    file in one snapshot of the customers, and record its end with its event."""
    attempt = _claim(uuid.UUID(export_id))
    if attempt is None:
        return
    export = CustomerExport.objects.get(pk=export_id)
    try:
        written = _write(export)
    except Exception:
        logger.exception("customer export %s failed (attempt %s)", export.pk, attempt)
        _give_up_or_requeue(export, attempt, failure="The export could not be written.")
        return
    _finish(export, attempt, **written)


def _claim(export_id: uuid.UUID) -> int | None:
    """Take the job with a lease, by a conditional UPDATE: queued, or running under a lease that expired
    (its worker was killed). The run's attempt number, or None."""
    now = _now()
    claimable = Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, lease_expires_at__lte=now)
    jobs = CustomerExport.objects.filter(claimable, pk=export_id, attempts__lt=settings.EXPORT_MAX_ATTEMPTS)
    claimed = jobs.update(
        status=ExportStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        lease_expires_at=now + timedelta(seconds=settings.EXPORT_LEASE_SECONDS),
    )
    if not claimed:
        return None
    return CustomerExport.objects.values_list("attempts", flat=True).get(pk=export_id)


def _write(export: CustomerExport) -> dict:
    scope = DataScope.of_company(export.company, export.mode)
    asked = asked_filters(export.filters)
    customers = selectors.sorted_customers(Customer.objects.within(scope), asked)
    digest, size = hashlib.sha256(), 0
    row_count, lines = spreadsheet.counted_export_lines(customers)
    # Closed on the way out whatever happens (a full disk midway): a stream left open keeps its transaction and,
    # on PostgreSQL, its COPY with psycopg's lock on the connection, so recording the failure would wait forever.
    with closing(lines), tempfile.TemporaryFile() as spool:
        pending: list[bytes] = []
        pending_size = 0
        for line in lines:
            data = line.encode("utf-8")  # as the direct export's response encodes it
            pending.append(data)
            pending_size += len(data)
            if pending_size >= WRITE_CHUNK:
                size += _flush(spool, digest, pending)
                pending, pending_size = [], 0
        size += _flush(spool, digest, pending)
        spool.seek(0)
        # A file under this name can only be an earlier run's of this job, killed before it recorded the end.
        storage, name = export_storage(), f"{export.pk}.csv"
        storage.delete(name)
        name = storage.save(name, File(spool))
    return {"row_count": row_count, "size_bytes": size, "sha256": digest.hexdigest(), "file_name": name}


def _flush(spool, digest, pending: list[bytes]) -> int:
    data = b"".join(pending)
    spool.write(data)
    digest.update(data)
    return len(data)


def _finish(export: CustomerExport, attempt: int, **written) -> None:
    now = _now()
    with transaction.atomic():
        finished = CustomerExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING, attempts=attempt).update(
            status=ExportStatus.SUCCEEDED,
            finished_at=now,
            expires_at=now + timedelta(hours=settings.EXPORT_RETENTION_HOURS),
            lease_expires_at=None,
            failure="",
            **written,
        )
        if finished:
            _record_end(CustomerExport.objects.get(pk=export.pk), EventType.CUSTOMER_EXPORT_SUCCEEDED)
    if not finished:  # another run took the job over (this one outlived its lease): its file is the one kept
        export_storage().delete(written["file_name"])


def _give_up_or_requeue(export: CustomerExport, attempt: int, *, failure: str) -> None:
    """After a failed run: queued again while attempts remain (the sweep sends it), else failed."""
    now = _now()
    with transaction.atomic():
        jobs = CustomerExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING, attempts=attempt)
        if attempt < settings.EXPORT_MAX_ATTEMPTS:
            jobs.update(status=ExportStatus.QUEUED, lease_expires_at=None, failure=failure)
        elif jobs.update(**_failed(now, failure)):
            _record_end(CustomerExport.objects.get(pk=export.pk), EventType.CUSTOMER_EXPORT_FAILED)


def _failed(now: datetime, failure: str) -> dict:
    return {
        "status": ExportStatus.FAILED,
        "finished_at": now,
        "expires_at": now + timedelta(hours=settings.EXPORT_RETENTION_HOURS),
        "lease_expires_at": None,
        "failure": failure,
    }


def _record_end(export: CustomerExport, event_type: EventType) -> None:
    record_events(
        [
            NewEvent(
                account_id=export.account_id,
                company_id=export.company_id,
                mode=export.mode,
                type=event_type,
                data=export_representation(export, now=_now()),
            )
        ]
    )


def sweep_exports() -> list[str]:
    """Run by beat every EXPORT_SWEEP_SECONDS (or `manage.py sweepcustomerexports`): purges what expired, fails
    the jobs whose every attempt was abandoned, and returns the ids to send to a worker again: jobs running under
    an expired lease (a killed worker) and jobs queued for longer than EXPORT_QUEUED_RESEND_SECONDS (a lost
    message; a duplicate message is harmless, the claim takes the job once)."""
    now = _now()
    purge_expired_exports()
    abandoned = CustomerExport.objects.filter(status=ExportStatus.RUNNING, lease_expires_at__lte=now)
    for export in abandoned.filter(attempts__gte=settings.EXPORT_MAX_ATTEMPTS):
        with transaction.atomic():
            failed = CustomerExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING, lease_expires_at__lte=now)
            if failed.update(**_failed(now, "The export's worker stopped before it finished, on every attempt.")):
                _record_end(CustomerExport.objects.get(pk=export.pk), EventType.CUSTOMER_EXPORT_FAILED)
    stale = now - timedelta(seconds=settings.EXPORT_QUEUED_RESEND_SECONDS)
    resend = CustomerExport.objects.filter(
        Q(status=ExportStatus.RUNNING, lease_expires_at__lte=now) | Q(status=ExportStatus.QUEUED, created_at__lte=stale)
    ).filter(status__in=UNFINISHED)
    return [str(pk) for pk in resend.values_list("pk", flat=True)]


def purge_expired_exports() -> int:
    """Delete the finished jobs whose retention ended, with their files; how many."""
    expired = list(CustomerExport.objects.expired(_now()).values_list("pk", "file_name"))
    storage = export_storage()
    for _pk, file_name in expired:
        if file_name:
            storage.delete(file_name)  # a file already gone is no error
    CustomerExport.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    return len(expired)


def forget_exports_holding(*, account_id: int, mode: str) -> int:
    """An erasure's reach into the export files (GDPR art. 17): any file of the account and mode may hold the
    erased customer (a file says nothing of whom it holds, and is kept EXPORT_RETENTION_HOURS at most), so each
    is deleted once the erasure commits, and its job answers 410 EXPORT_EXPIRED from now on (a new export gives
    the anonymised customer); how many."""
    holding = CustomerExport.objects.filter(account_id=account_id, mode=mode).exclude(file_name="")
    file_names = list(holding.values_list("file_name", flat=True))
    holding.update(file_name="", expires_at=_now())
    storage = export_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in file_names], robust=True)
    return len(file_names)


def direct_export(customers) -> tuple[int, Iterator[str]]:
    """The direct export (`GET /customers/export`): how many rows it writes and its lines, in one snapshot, if
    they are few enough to stream well inside a worker's timeout (EXPORT_DIRECT_MAX_ROWS); else
    EXPORT_TOO_LARGE, before anything is read but the count, pointing to an export job."""
    limit = settings.EXPORT_DIRECT_MAX_ROWS
    total, lines = spreadsheet.counted_export_lines(customers, at_most=limit)
    if total > limit:
        lines.close()
        raise ExportTooLarge(
            f"More than {limit} customers match: start an export job (POST /customers/exports with the same "
            "filters) and download its file when it is done",
            details={"max_rows": limit},
        )
    return total, lines
