"""Where webhooks may be sent. Live-mode endpoints must be https and resolve only to globally routable
addresses, so an endpoint cannot make the service call its own network (server-side request forgery);
test-mode endpoints may use http, and with WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS also localhost or private
networks, for development (the test suite's local receivers rely on it; live mode never does).

Checked when an endpoint is saved and again before every delivery, since DNS can change; a delivery then
connects to one of the addresses it checked (webhooks.transport), never resolving the name a second time:
a name that answers a public address to the check and 127.0.0.1 to the connection (DNS rebinding) would
otherwise reach the service's own network."""

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from beel.tenancy import Mode

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IANA's special-purpose registries, the blocks not globally reachable that `is_global` of older Pythons
# (3.12.1: 192.0.0.8, fec0::/10, 2002::/16 count as global) still lets through. IPv6 outside 2000::/3
# (global unicast) is refused whole, which covers site-local fec0::/10, ULA, link-local and multicast.
_NOT_GLOBAL = [
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/3",  # multicast, reserved, broadcast
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
    )
]
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURL(ValueError):
    pass


@dataclass(frozen=True)
class CheckedURL:
    """A URL allowed to receive webhooks and the addresses its host resolved to when it was checked: the
    request goes to one of these, with `host` in the Host header, the TLS SNI and the certificate check."""

    scheme: str
    host: str
    port: int
    target: str  # path and query, as the request line carries them
    addresses: tuple[Address, ...]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 transition form leads to (IPv4-mapped, NAT64, 6to4, Teredo's server and
    client), or None for a native IPv6 address."""
    if address.ipv4_mapped:
        return [address.ipv4_mapped]
    if address in _NAT64:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address in _SIX_TO_FOUR:
        return [address.sixtofour]
    if address in _TEREDO:
        return list(address.teredo)
    return None


def is_public(address: Address) -> bool:
    """Globally routable, and so is every IPv4 address it embeds (`[2002:7f00:1::]` is 127.0.0.1 by 6to4).
    The NAT64 local-use prefix 64:ff9b:1::/48 embeds nothing it can be checked by: refused with the rest
    of IPv6 outside 2000::/3."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return all(is_public(inner) for inner in embedded)
        if address not in _GLOBAL_UNICAST:
            return False
    return address.is_global and not address.is_multicast and not any(address in block for block in _NOT_GLOBAL)


def resolve(host: str, port: int, *, timeout: float) -> tuple[Address, ...]:
    """The addresses of `host`, within `timeout` seconds: getaddrinfo cannot be interrupted, so it runs in a
    thread of its own that is left to finish on its own when a name server does not answer (a name whose
    server never answers must not hold a delivery past its deadline)."""
    found: dict[str, object] = {}

    def lookup() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as error:
            found["error"] = error

    thread = threading.Thread(target=lookup, name="webhook-resolve", daemon=True)
    thread.start()
    thread.join(timeout)
    if "infos" not in found:
        reason = "cannot be resolved" if "error" in found else f"was not resolved within {timeout:g} s"
        raise UnsafeURL(f"{host} {reason}.")
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found["infos"]]
    return tuple(dict.fromkeys(addresses))


def check_url(url: str, *, mode: str, timeout: float | None = None) -> CheckedURL:
    """The URL and the addresses it may be sent to, or UnsafeURL saying why `url` may not receive webhooks of
    `mode`. Every address the name resolves to must be public: one private answer among public ones could be
    the one a client picks."""
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
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout
    addresses = resolve(parts.hostname, port, timeout=timeout)
    if live or not settings.WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS:
        for address in addresses:
            if not is_public(address):
                raise UnsafeURL(
                    f"{parts.hostname} resolves to {address}, which is not a globally routable address "
                    "(loopback, private, link-local, reserved, or one of those inside an IPv6 transition "
                    "address); webhooks are only sent to public addresses."
                )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return CheckedURL(scheme=parts.scheme, host=parts.hostname, port=port, target=target, addresses=addresses)
