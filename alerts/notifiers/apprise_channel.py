"""``kind: apprise`` — any service the `apprise <https://github.com/caronc/apprise>`_ library speaks:
Matrix, Telegram, Signal (signal-cli REST), Teams, Discord, ntfy, Gotify, Mattermost, JSON/XML/form
POSTs… one apprise URL per channel (``matrixs://user:token@matrix.example.org/#room``,
``ntfys://ntfy.example.org/topic``, ``tgram://bot-token/chat-id``).

The URL carries the service's credentials, so it is read from the environment variable named by the
channel's ``url_env`` and shown only as ``scheme://host:port/…``.  The message is the plain-text
email (same templates, same masking: counts, column types and masked samples only), with the email
subject as title.

Egress guard: before every send the address apprise will contact is resolved and checked like the
Slack and webhook URLs (loopback, private, link-local, CGNAT and metadata ranges refused unless
``allow_private_addresses``).  That address is the service's fixed API host for cloud services
(``api.telegram.org`` for ``tgram://``) and the host written in the URL for self-hosted ones
(``json://``, ``ntfy://host/…``, ``matrix://…``).  apprise opens its own connection afterwards, so
unlike the Slack and webhook notifiers the checked address is not pinned (a DNS answer that changes
between the check and the send is not caught).  Apprise reports success or failure only, without a
reason the notifier could classify, so a failure is retried with backoff and dead-lettered after
``alert_max_attempts``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import apprise

from alerts.content import Envelope
from alerts.http import pin, redact_url
from alerts.notifiers.base import DeliveryError, NotConfigured, Notifier
from alerts.render import Renderer
from core.config import Channel
from core.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppriseMessage:
    title: str
    body: str
    delivery: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body, "delivery": self.delivery}


def _render(envelope: Envelope, renderer: Renderer) -> AppriseMessage:
    if envelope.notice is not None:  # a service notice (alerts.ops): plain text
        title = f"[Spillwatch service] {' '.join(envelope.notice[0].split())}"[:250]
        return AppriseMessage(title, envelope.notice[1], envelope.key)
    context = {"envelope": envelope, "items": envelope.items, "colors": {}}
    title = " ".join(renderer.render("email_subject.txt", **context).split())[:250]
    body = renderer.render("email.txt", subject=title, **context)
    return AppriseMessage(title, body, envelope.key)


def destination(plugin: Any) -> str:
    """The http(s) URL whose host apprise will contact for this plugin, for the egress guard."""
    fixed = getattr(plugin, "notify_url", None)
    if isinstance(fixed, str) and fixed.startswith(("http://", "https://")):
        return fixed  # a cloud service's API (Telegram, Discord, Teams…)
    cloud = getattr(plugin, "cloud_notify_url", None)
    if isinstance(cloud, str) and getattr(plugin, "mode", None) == "cloud":
        return cloud  # ntfy://topic goes to ntfy.sh
    host = str(getattr(plugin, "host", "") or "")
    if not host:
        raise DeliveryError("apprise URL names no host the egress guard could check", permanent=True)
    scheme = "https" if getattr(plugin, "secure", False) else "http"
    port = getattr(plugin, "port", None)
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}{f':{port}' if port else ''}/"


class AppriseNotifier(Notifier):
    kind = "apprise"

    def __init__(self, channel: Channel, url: str, *, timeout: float, allow_private: bool) -> None:
        super().__init__(channel)
        self.url = url
        self.timeout = timeout
        self.allow_private = allow_private

    @classmethod
    def from_channel(cls, channel: Channel, settings: Settings, environ: Mapping[str, str]) -> AppriseNotifier:
        url = environ.get(channel.url_env or "", "")
        if not url:
            raise NotConfigured(f"apprise channel {channel.name!r}: environment variable {channel.url_env} is empty; "
                                "set it to the service's apprise URL (e.g. ntfys://ntfy.example.org/topic)")
        if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
            raise NotConfigured(f"apprise channel {channel.name!r}: {redact_url(url)} is not an apprise URL apprise "
                                "understands; see https://github.com/caronc/apprise/wiki for the service's form")
        return cls(channel, url, timeout=settings.alert_timeout, allow_private=settings.allow_private_addresses)

    def render(self, envelope: Envelope, renderer: Renderer) -> AppriseMessage:
        return _render(envelope, renderer)

    @classmethod
    def write_preview(cls, envelope: Envelope, stem: Path, *, sender: str, recipients: list[str],
                      renderer: Renderer | None) -> Path:
        """``<stem>.apprise.txt``: the title, a blank line and the body, as apprise would send them."""
        message = _render(envelope, renderer or Renderer())
        path = stem.with_name(f"{stem.name}.{cls.kind}.txt")
        path.write_text(f"{message.title}\n\n{message.body}", encoding="utf-8")
        return path

    def send(self, message: AppriseMessage) -> None:
        plugin = apprise.Apprise.instantiate(self.url, suppress_exceptions=True)
        if plugin is None:
            raise DeliveryError(f"{redact_url(self.url)} is not an apprise URL", permanent=True)
        where = destination(plugin)
        pin(where, allow_private=self.allow_private)  # raises DeliveryError when the guard refuses it
        # apprise's own per-request timeouts (its URL options cto/rto), from alert_timeout
        plugin.socket_connect_timeout = self.timeout
        plugin.socket_read_timeout = self.timeout
        sender = apprise.Apprise()
        sender.add(plugin)
        ok = sender.notify(title=message.title, body=message.body, body_format=apprise.NotifyFormat.TEXT)
        if not ok:
            host = urlsplit(where).hostname or "?"
            raise DeliveryError(f"apprise could not deliver to {urlsplit(self.url).scheme}://{host} (the service "
                                "refused or did not answer; see the log of apprise for its reason)")
