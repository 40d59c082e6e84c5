"""gunicorn settings, read from the environment; `uv run gunicorn` in this directory picks this file up.

Meant to sit behind a TLS-terminating proxy or load balancer (see docs/deploy.md, "Production").
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gunicorn.http import wsgi as gunicorn_wsgi

wsgi_app = "beel.wsgi:application"

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
# More than one thread turns on the threaded worker; each thread holds its own database connection.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Each worker has its own database connection pool; a thread holds at most one connection at a time, so a
# pool larger than the worker's threads would only keep idle connections open. The workers inherit this.
os.environ.setdefault("DB_POOL_MAX_SIZE", str(threads))
# A worker silent for this long is killed and replaced; the database's statement timeout
# (DB_STATEMENT_TIMEOUT_MS) should end a slow request well before.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM a worker finishes the requests it holds for up to this long before it is killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Keep idle connections from the proxy open longer than the proxy keeps them, or it may reuse a socket
# gunicorn has just closed (a 502 at the proxy). Only the threaded worker keeps connections open at all.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# gunicorn caps a finite request-line limit at 8190 bytes, below a path plus the 8 KiB query string the
# app accepts: 0 lets every request reach the app, whose own check answers 414 URI_TOO_LONG in the
# envelope. The proxy in front still bounds the line (e.g. nginx's large_client_header_buffers).
limit_request_line = 0

# The app writes one access line per API request (beel.access: request id, key prefix, client address);
# gunicorn's would repeat it without them. Its own errors still go to stderr.
accesslog = None
errorlog = "-"

# Django alone decides what a proxy may assert (TRUSTED_PROXY_COUNT): gunicorn must not mark a request
# https on its own because of a header.
forwarded_allow_ips = ""
secure_scheme_headers = {}

_gunicorn_default_headers = gunicorn_wsgi.Response.default_headers


def _default_headers_without_server_banner(response):
    """No `Server: gunicorn`: the name and version of the server help only whoever probes for a weakness."""
    return [header for header in _gunicorn_default_headers(response) if not header.lower().startswith("server:")]


gunicorn_wsgi.Response.default_headers = _default_headers_without_server_banner


def on_starting(server):
    refuse_a_wrong_configuration()
    prepare_metrics_directory(server)


def refuse_a_wrong_configuration():
    """The deploy checks, before any worker starts: a configuration `check --deploy` calls an error (e.g.
    per-process rate-limit counters with DEBUG off) does not get served. Run in a child process so the
    master imports no Django (and no database connection is inherited by the workers)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=Path(__file__).resolve().parent,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit("gunicorn: refusing to start, `manage.py check --deploy` failed (above).")


def prepare_metrics_directory(server):
    """Prometheus multiprocess mode: every worker writes its metrics to files in one directory, which a
    scrape adds up. The directory must be empty when the server starts, or a previous run's counts
    would be added to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
    else:
        directory = tempfile.mkdtemp(prefix="beel-metrics-")
        server._beel_metrics_directory = directory
        # Set before any worker is forked, so each imports prometheus_client in multiprocess mode.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    directory = getattr(server, "_beel_metrics_directory", None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
