"""Serve the UI and the replay origin, each on its own address, in background threads.

Used by ``spillwatch serve`` and ``spillwatch run``.  A production WSGI server, waitress: a fixed
pool of ``web_threads`` worker threads per origin (requests beyond it wait in its queue, bounded by
``web_connection_limit`` open connections), idle connections closed after a timeout.  Werkzeug's
development server started a thread per request without bound and stopped answering under twenty
concurrent analysts (issue 12).  TLS and public exposure belong to a reverse proxy in front.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

log = logging.getLogger("spillwatch.web")

StartResponse = Callable[..., Any]
CHANNEL_TIMEOUT = 60  # seconds an idle keep-alive connection is kept
MAX_REQUEST_BODY = 16 * 2**20


# A feed's URL carries its token (the feed's password): /feeds/<token>/<feed>
_FEED_TOKEN = re.compile(r"^/feeds/(?!tokens(?:/|$))[^/]+/")


def loggable_path(path: str) -> str:
    """``path`` without the credential it may carry: a replay link's signed grant, a feed's token."""
    if path.startswith("/replay/"):
        return "/replay/…"
    return _FEED_TOKEN.sub("/feeds/…/", path)


class QuietAccessLog:
    """Access log without query strings: search words may be people's names (docs/architecture.md §5 rule 4)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = loggable_path(environ.get("PATH_INFO", ""))
        seen: list[str] = []

        def logged_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, logged_start)
        log.info("%s %s %s %s", environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD", "-"), path,
                 seen[0] if seen else "-")
        return result


@dataclass
class Servers:
    servers: list[BaseWSGIServer]
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [f"http://{s.effective_host}:{s.effective_port}" for s in self.servers]

    def start(self) -> Servers:
        for server in self.servers:
            thread = threading.Thread(target=server.run, name=f"http-{server.effective_port}", daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.task_dispatcher.shutdown(timeout=5)
            server.close()
            wasyncore.close_all(server._map)
        for thread in self.threads:
            thread.join(timeout=10)


def make_server(app: Flask, host: str, port: int, threads: int, connection_limit: int) -> BaseWSGIServer:
    server: BaseWSGIServer = create_server(
        QuietAccessLog(app), host=host, port=port, threads=max(1, threads),
        connection_limit=max(threads, connection_limit), channel_timeout=CHANNEL_TIMEOUT,
        max_request_body_size=MAX_REQUEST_BODY, ident="spillwatch", clear_untrusted_proxy_headers=False,
    )
    return server


def serve(ui: Flask, ui_host: str, ui_port: int, replay: Flask, replay_host: str, replay_port: int, *,
          threads: int = 8, connection_limit: int = 100) -> Servers:
    """Bind both servers (port 0 picks a free port) and start them."""
    servers = [make_server(ui, ui_host, ui_port, threads, connection_limit),
               make_server(replay, replay_host, replay_port, threads, connection_limit)]
    return Servers(servers).start()
