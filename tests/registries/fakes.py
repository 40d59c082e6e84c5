"""Fake registries that speak the real protocols on local ports, answering from a table: a VNifV2 SOAP
server over TLS that requires a client certificate signed by a test CA (made here with trustme, as AEAT
requires the account holder's certificate), and a VIES REST server. Each binds port 0, serves from a
daemon thread and is shut down by its fixture, so xdist workers never share or leak one.

A table entry is what the server does for a NIF (or VAT number); a list of entries is played in order, one
per request, the last one repeating (a registry that comes back after failing)."""

import contextlib
import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme

AEAT_PATH = "/wlpl/BURT-JDIT/ws/VNifV2SOAP"
VIES_BASE = "/taxation_customs/vies/rest-api"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SAL = (
    "http://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/burt/jdit/ws/"
    "VNifV2Sal.xsd"
)


def fault(code: str, text: str) -> str:
    return (
        f'<env:Envelope xmlns:env="{SOAP}"><env:Body><env:Fault><faultcode>{code}</faultcode>'
        f"<faultstring>{text}</faultstring></env:Fault></env:Body></env:Envelope>"
    )


def answer_envelope(rows: list[tuple[str, str, str]]) -> str:
    taxpayers = "".join(
        f"<VNifV2Sal:Contribuyente><VNifV2Sal:Nif>{nif}</VNifV2Sal:Nif><VNifV2Sal:Nombre>{name}</VNifV2Sal:Nombre>"
        f"<VNifV2Sal:Resultado>{result}</VNifV2Sal:Resultado></VNifV2Sal:Contribuyente>"
        for nif, name, result in rows
    )
    return (
        f'<env:Envelope xmlns:env="{SOAP}"><env:Body><VNifV2Sal:VNifV2Sal xmlns:VNifV2Sal="{SAL}">{taxpayers}'
        "</VNifV2Sal:VNifV2Sal></env:Body></env:Envelope>"
    )


@dataclass
class Seen:
    path: str
    headers: dict
    body: bytes
    at: float


@dataclass
class FakeServer:
    """What both fakes share: the table, the requests seen, an optional delay per answer."""

    table: dict = field(default_factory=dict)
    delay: float = 0.0
    seen: list[Seen] = field(default_factory=list)
    handshake_failures: list[str] = field(default_factory=list)
    # Set once a handshake was refused: the client may see its connection fail before the server's thread has
    # recorded why, so a test waits for it rather than reading the list at once.
    handshake_refused: threading.Event = field(default_factory=threading.Event)

    def wait_for_a_refused_handshake(self, timeout: float = 10.0) -> list[str]:
        self.handshake_refused.wait(timeout)
        return self.handshake_failures

    def play(self, key: str, default):
        entry = self.table.get(key, default)
        if isinstance(entry, list):
            return entry.pop(0) if len(entry) > 1 else entry[0]
        return entry

    def start(self, handler, context: ssl.SSLContext | None = None) -> None:
        fake = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def finish_request(self, request, client_address):
                if context is None:
                    return super().finish_request(request, client_address)
                try:
                    request = context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError) as error:
                    fake.handshake_failures.append(str(error))
                    fake.handshake_refused.set()
                    return None
                try:
                    return super().finish_request(request, client_address)
                finally:
                    request.close()

        self.server = Server(("127.0.0.1", 0), handler)
        self.server.fake = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _read(self) -> bytes:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake = self.server.fake
        fake.seen.append(Seen(self.path, dict(self.headers), body, time.monotonic()))
        if fake.delay:
            time.sleep(fake.delay)
        return body

    def _send(self, status: int, body: str, content_type: str, headers: dict | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (its deadline): nothing to answer
            self.wfile.write(data)


class AeatHandler(_Handler):
    """VNifV2: one Resultado per Contribuyente. Table entries: a Resultado string (with the AEAT name
    `Nombre` = the name sent in upper case, or a (Resultado, Nombre) pair), or one of "fault-server",
    "fault-server-200", "fault-client", "http-403", "http-429", "not-xml", ("slow", seconds), ("trickle", gap)."""

    def do_POST(self):
        body = self._read().decode("utf-8")
        if self.path != AEAT_PATH:
            return self._send(404, "not here", "text/plain")
        pairs = re.findall(r"<vnif:Nif>(.*?)</vnif:Nif><vnif:Nombre>(.*?)</vnif:Nombre>", body)
        rows = []
        for nif, name in pairs:
            entry = self.server.fake.play(nif, "IDENTIFICADO")
            if isinstance(entry, tuple) and entry[0] == "slow":
                time.sleep(entry[1])
                entry = "IDENTIFICADO"
            if isinstance(entry, tuple) and entry[0] == "trickle":
                return self._trickle(answer_envelope([(nif, name.upper(), "IDENTIFICADO")]), entry[1])
            special = self._special(entry)
            if special:
                return special
            result, registered = entry if isinstance(entry, tuple) else (entry, name.upper())
            rows.append((nif, registered, result))
        return self._send(200, answer_envelope(rows), "text/xml; charset=utf-8")

    def _trickle(self, body: str, gap: float) -> None:
        """The answer a few bytes at a time, `gap` seconds apart: each wait shorter than a read timeout, the
        whole far longer than the deadline."""
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):
            for start in range(0, len(data), 16):
                self.wfile.write(data[start : start + 16])
                self.wfile.flush()
                time.sleep(gap)

    def _special(self, entry):
        if entry == "fault-server":
            return self._send(500, fault("env:Server", "Error interno"), "text/xml") or True
        if entry == "fault-server-200":
            return self._send(200, fault("env:Server", "Error interno"), "text/xml") or True
        if entry == "fault-client":
            return self._send(500, fault("env:Client", "Unexpected start tag"), "text/xml") or True
        if entry == "http-403":
            return self._send(403, "<html>Forbidden</html>", "text/html") or True
        if entry == "http-429":
            return self._send(429, "", "text/plain", {"Retry-After": "60"}) or True
        if entry == "not-xml":
            return self._send(200, "<html>maintenance", "text/html") or True
        return None


