"""Notifiers by ``kind``: the same word in the YAML (``alerts.channels[].kind``), the docs and --help."""

from __future__ import annotations

from collections.abc import Mapping

from alerts.notifiers.apprise_channel import AppriseNotifier
from alerts.notifiers.base import DeliveryError, NotConfigured, Notifier
from alerts.notifiers.email import EmailNotifier
from alerts.notifiers.slack import SlackNotifier
from alerts.notifiers.webhook import WebhookNotifier
from core.config import Channel
from core.settings import Settings

NOTIFIERS: Mapping[str, type[Notifier]] = {
    EmailNotifier.kind: EmailNotifier,
    SlackNotifier.kind: SlackNotifier,
    WebhookNotifier.kind: WebhookNotifier,
    AppriseNotifier.kind: AppriseNotifier,
}


def build_notifier(channel: Channel, settings: Settings, environ: Mapping[str, str]) -> Notifier:
    """The notifier for ``channel``; raises NotConfigured (with what to set) if it is switched off."""
    try:
        cls = NOTIFIERS[channel.kind]
    except KeyError:
        raise NotConfigured(f"channel {channel.name!r}: unknown kind {channel.kind!r}; expected one of: "
                            f"{', '.join(NOTIFIERS)}") from None
    return cls.from_channel(channel, settings, environ)


__all__ = ["NOTIFIERS", "DeliveryError", "NotConfigured", "Notifier", "build_notifier"]
