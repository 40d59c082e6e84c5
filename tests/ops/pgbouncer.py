"""A real PgBouncer (Debian's /usr/sbin/pgbouncer) in transaction pooling mode in front of the test
PostgreSQL, for the tests that prove the service works through one (docs/deploy.md, "PgBouncer").

It runs in a directory of its own with trust authentication, on a free port; it refuses to run as root, so
as root it runs as the `postgres` user. Where it cannot start the tests skip, saying why, unless
BEEL_PGBOUNCER_TESTS=required (.ci/run sets it), where that is a failure (the `pgbouncer` fixture in
tests/ops/conftest.py). bench/run.py starts one the same way."""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.ops.servers import free_port

PGBOUNCER = "/usr/sbin/pgbouncer"
START_TIMEOUT_SECONDS = 20
CONFIGURATION = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/userlist.txt
admin_users = {user}
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
"""


class PgBouncerUnavailable(Exception):
    pass


def unavailable(reason: str):
    raise PgBouncerUnavailable(reason)


def skip_or_fail(reason: str):
    if os.environ.get("BEEL_PGBOUNCER_TESTS") == "required":
        pytest.fail(f"PgBouncer is required (BEEL_PGBOUNCER_TESTS=required) but {reason}")
    pytest.skip(f"PgBouncer tests skipped: {reason} (BEEL_PGBOUNCER_TESTS=required makes this a failure)")


class PgBouncer:
    def __init__(self, *, host: str, port: int, user: str):
        self.server = (host, port)
        self.user = user
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="beel-pgbouncer-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if not Path(PGBOUNCER).exists():
            unavailable(f"{PGBOUNCER} is not installed (apt-get install pgbouncer)")
        command = [PGBOUNCER, str(self.directory / "pgbouncer.ini")]
        if os.geteuid() == 0:
            # PgBouncer will not run as root.
            try:
                runner = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("it refuses to run as root and there is no `postgres` user to run it as")
            command = ["runuser", "-u", "postgres", "--", *command]
            os.chown(self.directory, runner.pw_uid, runner.pw_gid)
        (self.directory / "userlist.txt").write_text(f'"{self.user}" ""\n')
        (self.directory / "pgbouncer.ini").write_text(
            CONFIGURATION.format(
                host=self.server[0],
                port=self.server[1],
                listen_port=self.port,
                directory=self.directory,
                user=self.user,
            )
        )
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                unavailable(f"it exited with {self.process.returncode}: {self.log()[-2000:]}")
            try:
                self.admin("SHOW VERSION")
                return
            except psycopg.OperationalError:
                time.sleep(0.1)
        self.stop()
        unavailable(f"it did not answer within {START_TIMEOUT_SECONDS} s: {self.log()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        path = self.directory / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, command: str) -> list[dict]:
        """A command of PgBouncer's console (SHOW STATS, PAUSE, RESUME, ...), its rows by column name."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="pgbouncer", autocommit=True, connect_timeout=2
        ) as console:
            cursor = console.cursor(row_factory=dict_row)
            cursor.execute(command, prepare=False)
            return cursor.fetchall() if cursor.description else []
