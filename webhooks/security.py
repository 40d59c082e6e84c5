"""Where webhooks may be sent. Live-mode endpoints must be https and resolve only to public addresses, so
an endpoint cannot make the service call its own network (server-side request forgery); test-mode
endpoints may use http, and with WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS also localhost or private networks,
for development. Checked when an endpoint is saved and again before every delivery, since DNS can change."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from beel.tenancy import Mode


class UnsafeURL(ValueError):
    pass


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved)


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"{host} cannot be resolved.") from None
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def check_url(url: str, *, mode: str) -> None:
    """Raises UnsafeURL saying why `url` may not receive webhooks of `mode`."""
    parts = urlsplit(url)
    live = mode == Mode.LIVE
    if parts.scheme not in ("https", "http") or (live and parts.scheme != "https"):
        raise UnsafeURL("Live-mode endpoints must use https." if live else "The URL must use http or https.")
    if not parts.hostname:
        raise UnsafeURL("The URL has no host.")
    if parts.username or parts.password:
        raise UnsafeURL("The URL must not carry credentials.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("The URL has an invalid port.") from None
    if not live and settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS:
        return
    for address in resolve(parts.hostname, port):
        if not _is_public(address):
            raise UnsafeURL(
                f"{parts.hostname} resolves to {address}, a loopback, private or link-local address; "
                "webhooks are only sent to public addresses."
            )
