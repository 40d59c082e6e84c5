"""The address of the client that sent a request, as far as the service can trust it.

Behind TRUSTED_PROXY_COUNT proxies, each proxy appends the address it received the request from to
X-Forwarded-For, so the client is the TRUSTED_PROXY_COUNT-th entry from the right; anything further
left was written by the client and may be forged. With no trusted proxy the header is ignored and the
client is the peer of the TCP connection (REMOTE_ADDR)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _normalised(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's IP address (e.g. for logs and per-client limits); never empty."""
    peer = request.META.get("REMOTE_ADDR") or "unknown"
    trusted_proxies = settings.TRUSTED_PROXY_COUNT
    if not trusted_proxies:
        return peer
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < trusted_proxies:
        # Fewer entries than proxies: the chain is not the one configured; the header proves nothing.
        return peer
    return _normalised(forwarded[-trusted_proxies]) or peer


def client_ip_or_none(request: HttpRequest) -> str | None:
    """`client_address` where only an IP address will do (django-axes stores it in an inet column): None for
    a request without one, such as the test client's `login()`."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address
