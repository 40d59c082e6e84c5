"""HTTP to the registries with requests: a connect timeout and a deadline for the whole call (requests'
own read timeout bounds each wait for bytes, not the call: a server trickling its answer would hold the
caller for ever), one connection pool per thread (requests' Session is not documented as thread-safe, and
check_many calls from a pool of threads), and TLS verification always on."""

import threading
import time
from dataclasses import dataclass

import requests
from django.conf import settings

USER_AGENT = "beel-tax-id-check/1.0 (+https://beel.es)"
MAX_BODY = 2 * 1024 * 1024

_local = threading.local()


class TransportFailure(Exception):
    """No answer: connection or TLS failure, timeout, deadline passed, or a body too large."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict
    body: bytes


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
    return session


def post(url: str, *, body: bytes, headers: dict, cert=None, verify=None) -> Reply:
    """POST and read the whole answer within settings.TAX_ID_DEADLINE_SECONDS (connect within
    TAX_ID_CONNECT_TIMEOUT_SECONDS). `verify` is a CA bundle path; None trusts certifi's public roots."""
    deadline = float(settings.TAX_ID_DEADLINE_SECONDS)
    connect = min(float(settings.TAX_ID_CONNECT_TIMEOUT_SECONDS), deadline)
    started = time.monotonic()
    try:
        response = _session().post(
            url,
            data=body,
            headers=headers,
            cert=cert,
            verify=verify or True,  # True: requests' own bundle, certifi's public roots
            timeout=(connect, deadline),
            stream=True,
            allow_redirects=False,
        )
        with response:
            chunks, size = [], 0
            # read1: what one wait on the socket brings (iter_content would wait for a whole chunk), so the
            # deadline is checked as the bytes come: a call ends at most one read timeout past it.
            while chunk := response.raw.read1(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > MAX_BODY:
                    raise TransportFailure("answer too large")
                if time.monotonic() - started > deadline:
                    raise TransportFailure(f"no complete answer within {deadline:g} s")
                chunks.append(chunk)
            return Reply(response.status_code, dict(response.headers), b"".join(chunks))
    except TransportFailure:
        raise
    # requests' errors, and while reading the body urllib3's, ssl's and the socket's (urllib3 is requests'
    # dependency, not ours to import): any of them means no answer.
    except Exception as error:
        raise TransportFailure(f"{type(error).__name__}: {error}") from error


def retry_after_seconds(headers: dict, default: float | None = None) -> float | None:
    value = {key.lower(): val for key, val in headers.items()}.get("retry-after")
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default
