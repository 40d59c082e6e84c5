"""What a registry said about a tax id, in one shape for AEAT's census and VIES."""

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """BeeL's NifValidationStatus: VALID and INVALID are the registry's verdict; PENDING means no verdict yet
    (registry not configured, unavailable, busy, timed out: ask again later); ERROR means the question itself
    was wrong (the registry refused the request as malformed: asking again will not help)."""

    VALID = "VALID"
    INVALID = "INVALID"
    PENDING = "PENDING"
    ERROR = "ERROR"


class Registry(StrEnum):
    AEAT = "AEAT"
    VIES = "VIES"


# The codes of answers that did not come from the registry (the raw code is the registry's own otherwise).
NOT_CONFIGURED = "NOT_CONFIGURED"
NAME_REQUIRED = "NAME_REQUIRED"
UNREACHABLE = "UNREACHABLE"
CIRCUIT_OPEN = "CIRCUIT_OPEN"


@dataclass(frozen=True)
class RegistryAnswer:
    """One registry's answer for one tax id.

    `code` is the registry's raw result (AEAT's `Resultado` as sent, VIES's `userError` or error code), or one
    of this module's codes when the registry gave none; `name` is the registry's name for the taxpayer (never
    an echo of the name sent); `consultation` is VIES's `requestIdentifier`, the proof of a qualified check;
    `checked_at` is when the registry answered (None without an answer); `census_status` is AEAT's state of
    an identified or similar taxpayer in BeeL's words (IDENTIFIED, NOT_IDENTIFIED_SIMILAR, DEREGISTERED...).
    `retryable` marks a PENDING that the registry itself called temporary (retried with backoff), and
    `retry_after` the seconds it asks to wait, when it says."""

    status: Status
    registry: Registry
    code: str = ""
    message: str = ""
    name: str | None = None
    consultation: str | None = None
    checked_at: datetime | None = None
    census_status: str | None = None
    retryable: bool = False
    retry_after: float | None = None

    @property
    def valid(self) -> bool:
        return self.status == Status.VALID

    @property
    def is_verdict(self) -> bool:
        """A verdict can be kept (cached, stored on a customer); PENDING and ERROR cannot."""
        return self.status in (Status.VALID, Status.INVALID)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["checked_at"] = self.checked_at.isoformat() if self.checked_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "RegistryAnswer":
        checked_at = datetime.fromisoformat(data["checked_at"]) if data.get("checked_at") else None
        values = {**data, "status": Status(data["status"]), "registry": Registry(data["registry"])}
        return cls(**{**values, "checked_at": checked_at})

    def with_message(self, message: str) -> "RegistryAnswer":
        return replace(self, message=message)


def pending(registry: Registry, code: str, message: str, *, retryable: bool = False, retry_after=None):
    return RegistryAnswer(
        Status.PENDING, registry, code=code, message=message, retryable=retryable, retry_after=retry_after
    )
