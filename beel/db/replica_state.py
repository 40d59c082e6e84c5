"""Whether a read replica is fit to read from, asked of the replica itself and kept per process for
DATABASE_REPLICA_CHECK_SECONDS (one small query per replica per process per period, not one per request)."""

import contextlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

from beel.clock import clock

logger = logging.getLogger("beel.db")

# A WAL position past any real one: "unknown, take it as not replayed".
UNREACHABLE_LSN = 2**64

# One round trip. The lag is how long ago the last transaction it replayed committed, but only while it has
# received WAL it has not replayed yet: a replica that replayed all it received is as fresh as its stream
# (an idle primary commits nothing, and that is no lag). A replica whose WAL receiver is not streaming (cut
# off from the primary) is not fresh whatever it replayed, so it is not used.
STATE_QUERY = """
    SELECT pg_is_in_recovery(),
           pg_last_wal_replay_lsn()::text,
           pg_last_wal_receive_lsn()::text,
           EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8,
           EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
"""


@dataclass(frozen=True)
class ReplicaState:
    checked_at: float
    problem: str = ""  # empty when usable: else why not, as /readyz says it
    replay_lsn: int = 0
    lag_seconds: float = 0.0

    @property
    def usable(self) -> bool:
        return not self.problem


_states: dict[str, ReplicaState] = {}


def parse_lsn(text: str | None) -> int:
    """PostgreSQL's `16/B374D848` as one number (high and low 32 bits), comparable with `<`."""
    if not text:
        return 0
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def state_of(alias: str) -> ReplicaState:
    options = settings.DATABASES[alias]["REPLICA"]
    state = _states.get(alias)
    if state is None or clock.now() - state.checked_at >= options["CHECK_SECONDS"]:
        state = _states[alias] = checked(alias, max_lag_seconds=options["MAX_LAG_SECONDS"])
    return state


def checked(alias: str, *, max_lag_seconds: float) -> ReplicaState:
    now = clock.now()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(STATE_QUERY)
            in_recovery, replayed, received, since_last_replay, streaming = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Read replica %s unreachable: %s", alias, (str(error).strip().splitlines() or [""])[0])
        _forget_connection(alias)
        return ReplicaState(checked_at=now, problem="unreachable")
    if not in_recovery:
        return ReplicaState(checked_at=now, problem="not a replica (promoted?)")
    if not streaming:
        return ReplicaState(checked_at=now, problem="not streaming from the primary")
    replay_lsn = parse_lsn(replayed)
    caught_up = received is None or parse_lsn(received) <= replay_lsn
    lag = 0.0 if caught_up else (since_last_replay if since_last_replay is not None else float("inf"))
    if lag > max_lag_seconds:
        return ReplicaState(checked_at=now, problem=f"lagging {lag:.0f}s", replay_lsn=replay_lsn, lag_seconds=lag)
    return ReplicaState(checked_at=now, replay_lsn=replay_lsn, lag_seconds=lag)


def connects(alias: str) -> bool:
    """This thread's connection to the replica works (found dropped, it is opened again): a replica stopped
    since the last check fails here, before the request reads, and is marked so for the other threads."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        logger.warning("Read replica %s unreachable: %s", alias, (str(error).strip().splitlines() or [""])[0])
        _forget_connection(alias)
        _states[alias] = ReplicaState(checked_at=clock.now(), problem="unreachable")
        return False
    return True


def _forget_connection(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def report() -> dict[str, str]:
    """Each replica's state for /readyz, as requests see it (checked again when older than
    DATABASE_REPLICA_CHECK_SECONDS): "ok", or why reads skip it."""
    return {alias: state_of(alias).problem or "ok" for alias, db in settings.DATABASES.items() if "REPLICA" in db}
