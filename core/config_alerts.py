"""The ``alerts:`` of the config file: channels (where alerts go) and routes (which findings go to
which channels, when)."""

from __future__ import annotations

import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from core.config_vocabulary import FINDING_KINDS, NOTIFIER_KINDS, SEVERITIES, Strict, one_of


class Channel(Strict):
    """Where alerts go. Secrets (webhook URLs, HMAC keys) are named by environment variable."""

    name: str
    kind: str
    to: list[str] = Field(default_factory=list)
    url_env: str | None = None
    secret_env: str | None = None
    rate_limit_per_minute: int = Field(default=20, ge=1)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return one_of(value, NOTIFIER_KINDS, "notifier kind")

    @model_validator(mode="after")
    def _kind_fields(self) -> Channel:
        if self.kind == "email" and not self.to:
            raise ValueError("an email channel needs 'to': a list of addresses")
        if self.kind != "email" and self.to:
            raise ValueError(f"'to' is for email channels; a {self.kind} channel uses 'url_env'")
        if self.kind in ("webhook", "apprise") and not self.url_env:
            raise ValueError(f"a {self.kind} channel needs 'url_env': the environment variable holding its URL")
        for env_name in (self.url_env, self.secret_env):
            if env_name is not None and not re.match(r"^[A-Z_][A-Z0-9_]*$", env_name):
                raise ValueError(f"{env_name!r} is not an environment variable name")
        return self


class QuietHours(Strict):
    start: str
    end: str
    timezone: str = "UTC"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError(f"{value!r} is not a time; expected HH:MM, e.g. 22:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone; use an IANA name like Europe/Berlin or UTC"
                             ) from None
        return value


class Route(Strict):
    name: str
    channels: list[str] = Field(min_length=1)
    sites: list[str] = Field(default_factory=lambda: ["*"])
    kinds: list[str] = Field(default_factory=lambda: list(FINDING_KINDS))
    min_severity: str = "medium"
    mode: Literal["immediate", "hourly", "daily"] = "immediate"
    quiet_hours: QuietHours | None = None

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, values: list[str]) -> list[str]:
        return [one_of(value, FINDING_KINDS, "finding kind") for value in values]

    @field_validator("min_severity")
    @classmethod
    def _known_severity(cls, value: str) -> str:
        return one_of(value, SEVERITIES, "severity")


class Alerts(Strict):
    channels: list[Channel] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
