"""``kind: webhook`` — a signed JSON POST for any receiver.

Body: :func:`alerts.render.render_webhook` as compact UTF-8 JSON.  Headers:

* ``X-Spillwatch-Timestamp``: Unix seconds when signed;
* ``X-Spillwatch-Signature``: ``sha256=`` + hex HMAC-SHA256 over ``<timestamp>.<body>`` with the key
  from the channel's ``secret_env`` (or the ``webhook_secret`` setting);
* ``X-Spillwatch-Delivery``: the delivery's idempotency key (receivers drop repeats with it).

A channel without a key is switched off: unsigned alerts could be forged.  ``2xx`` is success;
``429`` waits ``Retry-After``; ``408`` and 5xx are retried; other 4xx are permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from alerts.content import Envelope
from alerts.http import GuardedPoster, answer_error
from alerts.notifiers.base import NotConfigured, Notifier
from alerts.render import Renderer, render_webhook
from core.config import Channel
from core.settings import Settings


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Spillwatch-Signature`` value; receivers recompute it and compare in constant time."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookNotifier(Notifier):
    kind = "webhook"

    def __init__(self, channel: Channel, url: str, secret: str, poster: GuardedPoster) -> None:
        super().__init__(channel)
        self.url = url
        self.secret = secret
        self.poster = poster

    @classmethod
    def from_channel(cls, channel: Channel, settings: Settings,
                     environ: Mapping[str, str]) -> WebhookNotifier:
        url = environ.get(channel.url_env or "", "")
        if not url:
            raise NotConfigured(f"webhook channel {channel.name!r}: environment variable {channel.url_env} is "
                                "empty; set it to the receiver's URL")
        secret = environ.get(channel.secret_env, "") if channel.secret_env else settings.webhook_secret
        if not secret:
            where = channel.secret_env or "SPILLWATCH_WEBHOOK_SECRET"
            raise NotConfigured(f"webhook channel {channel.name!r}: no signing key; set {where} (alerts are "
                                "never sent unsigned)")
        poster = GuardedPoster(timeout=settings.alert_timeout, allow_private=settings.allow_private_addresses,
                               user_agent=settings.effective_user_agent)
        return cls(channel, url, secret, poster)

    def render(self, envelope: Envelope, renderer: Renderer) -> dict[str, Any]:
        return render_webhook(envelope)

    @classmethod
    def render_body(cls, envelope: Envelope) -> dict[str, Any]:
        return render_webhook(envelope)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Spillwatch-Delivery": str(message.get("delivery", "")),
            "X-Spillwatch-Timestamp": timestamp,
            "X-Spillwatch-Signature": sign(self.secret, timestamp, body),
        }
        response = self.poster.post(self.url, body, headers)
        if 200 <= response.status_code < 300:
            return
        raise answer_error("webhook", response)

    def close(self) -> None:
        self.poster.close()
