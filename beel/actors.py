"""Who performs a use case, and through which channel: recorded in the audit trail."""

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    API = "api"
    ADMIN = "admin"
    COMMAND = "command"


@dataclass(frozen=True)
class Actor:
    channel: Channel
    name: str  # the API key's public prefix (never the secret), the staff username, or the command

    @classmethod
    def api_key(cls, api_key) -> "Actor":
        return cls(Channel.API, api_key.display_prefix)

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(Channel.ADMIN, user.get_username())

    @classmethod
    def command(cls, name: str) -> "Actor":
        return cls(Channel.COMMAND, name)

    def __str__(self) -> str:
        return f"{self.channel}:{self.name}"
