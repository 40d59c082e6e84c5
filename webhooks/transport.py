"""One webhook request: a POST to an address checked beforehand (webhooks.security), within a deadline for
the whole exchange, reading at most ANSWER_READ_LIMIT bytes of the answer.

Not requests, whose timeout bounds each wait for bytes rather than the exchange (a receiver sending a byte
every few seconds held an attempt for minutes, past its lease, and the delivery was sent twice at once),
which reads the whole body (300 MB cost a worker 709 MB) and which resolves the name again itself (the
address checked is then not necessarily the one reached: DNS rebinding). With http.client each is decided
here: the socket is connected to the checked address while the Host header, the TLS SNI and the certificate
check use the hostname, and every connect, send and read waits only for what is left of the deadline."""

import functools
import http.client
import io
import socket
import ssl
import time
from dataclasses import dataclass

from requests.certs import where as public_roots

from webhooks.security import Address, CheckedURL

# The answer's body is not kept (an attempt records its status); what is read of it lets a receiver that
# answers with a short body finish the exchange, and no more.
ANSWER_READ_LIMIT = 64 * 1024
_SEND_CHUNK = 16 * 1024


class DeadlinePassed(Exception):
    pass


class TransportFailure(Exception):
    """No usable answer: connection refused or reset, TLS failure, a malformed answer."""


@dataclass(frozen=True)
class Deadline:
    at: float  # on time.monotonic(): socket waits are real time, whatever clock the tests hold

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise DeadlinePassed()
        return left


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # its first ANSWER_READ_LIMIT bytes at most


class _DeadlineReader(io.RawIOBase):
    """The socket as the answer's parser reads it: each read waits for what is left of the deadline, so a
    status line, headers or body trickled a byte at a time end when the deadline does. Over the socket's
    own file object, which keeps the socket open until the answer is read (http.client closes the
    connection as soon as the headers say it will not be reused)."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock, self._raw, self._deadline = sock, sock.makefile("rb", buffering=0), deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(self._deadline.remaining())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock, self._deadline = sock, deadline

    def makefile(self, mode: str):
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock, *, deadline: Deadline, **kwargs) -> None:
        super().__init__(_DeadlineSocket(sock, deadline), **kwargs)


class _PinnedConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: Address, deadline: Deadline) -> None:
        super().__init__(host, port)
        self.address, self.deadline = address, deadline
        self.response_class = functools.partial(_DeadlineResponse, deadline=deadline)

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self.address), self.port), timeout=self.deadline.remaining())
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, data) -> None:
        # sendall's timeout bounds one call: sent in pieces, a receiver reading slowly meets the deadline.
        view = memoryview(data).cast("B")
        for start in range(0, len(view), _SEND_CHUNK):
            self.sock.settimeout(self.deadline.remaining())
            self.sock.sendall(view[start : start + _SEND_CHUNK])


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # The public roots requests trusted before (certifi's), with hostname checking on.
    return ssl.create_default_context(cafile=public_roots())


class _PinnedTLSConnection(_PinnedConnection):
    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        # One handshake is one operation for ssl: its timeout is a deadline for the whole handshake.
        self.sock.settimeout(self.deadline.remaining())
        self.sock = _tls_context().wrap_socket(self.sock, server_hostname=self.host)


def post(url: CheckedURL, *, body: bytes, headers: dict[str, str], deadline: Deadline) -> Answer:
    """POST `body` to the first of the checked addresses that takes the connection; DeadlinePassed when the
    whole exchange (connect, TLS, send, status, headers, body up to the limit) does not fit in `deadline`."""
    connection_class = _PinnedTLSConnection if url.scheme == "https" else _PinnedConnection
    failure: Exception | None = None
    for address in url.addresses:
        connection = connection_class(url.host, url.port, address=address, deadline=deadline)
        try:
            try:
                connection.connect()
            except ssl.SSLError:
                raise
            except OSError as refused:
                failure = refused  # the next checked address may answer
                continue
            connection.request("POST", url.target, body=body, headers={**headers, "Connection": "close"})
            with connection.getresponse() as response:  # closing it releases the socket
                return Answer(status=response.status, body=response.read(ANSWER_READ_LIMIT))
        except TimeoutError:
            raise DeadlinePassed() from None  # each wait was given what was left of the deadline
        except (OSError, http.client.HTTPException) as error:
            raise TransportFailure(f"{type(error).__name__}: {error}") from error
        finally:
            connection.close()
    if isinstance(failure, TimeoutError):
        raise DeadlinePassed()
    raise TransportFailure(f"{type(failure).__name__}: {failure}") from failure
