"""The two origins: where browsers reach the UI and the replay origin."""

from __future__ import annotations

from flask import request

from core.settings import Settings
from web.state import state

WILDCARD_HOSTS = ("", "0.0.0.0", "::", "[::]")


def replay_origin(settings: Settings) -> str:
    """Where browsers reach the replay origin: ``replay_base_url``, else ``http://replay_host:replay_port``;
    empty when the replay origin listens on every address (then each request derives it from its Host)."""
    if settings.replay_base_url:
        return str(settings.replay_base_url).rstrip("/")
    if settings.replay_host in WILDCARD_HOSTS:
        return ""
    return f"http://{settings.replay_host}:{settings.replay_port}"


def current_replay_origin() -> str:
    web = state()
    if web.replay_url:
        return web.replay_url
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return f"{request.scheme}://{host}:{web.settings.replay_port}"


def ui_origin(settings: Settings) -> str:
    """The UI's origin for the replay's ``frame-ancestors``; a wildcard listener without ``base_url``
    gets any http(s) origin (the replay page has no scripts and no cookies either way)."""
    if not settings.base_url and settings.web_host in WILDCARD_HOSTS:
        return "http: https:"
    return str(settings.effective_base_url).rstrip("/")
