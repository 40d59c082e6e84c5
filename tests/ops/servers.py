"""Real gunicorn servers for the tests that need several processes: started as operators start them
(`gunicorn` in the project directory, reading gunicorn.conf.py), talked to over HTTP, always stopped."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 180  # a busy CI machine takes over a minute to import and check Django
STOP_TIMEOUT_SECONDS = 30


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        import json

        return json.loads(self.body)


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{credentials}{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


def direct_connection(settings_dict: dict, dbname: str, **options) -> psycopg.Connection:
    """A connection of the test's own, straight to PostgreSQL (not through the app's settings or a pooler), as
    an operator's psql or another client would have; autocommit unless told otherwise."""
    return psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=dbname,
        **{"autocommit": True, **options},
    )


# A lone instance's production settings, without Redis (its rate limits, set out of the way, are its own).
ONE_INSTANCE = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-secret-for-the-single-instance-tests-0123456789-abcdefghijklmnopq",
    "ALLOWED_HOSTS": "127.0.0.1",
    "TRUSTED_PROXY_COUNT": "1",
    "ACCEPT_PER_PROCESS_RATE_LIMITS": "true",
    "RATE_LIMIT_PER_RESOURCE": "100000/hour",
    "RATE_LIMIT_GLOBAL": "100000/hour",
}


@contextmanager
def one_instance(env: dict[str, str], log_directory: Path) -> Iterator["Gunicorn"]:
    """One gunicorn instance with ONE_INSTANCE's settings and these, on a free port, stopped afterwards."""
    server = Gunicorn(port=free_port(), env={**ONE_INSTANCE, **env}, log_path=log_directory / "gunicorn.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Gunicorn:
    def __init__(self, *, port: int, env: dict[str, str], log_path: Path):
        self.port = port
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        assert port_is_free(self.port), f"port {self.port} is taken: another server was left running"
        environment = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
        environment.update(self.env, GUNICORN_BIND=f"127.0.0.1:{self.port}")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn"],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn did not answer /healthz within {START_TIMEOUT_SECONDS}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, body: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()
