"""`BeeL-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the scheme Stripe uses: the
timestamp is signed with the body so a captured request cannot be replayed later (receivers reject
timestamps older than a few minutes). While a rotated secret's overlap lasts, the header carries one `v1`
per secret, the newest first (`t=...,v1=<new>,v1=<old>`, as Stripe's): a receiver accepts the request if
any `v1` matches the secret it holds."""

import hashlib
import hmac
from collections.abc import Sequence

from beel.clock import clock

SIGNATURE_HEADER = "BeeL-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets: str | Sequence[str], body: bytes, *, timestamp: int | None = None) -> str:
    timestamp = int(clock.now()) if timestamp is None else timestamp
    secrets = [secrets] if isinstance(secrets, str) else secrets
    return ",".join([f"t={timestamp}", *(f"v1={signature(secret, timestamp, body)}" for secret in secrets)])


def verify(
    secret: str, header: str, body: bytes, *, now: int | None = None, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """What a receiver does (docs/sync.md shows the same in a few lines): any `v1` may be the one signed
    with its secret."""
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for name, value in parts if name == "t"]
    try:
        timestamp = int(timestamps[0])
    except (IndexError, ValueError):
        return False
    now = int(clock.now()) if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(value, expected) for name, value in parts if name == "v1")
