"""Serve the UI and the replay origin, each on its own address, in background threads.

Used by ``spillwatch serve``; the service loop can use it too.  Werkzeug's threaded WSGI server: the
UI serves a handful of analysts, and TLS and public exposure belong to a reverse proxy in front.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

log = logging.getLogger("spillwatch.web")


class QuietPathHandler(WSGIRequestHandler):
    """Access log without query strings: search words may be people's names (docs/architecture.md §5 rule 4)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith("/replay/"):
            path = "/replay/…"  # the signed token is not for logs
        log.info("%s %s %s %s", self.address_string(), self.command, path, code)


@dataclass
class Servers:
    servers: list[BaseWSGIServer]
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [f"http://{s.host}:{s.port}" for s in self.servers]

    def start(self) -> Servers:
        for server in self.servers:
            thread = threading.Thread(target=server.serve_forever, name=f"http-{server.port}", daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for thread in self.threads:
            thread.join(timeout=10)


def serve(ui: Flask, ui_host: str, ui_port: int, replay: Flask, replay_host: str, replay_port: int) -> Servers:
    """Bind both servers (port 0 picks a free port) and start them."""
    servers = [make_server(ui_host, ui_port, ui, threaded=True, request_handler=QuietPathHandler),
               make_server(replay_host, replay_port, replay, threaded=True, request_handler=QuietPathHandler)]
    return Servers(servers).start()
