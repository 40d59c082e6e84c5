"""The CSV file an admin import waits with between its preview and its confirmation.

The file (up to 5 MiB) waits in file storage, `STORAGES["customer_imports"]` (beel.settings: a private
directory that no URL serves, readable by the service's user only), not in the session, whose row every
request of that staff user would read and rewrite. The session holds only the stored file's name, the
company (of an account), the mode and the name the file had. The stored name is random and starts with the
staff user's id, so a session only ever confirms a file its own user uploaded.

The file is deleted when the import is confirmed or cancelled, or replaced by the same user's next preview.
One left behind (a preview never confirmed nor cancelled, a session that ended) is purged by the next
preview of any staff user once older than STALE_AFTER; confirming it after that asks for the file again.

The rows a confirmed import did not create wait in the same storage, for staff to download and correct
(`keep_rejected`, `rejected`): under a random name, as JSON, purged like the files after STALE_AFTER (they
hold the personal data of people who are no customers)."""

import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.http import HttpRequest
from django.utils import timezone

IMPORT_SESSION_KEY = "customers_csv_import"
STORAGE_ALIAS = "customer_imports"
STALE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class PendingImport:
    company_id: str
    mode: str
    name: str
    content: bytes


def pending_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def keep(request: HttpRequest, *, content: bytes, company, mode: str, name: str) -> None:
    """Keep a previewed file until it is confirmed, replacing this user's earlier one."""
    discard(request)
    purge_stale()
    stored = pending_storage().save(f"{request.user.pk}-{secrets.token_hex(16)}.csv", ContentFile(content))
    request.session[IMPORT_SESSION_KEY] = {"company": str(company.pk), "mode": mode, "name": name, "file": stored}


def take(request: HttpRequest) -> PendingImport | None:
    """This user's waiting file, once: it leaves the session and the storage. None if there is none (never
    uploaded, already confirmed or cancelled, or purged as stale, or kept before imports chose a company)."""
    pending = request.session.pop(IMPORT_SESSION_KEY, None)
    found = _read(request, pending)
    if pending and _is_users_file(request, pending.get("file")):
        pending_storage().delete(pending["file"])
    return found


def peek(request: HttpRequest) -> PendingImport | None:
    """This user's waiting file, left waiting (the review shown again, filtered or sorted)."""
    return _read(request, request.session.get(IMPORT_SESSION_KEY))


def _read(request: HttpRequest, pending) -> PendingImport | None:
    if not pending or not _is_users_file(request, pending.get("file")) or "company" not in pending:
        return None
    try:
        with pending_storage().open(pending["file"], "rb") as file:
            content = file.read()
    except FileNotFoundError:
        return None
    return PendingImport(company_id=pending["company"], mode=pending["mode"], name=pending["name"], content=content)


def discard(request: HttpRequest) -> None:
    pending = request.session.pop(IMPORT_SESSION_KEY, None)
    if pending and _is_users_file(request, pending.get("file")):
        pending_storage().delete(pending["file"])


def purge_stale() -> None:
    storage = pending_storage()
    cutoff = timezone.now() - STALE_AFTER
    try:
        _, names = storage.listdir("")
    except FileNotFoundError:
        return  # nothing was ever stored
    for name in names:
        try:
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
        except FileNotFoundError:
            continue  # another request purged or took it meanwhile


def _is_users_file(request: HttpRequest, stored) -> bool:
    return isinstance(stored, str) and "/" not in stored and stored.startswith(f"{request.user.pk}-")


REJECTED_NAME = re.compile(r"[0-9a-f]{32}")


def keep_rejected(rows: dict) -> str:
    """Keeps what a confirmed import did not create (JSON-able), returning the token that finds it again."""
    purge_stale()
    token = secrets.token_hex(16)
    pending_storage().save(f"rejected-{token}.json", ContentFile(json.dumps(rows).encode()))
    return token


def rejected(token: str) -> dict | None:
    """The rows `keep_rejected` kept under `token`; None when there are none (purged, or no such token)."""
    if not REJECTED_NAME.fullmatch(token):
        return None
    try:
        with pending_storage().open(f"rejected-{token}.json", "rb") as file:
            return json.loads(file.read())
    except FileNotFoundError:
        return None
