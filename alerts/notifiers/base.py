"""The notifier interface: small classes registered by ``kind`` (email, slack, webhook).

A notifier builds itself from a channel of the config plus the settings and environment
(:meth:`Notifier.from_channel`) and raises :class:`NotConfigured` — saying what to set — when it
cannot work, like Scrapy components switch themselves off.  :meth:`Notifier.render` turns an
envelope into the message for this kind (no I/O); :meth:`Notifier.send` delivers it or raises
:class:`DeliveryError`, which says whether trying again can help and how long to wait.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from alerts.content import Envelope
from alerts.errors import DeliveryError, NotConfigured
from alerts.render import Renderer
from core.config import Channel
from core.settings import Settings

__all__ = ["DeliveryError", "NotConfigured", "Notifier"]


class Notifier(ABC):
    kind: ClassVar[str]

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    @classmethod
    @abstractmethod
    def from_channel(cls, channel: Channel, settings: Settings, environ: Mapping[str, str]) -> Notifier:
        """Build the notifier for ``channel`` or raise NotConfigured."""

    @abstractmethod
    def render(self, envelope: Envelope, renderer: Renderer) -> Any:
        """The message exactly as it would be sent (EmailMessage or a JSON-able dict)."""

    @abstractmethod
    def send(self, message: Any) -> None:
        """Deliver a rendered message or raise DeliveryError."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections (HTTP clients); the default has none."""

    @classmethod
    def write_preview(cls, envelope: Envelope, stem: Path, *, sender: str, recipients: list[str],
                      renderer: Renderer | None) -> Path:
        """Save what this kind would send for ``envelope`` as ``<stem>.<kind>.json`` (the HTTP
        notifiers' message); the email notifier overrides it with an ``.eml`` file."""
        path = stem.with_name(f"{stem.name}.{cls.kind}.json")
        body = cls.render_body(envelope)
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def render_body(cls, envelope: Envelope) -> dict[str, Any]:
        """The JSON body of an HTTP notifier's message (no I/O)."""
        raise NotImplementedError(f"{cls.kind} notifiers override write_preview")
