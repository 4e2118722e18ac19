"""``kind: slack`` — a Slack incoming webhook, Block Kit with fallback text.

The URL comes from the channel's ``url_env`` environment variable or, if the channel names none, the
``slack_webhook_url`` setting (SPILLWATCH_SLACK_WEBHOOK_URL).  Slack answers ``200 ok``; ``429`` with
``Retry-After`` (we wait that long, without counting an attempt); 4xx errors such as
``invalid_payload`` or ``channel_is_archived`` are permanent; 5xx and timeouts are retried.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from alerts.content import Envelope
from alerts.http import GuardedPoster, answer_error
from alerts.notifiers.base import NotConfigured, Notifier
from alerts.render import Renderer, render_slack
from core.config import Channel
from core.settings import Settings


class SlackNotifier(Notifier):
    kind = "slack"

    def __init__(self, channel: Channel, url: str, poster: GuardedPoster) -> None:
        super().__init__(channel)
        self.url = url
        self.poster = poster

    @classmethod
    def from_channel(cls, channel: Channel, settings: Settings, environ: Mapping[str, str]) -> SlackNotifier:
        if channel.url_env:
            url = environ.get(channel.url_env, "")
            if not url:
                raise NotConfigured(f"slack channel {channel.name!r}: environment variable {channel.url_env} "
                                    "is empty; set it to the incoming-webhook URL")
        else:
            url = settings.slack_webhook_url
            if not url:
                raise NotConfigured(f"slack channel {channel.name!r}: no webhook URL; set url_env on the "
                                    "channel or SPILLWATCH_SLACK_WEBHOOK_URL")
        poster = GuardedPoster(timeout=settings.alert_timeout, allow_private=settings.allow_private_addresses,
                               user_agent=settings.effective_user_agent)
        return cls(channel, url, poster)

    def render(self, envelope: Envelope, renderer: Renderer) -> dict[str, Any]:
        return render_slack(envelope)

    @classmethod
    def render_body(cls, envelope: Envelope) -> dict[str, Any]:
        return render_slack(envelope)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, ensure_ascii=False).encode()
        response = self.poster.post(self.url, body, {"Content-Type": "application/json; charset=utf-8"})
        if response.status_code == 200:
            return
        raise answer_error("slack", response, f" {response.text.strip()[:200]!r}")

    def close(self) -> None:
        self.poster.close()
