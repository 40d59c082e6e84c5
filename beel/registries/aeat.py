"""AEAT's census, the VNifV2 web service: a hand-built SOAP 1.1 envelope (as gobl.tin does: no SOAP stack,
no WSDL download) posted over mutual TLS with the account holder's certificate, and its answer read by the
elements' local names (AEAT's prefixes vary). What each answer means: ../shared/spec/registries.md §1.

Without AEAT_CLIENT_CERT and AEAT_CLIENT_KEY the census is "not configured": every check is PENDING and no
connection is opened."""

import logging
import re
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings

from beel.clock import clock
from beel.registries import transport
from beel.registries.answer import NAME_REQUIRED, NOT_CONFIGURED, UNREACHABLE, Registry, RegistryAnswer, Status, pending

logger = logging.getLogger("beel.registries")

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
REQUEST_NS = (
    "http://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/burt/jdit/ws/"
    "VNifV2Ent.xsd"
)
# A natural person's NIF: a DNI (8 digits and a letter), a NIE (X, Y, Z) or a K/L/M NIF; AEAT matches NIF and
# name together for them, so they are never sent without a name.
NATURAL_PERSON_FIRST = frozenset("0123456789KLMXYZ")
# XML 1.0 refuses these characters whatever the escaping; AEAT answers a client fault to them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Normalised Resultado (upper case, no whitespace) -> status and the census state in BeeL's words.
RESULTS = {
    "IDENTIFICADO": (Status.VALID, "IDENTIFIED"),
    "NOIDENTIFICADO-SIMILAR": (Status.INVALID, "NOT_IDENTIFIED_SIMILAR"),
    "NOIDENTIFICADO": (Status.INVALID, "NOT_IDENTIFIED"),
    "IDENTIFICADO-BAJA": (Status.VALID, "DEREGISTERED"),
    "IDENTIFICADO-REVOCADO": (Status.VALID, "REVOKED"),
}
MESSAGES = {
    "IDENTIFIED": "AEAT's census identifies this NIF.",
    "NOT_IDENTIFIED_SIMILAR": "AEAT's census holds this NIF under a similar but different name.",
    "NOT_IDENTIFIED": "AEAT's census does not identify this NIF (or not under this name).",
    "DEREGISTERED": "AEAT's census identifies this NIF, deregistered (baja).",
    "REVOKED": "AEAT's census identifies this NIF, which AEAT has revoked.",
}


def is_natural_person(nif: str) -> bool:
    return nif[:1].upper() in NATURAL_PERSON_FIRST


def is_configured() -> bool:
    return bool(settings.AEAT_CLIENT_CERT and settings.AEAT_CLIENT_KEY)


def _text(value: str) -> str:
    escaped = _NOT_XML.sub("", value or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped


def envelope(pairs: list[tuple[str, str]]) -> bytes:
    """The VNifV2Ent request for these (nif, name) pairs, as registries.md §1 shows it, in UTF-8."""
    taxpayers = "".join(
        f"<vnif:Contribuyente><vnif:Nif>{_text(nif)}</vnif:Nif><vnif:Nombre>{_text(name)}</vnif:Nombre>"
        "</vnif:Contribuyente>"
        for nif, name in pairs
    )
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:vnif="{REQUEST_NS}">'
        f"<soapenv:Header/><soapenv:Body><vnif:VNifV2Ent>{taxpayers}</vnif:VNifV2Ent></soapenv:Body>"
        "</soapenv:Envelope>"
    ).encode()


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _child_text(element: Element, name: str) -> str:
    for child in element:
        if _local(child) == name:
            return (child.text or "").strip()
    return ""


def normalise_result(resultado: str) -> str:
    """'No identificado - similar' -> 'NOIDENTIFICADO-SIMILAR' (AEAT's spellings vary; gobl.tin's form)."""
    return "".join(resultado.upper().split())


