"""VIES's REST API (the Commission's "Vies on-the-Web Endpoint"): `POST {VIES_URL}/check-vat-number`, with the
requester when VIES_REQUESTER_VAT is set so that VIES returns a consultation number (`requestIdentifier`),
kept as proof of the check. Failures come in three shapes whose HTTP status does not tell them apart; what
each means: ../shared/spec/registries.md §2."""

import json
import logging
from datetime import UTC, datetime

from django.conf import settings

from beel.clock import clock
from beel.registries import transport
from beel.registries.answer import UNREACHABLE, Registry, RegistryAnswer, Status, pending

logger = logging.getLogger("beel.registries")

# The member state or VIES is down: says nothing about the number; asked again with backoff.
UNAVAILABLE = frozenset({"MS_UNAVAILABLE", "TIMEOUT", "SERVICE_UNAVAILABLE"})
# VIES's own rate limits: asked again after about a minute (gobl.tin waits 60 s).
BUSY = frozenset(
    {
        "MS_MAX_CONCURRENT_REQ",
        "MS_MAX_CONCURRENT_REQ_TIME",
        "GLOBAL_MAX_CONCURRENT_REQ",
        "GLOBAL_MAX_CONCURRENT_REQ_TIME",
    }
)
BUSY_WAIT_SECONDS = 60.0
# Problems of this service's setup, not of the number: PENDING, and said loudly in the log.
MISCONFIGURED = frozenset({"INVALID_REQUESTER_INFO", "VAT_BLOCKED", "IP_BLOCKED"})
MASKED = "---"


def url() -> str:
    # Joined as text: urljoin(base, "/check-vat-number") would drop the base's /taxation_customs/... path.
    return settings.VIES_URL.rstrip("/") + "/check-vat-number"


def split_vat(vat: str) -> tuple[str, str]:
    """'ESA12345674' -> ('ES', 'A12345674'); Greece is EL in VIES."""
    compact = "".join(vat.split()).upper()
    country = "EL" if compact[:2] == "GR" else compact[:2]
    return country, compact[2:]


def request_body(country: str, number: str) -> dict:
    country = "EL" if country.upper() == "GR" else country.upper()
    number = "".join(number.split()).upper()
    if number.startswith(country) or (country == "EL" and number.startswith("GR")):
        number = number[2:]
    body = {"countryCode": country, "vatNumber": number}
    if settings.VIES_REQUESTER_VAT:
        body["requesterMemberStateCode"], body["requesterNumber"] = split_vat(settings.VIES_REQUESTER_VAT)
    return body


def _when(value) -> datetime:
    """VIES's requestDate, read leniently (full timestamps and dates with an offset both occur); the clock's
    time when it does not parse."""
    if isinstance(value, str) and value:
        text = value.replace("Z", "+00:00")
        for candidate in (text, text[:10]):
            try:
                parsed = datetime.fromisoformat(candidate)
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            except ValueError:
                continue
    return datetime.fromtimestamp(clock.now(), UTC)


def _shown(value) -> str | None:
    # Member states that do not disclose trader details answer "---".
    text = " ".join(str(value).split()) if value else ""
    return None if not text or text == MASKED else text


def for_code(code: str) -> RegistryAnswer:
    """VIES's failure code (in `userError` or an errorWrapper) mapped as registries.md §2's table says."""
    if code == "INVALID_INPUT":
        return RegistryAnswer(
            Status.ERROR, Registry.VIES, code=code, message="VIES refused the country code or number."
        )
    if code in UNAVAILABLE:
        return pending(Registry.VIES, code, "The member state's registry is unavailable.", retryable=True)
    if code in BUSY:
        return pending(Registry.VIES, code, "VIES is busy.", retryable=True, retry_after=BUSY_WAIT_SECONDS)
    if code in MISCONFIGURED:
        logger.error("VIES refused this service's check (%s): check VIES_REQUESTER_VAT and the server's address", code)
    return pending(Registry.VIES, code, "VIES gave no verdict on this number.")


def read(reply: transport.Reply) -> RegistryAnswer:
    try:
        data = json.loads(reply.body)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("actionSucceed") is False and data.get("errorWrappers"):
        wrapper = data["errorWrappers"][0]
        return for_code(str(wrapper.get("error") or "") if isinstance(wrapper, dict) else "")
    if isinstance(data, dict) and data.get("userError") not in (None, "", "VALID", "INVALID"):
        return for_code(str(data["userError"]))
    if reply.status != 200 or not isinstance(data, dict) or not isinstance(data.get("valid"), bool):
        retry_after = transport.retry_after_seconds(reply.headers) if reply.status == 429 else None
        retryable = reply.status == 429 or reply.status >= 500
        return pending(Registry.VIES, f"HTTP_{reply.status}", "VIES gave no usable answer.", retryable=retryable,
                       retry_after=retry_after)  # fmt: skip
    when = _when(data.get("requestDate"))
    consultation = str(data.get("requestIdentifier") or "") or None
    if not data["valid"]:
        message = "VIES does not know this VAT number."
        return RegistryAnswer(Status.INVALID, Registry.VIES, code=str(data.get("userError") or "INVALID"),
                              message=message, consultation=consultation, checked_at=when)  # fmt: skip
    return RegistryAnswer(
        Status.VALID, Registry.VIES, code=str(data.get("userError") or "VALID"), message="VIES knows this VAT number.",
        name=_shown(data.get("name")), consultation=consultation, checked_at=when,
    )  # fmt: skip


def check(country: str, number: str) -> RegistryAnswer:
    body = json.dumps(request_body(country, number)).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    try:
        reply = transport.post(url(), body=body, headers=headers)
    except transport.TransportFailure as error:
        logger.warning("VIES unreachable: %s", error)
        return pending(Registry.VIES, UNREACHABLE, "VIES could not be reached.")
    return read(reply)
