"""The two origins: where browsers reach the UI and the replay origin."""

from __future__ import annotations

from urllib.parse import urlsplit

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


def shared_host_warning(settings: Settings) -> str:
    """A warning when browsers reach the replay origin under the UI's host name (empty when not).

    Cookies are scoped to a host name, not a port: on the same name, the UI's session cookie is sent to
    the replay origin too, where hostile archived pages run."""
    ui_host = urlsplit(settings.effective_base_url).hostname or ""
    replay = replay_origin(settings)
    replay_host = urlsplit(replay).hostname if replay else ui_host
    if not replay_host or replay_host.lower() != ui_host.lower():
        return ""
    return (f"warning: replay_base_url: the replay origin shares the UI's host name {ui_host!r}; browsers send "
            "the UI's cookies to it. Serve replay under a different host name (e.g. replay.example.org) and "
            "set replay_base_url to it")
