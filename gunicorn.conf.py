"""gunicorn settings, read from the environment; `uv run gunicorn` in this directory picks this file up.

Meant to sit behind a TLS-terminating proxy or load balancer (see docs/deploy.md, "Production").
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gunicorn import util as gunicorn_util
from gunicorn.http import wsgi as gunicorn_wsgi

wsgi_app = "beel.wsgi:application"

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
# The threaded worker, always: its main loop tells the master it is alive while its threads serve, so a
# request longer than `timeout` (a long CSV download, a slow upload) is not killed half-way; the sync worker
# only reports between requests, and the master kills it, cutting the download, at `timeout`. A long
# request holds one thread, not the worker: with two threads the worker goes on serving. Each thread holds
# its own database connection (instances x workers x threads at most). What bounds a request is then the
# database's statement timeout per query and the proxy's timeouts for slow clients (docs/deploy.md, "Limits").
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Each worker has its own database connection pool; a thread holds at most one connection at a time, so a
# pool larger than the worker's threads would only keep idle connections open. The workers inherit this.
os.environ.setdefault("DB_POOL_MAX_SIZE", str(threads))
# A worker whose main loop is silent for this long (stuck, not merely busy: see worker_class) is killed
# and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM a worker finishes the requests it holds for up to this long before it is killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Keep idle connections from the proxy open longer than the proxy keeps them, or it may reuse a socket
# gunicorn has just closed (a 502 at the proxy).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# What gunicorn reads of a request before the app sees it (the table in docs/deploy.md, "Limits").
# The request line: gunicorn's largest finite limit. Without a limit (0) gunicorn searches the whole buffer
# again after every read, so one 20 MB line kept a worker busy until it was killed. The app's own 414
# (MAX_QUERY_STRING_LENGTH, 7 KiB) leaves about 1 KiB for the method, the path and the version, so an
# overlong query up to this line gets the app's 414, and a longer line gunicorn's (also the envelope, below).
limit_request_line = 8190
# Headers: a browser sends about 15 and an API client fewer; 50 leaves room for what proxies add. 8190
# bytes each (gunicorn's default) fits any cookie or Authorization the service issues. Past either, 431.
limit_request_fields = 50
limit_request_field_size = 8190

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


def _write_error_in_the_envelope(sock, status_int, reason, mesg):
    """gunicorn answers what it cannot parse (a bad or overlong request line, too many or too large headers,
    a bad chunk) itself, before Django, with an HTML page: written instead as the API's envelope. Imported
    here, in the worker, where Django is set up; the master never calls this."""
    from beel.api.server_errors import refusal_bytes

    gunicorn_util.write_nonblock(sock, refusal_bytes(status_int, mesg))


gunicorn_util.write_error = _write_error_in_the_envelope


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
