"""Read replicas (DATABASE_REPLICA_URLS): which database a read goes to.

A request reads from a replica only when its view said so (`read_from_a_replica`: the API's safe methods, the
admin's changelists) and the replica is fit for it (beel.db.replica_state: reachable, streaming, lagging less
than DATABASE_REPLICA_MAX_LAG_SECONDS, and past the last write of whoever asks). Everything else goes to the
primary: every write, every read in a transaction on the primary (a write's own reads, `select_for_update`),
every read of a request after it wrote, Celery tasks and commands (no request chose a replica for them).
With no replica configured the router answers nothing and Django's default routing is untouched.

Read your writes: after a request of an API key or a staff member that wrote, the primary's WAL position
(`pg_current_wal_lsn()`, taken after the write committed) is kept in the shared cache under that writer for
DATABASE_REPLICA_MAX_LAG_SECONDS (+ the state's age); its next reads go to a replica only once that replica's
`pg_last_wal_replay_lsn()` is at or past it. Past that time any replica still in use has replayed it anyway
(its lag is under the limit), so the entry may go. docs/deploy.md ("Read replicas") says why this and not a pin.
"""

import contextlib
import contextvars
import logging
import random
from dataclasses import dataclass

import dj_database_url
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

from beel.db import replica_state
from beel.env import env_int, env_list

logger = logging.getLogger("beel.db")

REPLICA_ALIAS_PREFIX = "replica_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def replica_databases(primary: dict, configure) -> dict[str, dict]:
    """The DATABASES entries of DATABASE_REPLICA_URLS (comma-separated, zero or more), each configured as the
    primary is (`configure`: timeouts, pooling), as `replica_1`, `replica_2`..."""
    urls = env_list("DATABASE_REPLICA_URLS", [])
    if not urls:
        return {}
    if primary["ENGINE"] != "beel.db.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL (streaming replicas).")
    max_lag, check_every = env_int("DATABASE_REPLICA_MAX_LAG_SECONDS", 30), env_int("DATABASE_REPLICA_CHECK_SECONDS", 1)
    if max_lag < 0 or check_every < 0:
        raise ImproperlyConfigured("DATABASE_REPLICA_MAX_LAG_SECONDS and DATABASE_REPLICA_CHECK_SECONDS must be >= 0.")
    replicas = {}
    for number, url in enumerate(urls, start=1):
        replica = dj_database_url.parse(url)
        if replica["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: replica {number} is not a postgres:// URL.")
        configure(replica)
        # A replica that does not answer costs a request (or /readyz) this long, once per check period: libpq's
        # shortest (it takes 1 as 2), since the primary is there to answer instead.
        replica["OPTIONS"]["connect_timeout"] = min(replica["OPTIONS"]["connect_timeout"], 2)
        # A test run never creates a database on a replica (it is read-only): it reads the test database.
        replica["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
        replica["REPLICA"] = {"MAX_LAG_SECONDS": max_lag, "CHECK_SECONDS": check_every}
        replicas[f"{REPLICA_ALIAS_PREFIX}{number}"] = replica
    return replicas


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_ALIAS_PREFIX)]


def replica_options() -> dict:
    return next(iter(settings.DATABASES[alias]["REPLICA"] for alias in replica_aliases()))


@dataclass
class Reads:
    """What one request decided about its reads: the replica chosen (None: the primary), who it acts for
    (read your writes), and whether it wrote."""

    writes: bool  # by its method
    writer: str | None = None
    replica: str | None = None
    wrote: bool = False


_reads: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("beel_reads", default=None)


@contextlib.contextmanager
def request_reads(*, method: str):
    """The scope of one request: on the way out, a writer that wrote leaves its WAL position behind."""
    reads = Reads(writes=method not in SAFE_METHODS)
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)
        if (reads.writes or reads.wrote) and reads.writer is not None:
            remember_write(reads.writer)


def acting_for(writer: str) -> None:
    """Names who the current request acts for (`key:<id>`, `staff:<id>`), for read your writes."""
    reads = _reads.get()
    if reads is not None:
        reads.writer = writer


def read_from_a_replica() -> str | None:
    """Called by a view whose reads may come from a replica (a safe method, after authentication): picks a fit
    replica for the rest of the request, or none (the primary). The alias chosen, for logs and tests."""
    reads = _reads.get()
    if reads is None or reads.writes or not replica_aliases():
        return None
    # What the request wrote before (the key's last use, while authenticating it) is bookkeeping that its reads
    # do not need: only a write from here on sends the rest of the request to the primary.
    reads.wrote = False
    reads.replica = fit_replica(written_at(reads.writer))
    return reads.replica


def fit_replica(needed_lsn: int | None) -> str | None:
    aliases = replica_aliases()
    for alias in random.sample(aliases, len(aliases)):  # spread the reads over the replicas
        state = replica_state.state_of(alias)
        if not state.usable or (needed_lsn is not None and state.replay_lsn < needed_lsn):
            continue
        if replica_state.connects(alias):
            return alias
    return None


def _writes_key(writer: str) -> str:
    return f"beel:replicas:written:{writer}"


def remember_write(writer: str) -> None:
    if not replica_aliases():
        return
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            lsn = replica_state.parse_lsn(cursor.fetchone()[0])
        options = replica_options()
        cache.set(_writes_key(writer), lsn, timeout=options["MAX_LAG_SECONDS"] + options["CHECK_SECONDS"] + 1)
    except Exception as error:  # the database's or the cache's failure alike
        # The write is done; its writer's next reads may then come from a replica that has not replayed it
        # yet, for at most the lag limit. Logged, never turned into a failed answer.
        logger.warning("Read replicas: could not record %s's write position: %s", writer, error)


def written_at(writer: str | None) -> int | None:
    """The WAL position of the writer's last write that a replica may not have replayed yet, if any. With the
    cache unreachable nobody can tell: a position no replica reaches sends the reads to the primary."""
    if writer is None:
        return None
    try:
        return cache.get(_writes_key(writer))
    except Exception as error:  # whatever the cache raises when its server is away
        logger.warning("Read replicas: could not read %s's write position: %s", writer, error)
        return replica_state.UNREACHABLE_LSN


class ReplicaRouter:
    """DATABASE_ROUTERS: reads go where the request chose, writes to the primary. Explicit answers once a
    replica is configured, never None: Django would otherwise send a write or a related read to the database
    the instance was read from (a replica)."""

    def db_for_read(self, model, **hints):
        if not replica_aliases():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a write's transaction, or a locking read: the primary's view
        for alias in replica_aliases():
            # A read-only transaction opened on a replica (the CSV export's snapshot, streamed after the view
            # returned) keeps reading there.
            if connections[alias].in_atomic_block:
                return alias
        reads = _reads.get()
        if reads is None or reads.writes or reads.wrote or reads.replica is None:
            return DEFAULT_DB_ALIAS
        return reads.replica

    def db_for_write(self, model, **hints):
        if not replica_aliases():
            return None
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True  # the rest of this request reads its own write, on the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True if replica_aliases() else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db.startswith(REPLICA_ALIAS_PREFIX) else None


class ReplicaReadsMiddleware:
    """Opens each request's scope of reads (nothing without a replica configured). The API's views choose in
    their pipeline (beel.api.pipeline); here, the admin: a staff member's changelists read from a fit replica,
    and what they write (any other method) is remembered for their next reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        with request_reads(method=request.method):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace != "admin" or not replica_aliases():
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None
        acting_for(f"staff:{user.pk}")
        if request.method in SAFE_METHODS and (match.url_name or "").endswith("_changelist"):
            read_from_a_replica()
        return None
