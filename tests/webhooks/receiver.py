"""A real HTTP server on an ephemeral local port that records what webhooks send it and answers as a test
scripts it: a status code, a number of seconds to stall before answering 200, or a function that writes the
answer itself (a trickle, an endless body). Over TLS when given a server context."""

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """`script`: what to answer to the 1st, 2nd, ... request (int: that status; float: stall that many
    seconds, then 200; a function of the request handler and `released`: it writes the answer); once it
    runs out, 200."""

    script: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer_for(self, index: int):
        return self.script[index] if index < len(self.script) else 200

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        """Bounded polling: the first `count` requests, or an assertion error after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} webhook requests within {timeout} s, got {len(self.received)}")


def start_receiver(script=None, tls=None) -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver(script=list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                index = len(receiver.received)
                receiver.received.append(Received(headers=dict(self.headers.items()), body=body))
            answer = receiver.answer_for(index)
            if callable(answer):
                with contextlib.suppress(OSError):
                    answer(self, receiver.released)
                return
            if isinstance(answer, float):
                receiver.released.wait(answer)  # stalls; set at teardown so no thread outlives the test
                answer = 200
            # OSError: the sender gave up waiting (a timeout test), or was killed.
            with contextlib.suppress(OSError):
                self.send_response(answer)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    receiver.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/hooks/beel"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


def stop_receiver(receiver: Receiver, server: ThreadingHTTPServer) -> None:
    receiver.released.set()
    server.shutdown()
    server.server_close()
