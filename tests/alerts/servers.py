"""Real local servers for the alert tests: an HTTP server answering like Slack's incoming webhook
(scripted 200 ok / 429 Retry-After / 500 / hang / hold) and an aiosmtpd SMTP server."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    answered: int | None = None  # HTTP status we answered; None if we never answered

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SlackLikeServer:
    """Answers POSTs the way https://hooks.slack.com/services/... does.

    ``script`` is consumed one step per request; afterwards every request gets ``200 ok``.  Steps:
    ``"ok"``; ``("429", seconds)`` → 429 ``rate_limited`` with Retry-After; ``"500"``;
    ``"400"`` → ``invalid_payload``; ``("hang", seconds)`` → read the request, never process it, answer
    nothing for that long; ``"hold"`` → process (count as posted) but hold the answer until
    :meth:`release`, like a server whose client died before reading the answer.
    """

    script: list[Any] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    posted: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.release_event = threading.Event()
        self.arrived = threading.Condition()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                item = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                with server._lock:
                    step = server.script.pop(0) if server.script else "ok"
                    server.received.append(item)
                with server.arrived:
                    server.arrived.notify_all()
                server.handle(self, item, step)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def handle(self, handler: BaseHTTPRequestHandler, item: Received, step: Any) -> None:
        kind = step[0] if isinstance(step, tuple) else step
        if kind == "hang":
            time.sleep(step[1])
            return
        if kind == "hold":
            with self._lock:
                self.posted.append(item)
            with self.arrived:
                self.arrived.notify_all()
            self.release_event.wait(30)
            self._answer(handler, item, 200, "ok")
            return
        if kind == "429":
            self._answer(handler, item, 429, "rate_limited", {"Retry-After": str(step[1])})
        elif kind == "500":
            self._answer(handler, item, 500, "internal_error")
        elif kind == "400":
            self._answer(handler, item, 400, "invalid_payload")
        else:
            with self._lock:
                self.posted.append(item)
            self._answer(handler, item, 200, "ok")

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, item: Received, status: int, text: str,
                headers: dict[str, str] | None = None) -> None:
        item.answered = status
        body = text.encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            return  # the client is gone (killed or timed out): nothing to answer

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/services/T000/B000/XXXX"

    def start(self) -> SlackLikeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release_event.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, count: int, timeout: float = 10.0, *, posted: bool = False) -> bool:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.posted if posted else self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.arrived.wait(left)
        return True

    def release(self) -> None:
        self.release_event.set()


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.owner.lock:
            if self.owner.script:
                answer = self.owner.script.pop(0)
                if answer != "250":
                    return answer
            self.owner.messages.append(
                (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``script`` holds SMTP answers for the next DATA commands (e.g.
    ``"451 4.3.0 try later"``), then everything is accepted."""

    def __init__(self, **controller_options: Any) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.script: list[str] = []
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **controller_options)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def parsed(self) -> list[EmailMessage]:
        with self.lock:
            raw = [m[2] for m in self.messages]
        return [message_from_bytes(r, policy=policy.default) for r in raw]  # type: ignore[misc]
