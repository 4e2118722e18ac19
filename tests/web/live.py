"""Live servers and headless Chromium for the browser tests (shared by ``test_browser.py`` and
``test_accessibility.py``): the UI and the replay origin served on 127.0.0.1 by the same servers
``spillwatch serve`` uses, over the web tests' archive.

Screenshots go to ``test-artifacts/screenshots`` (or ``SPILLWATCH_SCREENSHOT_DIR``) for CI to keep.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.web.conftest import PASSWORDS, TOTP_SECRET, WebEnv, build_env, close_env, reset_totp_step, settings_for
from web import create_replay_app
from web.server import Servers, serve

CHROMIUM = os.environ.get("SPILLWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SPILLWATCH_SCREENSHOT_DIR", ROOT / "test-artifacts" / "screenshots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Beacon(BaseHTTPRequestHandler):
    """Records every request: an archived script that manages to send anything out shows up here."""

    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class Live:
    env: WebEnv
    url: str
    replay_url: str
    beacon_hits: list[str]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    beacon = ThreadingHTTPServer(("127.0.0.1", 0), _Beacon)
    beacon.hits = []  # type: ignore[attr-defined]
    threading.Thread(target=beacon.serve_forever, daemon=True).start()
    port, replay_port = _free_port(), _free_port()
    folder = tmp_path_factory.mktemp("browser")
    settings = settings_for(folder, web_port=port, replay_port=replay_port, base_url=f"http://127.0.0.1:{port}")
    env = build_env(settings, folder, beacon=f"http://127.0.0.1:{beacon.server_port}")
    servers: Servers = serve(env.app, "127.0.0.1", port, create_replay_app(env.config), "127.0.0.1", replay_port)
    try:
        yield Live(env, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{replay_port}", beacon.hits)  # type: ignore[attr-defined]
    finally:
        servers.stop()
        beacon.shutdown()
        beacon.server_close()
        close_env(env)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message + " (CI=true: browser tests must run)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, live: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    opened = context.new_page()
    opened.dialogs = []
    opened.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def login(page: Any, live: Live, role: str = "analyst") -> None:
    page.goto(live.url + "/")
    assert "/login" in page.url
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")


def login_admin(page: Any, live: Live) -> None:
    """The admin logs in with the password and a TOTP code (the last used step reset first)."""
    reset_totp_step(live.env, "admin")
    page.goto(live.url + "/login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORDS["admin"])
    page.click("button[type=submit]")
    page.wait_for_url("**/login/verify")
    page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")
