"""The ``disclosure:`` of the config file: the public archives the mirror sweep asks."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from core.config_vocabulary import MIRROR_KINDS, Strict, one_of


class Mirror(Strict):
    """A public archive the mirror sweep asks: ``url`` is its CDX endpoint or TimeMap prefix."""

    name: str
    kind: str = "cdx"
    url: str
    replay_url: str = ""  # cdx kind: where a copy is viewed, {replay_url}{timestamp}/{url} (e.g. Wayback's /web/)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return one_of(value, MIRROR_KINDS, "mirror kind")

    @field_validator("url", "replay_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class Disclosure(Strict):
    """The disclosure workflow: public archives swept for copies, and the endpoints they are
    allowed on (the egress guard applies; ``allow_private_addresses`` only for tests and the demo)."""

    mirrors: list[Mirror] = Field(default_factory=list)
    allow_private_addresses: bool = False