def answer_for(resultado: str, nombre: str) -> RegistryAnswer:
    """One taxpayer's Resultado, mapped as registries.md §1's table says; the raw string is kept as the code."""
    checked_at = datetime.fromtimestamp(clock.now(), UTC)
    known = RESULTS.get(normalise_result(resultado))
    if known is None:
        # NO PROCESADO, NO IDENTIFICABLE, empty: not an answer (gobl.tin: a server error).
        return pending(Registry.AEAT, resultado, "AEAT's census did not process this NIF; it will be asked again.",
                       retryable=True)  # fmt: skip
    status, census_status = known
    # NOT_IDENTIFIED's Nombre is only an echo of the name sent, not a record.
    name = " ".join(nombre.split()) if census_status != "NOT_IDENTIFIED" else None
    return RegistryAnswer(
        status, Registry.AEAT, code=resultado, message=MESSAGES[census_status], name=name or None,
        checked_at=checked_at, census_status=census_status,
    )  # fmt: skip


def _fault(root: Element) -> RegistryAnswer | None:
    for element in root.iter():
        if _local(element) == "Fault":
            code, text = _child_text(element, "faultcode"), _child_text(element, "faultstring")
            if code.rpartition(":")[2].startswith("Client"):
                # AEAT found the request malformed: a bug or bad input that asking again will not fix.
                logger.error("AEAT refused a VNifV2 request as malformed: %s %s", code, text)
                return RegistryAnswer(
                    Status.ERROR, Registry.AEAT, code=code, message=f"AEAT refused the request: {text}"
                )
            return pending(Registry.AEAT, code or "Fault", f"AEAT's census failed: {text}", retryable=True)
    return None


def read(reply: transport.Reply, count: int) -> list[RegistryAnswer]:
    """The answers of a VNifV2 reply for `count` taxpayers, in order (all alike when there is none)."""
    try:
        root = ElementTree.fromstring(reply.body)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        root = None
    if root is not None and (fault := _fault(root)) is not None:
        return [fault] * count
    if reply.status != 200 or root is None:
        return [_http_failure(reply)] * count
    found = [element for element in root.iter() if _local(element) == "Contribuyente"]
    if len(found) != count:
        return [pending(Registry.AEAT, UNREACHABLE, "AEAT's answer had no result for this NIF.")] * count
    return [answer_for(_child_text(element, "Resultado"), _child_text(element, "Nombre")) for element in found]


def _http_failure(reply: transport.Reply) -> RegistryAnswer:
    if reply.status == 429:
        wait = transport.retry_after_seconds(reply.headers, 60.0)
        return pending(Registry.AEAT, "HTTP_429", "AEAT asks to slow down.", retryable=True, retry_after=wait)
    if reply.status == 403:
        logger.error("AEAT refused the client certificate (HTTP 403): check AEAT_CLIENT_CERT")
        return pending(Registry.AEAT, "HTTP_403", "AEAT refused the client certificate.")
    return pending(Registry.AEAT, f"HTTP_{reply.status}", "AEAT's census gave no usable answer.", retryable=True)


def query(pairs: list[tuple[str, str]]) -> list[RegistryAnswer]:
    """Ask the census about these (nif, name) pairs in one request. No network without a certificate, nor
    for a natural person without a name (AEAT needs both to identify one)."""
    if not is_configured():
        return [pending(Registry.AEAT, NOT_CONFIGURED, "AEAT's census is not configured.")] * len(pairs)
    answers: dict[int, RegistryAnswer] = {}
    asked = []
    for index, (nif, name) in enumerate(pairs):
        if is_natural_person(nif) and not (name or "").strip():
            answers[index] = RegistryAnswer(
                Status.ERROR, Registry.AEAT, code=NAME_REQUIRED, message="A natural person's NIF needs the name."
            )
        else:
            asked.append(index)
    if asked:
        for index, answer in zip(asked, _post([pairs[index] for index in asked]), strict=True):
            answers[index] = answer
    return [answers[index] for index in range(len(pairs))]


def _post(pairs: list[tuple[str, str]]) -> list[RegistryAnswer]:
    try:
        reply = transport.post(
            settings.AEAT_VNIF_URL,
            body=envelope(pairs),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            cert=(settings.AEAT_CLIENT_CERT, settings.AEAT_CLIENT_KEY),
            verify=settings.AEAT_CA_BUNDLE or None,
        )
    except transport.TransportFailure as error:
        logger.warning("AEAT's census unreachable: %s", error)
        # Not the registry's own "unavailable": no inline retry (each would cost a whole deadline again).
        return [pending(Registry.AEAT, UNREACHABLE, "AEAT's census could not be reached.")] * len(pairs)
    return read(reply, len(pairs))
