"""A real streaming replica of the running PostgreSQL (127.0.0.1:5432), for the read-replica tests: made with
`pg_basebackup -R -X stream` and started with `pg_ctl` as the postgres OS user, on a free port, in a temporary
directory, and removed at the end.

It needs the primary to accept replication connections from 127.0.0.1 (a `host replication all 127.0.0.1/32
trust` line in its pg_hba.conf, which .ci/run adds and reloads; never edited from here). When the replica
cannot be made the tests skip, naming why, unless BEEL_REPLICA_TESTS=required (CI), where they fail."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PRIMARY = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
BIN = Path(os.environ.get("BEEL_PG_BIN", "/usr/lib/postgresql/15/bin"))
START_TIMEOUT_SECONDS = 60
STREAMING = "SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')"
# Settings a hot standby must not set lower than its primary's, or it refuses to start.
MATCHED_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class ReplicaUnavailable(Exception):
    """Why no replica could be made on this machine."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(*command: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, timeout=timeout, check=False
    )


def query(conninfo: dict, sql: str, *params):
    with psycopg.connect(**conninfo, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchone()


class StreamingReplica:
    def __init__(self) -> None:
        self.directory: Path | None = None
        self.port = free_port()

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def conninfo(self, dbname: str = "postgres") -> dict:
        return {"host": "127.0.0.1", "port": self.port, "user": "postgres", "dbname": dbname}

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def create(self) -> None:
        if os.geteuid() != 0 or shutil.which("runuser") is None:
            raise ReplicaUnavailable("the replica is run as the postgres OS user: needs root and runuser")
        for tool in ("pg_basebackup", "pg_ctl"):
            if not (BIN / tool).exists():
                raise ReplicaUnavailable(f"{BIN / tool} is missing (PostgreSQL 15's server binaries)")
        try:
            primary = PRIMARY | {"dbname": "postgres"}
            primary_settings = {name: query(primary, f"SHOW {name}")[0] for name in MATCHED_SETTINGS}
        except psycopg.Error as error:
            raise ReplicaUnavailable(f"the primary on 127.0.0.1:5432 does not answer: {error}") from error
        self.directory = Path(tempfile.mkdtemp(prefix="beel-replica-"))
        shutil.chown(self.directory, "postgres", "postgres")
        backup = as_postgres(
            str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", "5432", "-U", "postgres",
            "-D", str(self.data), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        if backup.returncode != 0:
            self.remove()
            raise ReplicaUnavailable(
                "pg_basebackup failed (does pg_hba.conf allow `host replication all 127.0.0.1/32 trust`? .ci/run "
                f"adds it): {backup.stderr.strip()}"
            )
        # Debian keeps a cluster's configuration in /etc, so the copy has none: a minimal one of its own.
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (self.data / "pg_ident.conf").write_text("")
        settings = "".join(f"{name} = {value}\n" for name, value in primary_settings.items())
        (self.data / "postgresql.conf").write_text(settings + "hot_standby = on\n")
        for name in ("pg_hba.conf", "pg_ident.conf", "postgresql.conf"):
            shutil.chown(self.data / name, "postgres", "postgres")
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c hot_standby=on "
            f"-c unix_socket_directories={self.directory}"
        )
        started = as_postgres(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "replica.log"),
            "-o", options, "-w", "-t", str(START_TIMEOUT_SECONDS), "start",
        )  # fmt: skip
        if started.returncode != 0:
            raise ReplicaUnavailable(f"pg_ctl start failed: {started.stdout}{started.stderr}{self.log()}")
        self.wait_until_streaming()

    def stop(self) -> None:
        if self.directory is not None and (self.data / "postmaster.pid").exists():
            as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        self.stop()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def log(self) -> str:
        path = self.directory / "replica.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_until_streaming(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                if query(self.conninfo(), STREAMING)[0]:
                    return
            except psycopg.Error:
                pass
            time.sleep(0.1)
        raise ReplicaUnavailable(f"no streaming from the primary within {START_TIMEOUT_SECONDS}s:\n{self.log()}")

    def catch_up(self, timeout: float = 30) -> None:
        """Waits until the replica has replayed everything the primary has written so far."""
        target = query(PRIMARY | {"dbname": "postgres"}, "SELECT pg_current_wal_lsn()")[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if query(self.conninfo(), "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", str(target))[0]:
                return
            time.sleep(0.05)
        raise AssertionError(f"the replica did not replay up to {target} within {timeout}s")

    def pause_replay(self) -> None:
        query(self.conninfo(), "SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        query(self.conninfo(), "SELECT pg_wal_replay_resume()")