class ViesHandler(_Handler):
    """check-vat-number. Table entries: "valid", "masked" (a member state that discloses no details),
    "invalid", a failure code in `userError` (shape 1, e.g. "MS_UNAVAILABLE", "INVALID_INPUT"),
    ("wrapped", code, status) for the CommonResponse shape, "http-429", "not-json", ("slow", seconds)."""

    def do_POST(self):
        request = json.loads(self._read() or b"{}")
        if self.path != f"{VIES_BASE}/check-vat-number":
            return self._send(404, "{}", "application/json")
        entry = self.server.fake.play(request.get("vatNumber", ""), "valid")
        if isinstance(entry, tuple) and entry[0] == "slow":
            time.sleep(entry[1])
            entry = "valid"
        if isinstance(entry, tuple) and entry[0] == "wrapped":
            wrapped = {"actionSucceed": False, "errorWrappers": [{"error": entry[1], "message": "busy"}]}
            return self._send(entry[2], json.dumps(wrapped), "application/json")
        if entry == "http-429":
            return self._send(429, "{}", "application/json", {"Retry-After": "30"})
        if entry == "not-json":
            return self._send(200, "<html>edge</html>", "text/html")
        return self._send(200, json.dumps(self._answer(request, entry)), "application/json")

    @staticmethod
    def _answer(request: dict, entry: str) -> dict:
        answer = {
            "countryCode": request.get("countryCode"),
            "vatNumber": request.get("vatNumber"),
            "requestDate": "2026-12-01T10:15:30.123Z",
            "valid": entry in ("valid", "masked"),
            "requestIdentifier": "WAPIAAAAZ0123456" if request.get("requesterNumber") else "",
            "name": "EXEMPLE SARL" if entry == "valid" else "---",
            "address": "1 RUE EXEMPLE\n75002 PARIS" if entry == "valid" else "---",
        }
        if entry not in ("valid", "masked", "invalid"):
            answer["userError"] = entry
        elif entry == "invalid":
            answer["userError"] = "INVALID"
        return answer


@dataclass
class Certificates:
    ca: str
    client_cert: str
    client_key: str
    stranger_cert: str  # signed by another CA: AEAT would refuse it
    stranger_key: str


class FakeAeat(FakeServer):
    def start_tls(self, directory: Path) -> Certificates:
        ca, stranger_ca = trustme.CA(), trustme.CA()
        server = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server.configure_cert(context)
        ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
        client, stranger = ca.issue_cert("titular@beel.test"), stranger_ca.issue_cert("otro@beel.test")
        pems = {
            "ca": ca.cert_pem,
            "client_cert": client.cert_chain_pems[0],
            "client_key": client.private_key_pem,
            "stranger_cert": stranger.cert_chain_pems[0],
            "stranger_key": stranger.private_key_pem,
        }
        files = {}
        for name, pem in pems.items():
            files[name] = str(directory / f"{name}.pem")
            pem.write_to_path(files[name])
        self.start(AeatHandler, context)
        return Certificates(**files)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}{AEAT_PATH}"

    def asked(self) -> list[str]:
        """The NIFs of every request received, in order."""
        return [nif for seen in self.seen for nif in re.findall(r"<vnif:Nif>(.*?)</vnif:Nif>", seen.body.decode())]


class FakeVies(FakeServer):
    def start_plain(self) -> None:
        self.start(ViesHandler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{VIES_BASE}"

    def requests(self) -> list[dict]:
        return [json.loads(seen.body) for seen in self.seen]
