"""A WACZ written by ``spillwatch export wacz`` opens in ReplayWeb.page (issue 14: "ReplayWeb.page and
pywb can open it"): the npm package's own ``ui.js`` and ``sw.js`` served from 127.0.0.1, the
``<replay-web-page>`` element given the WACZ, in real headless Chromium. The captures come from a
per-record gzip WARC and from a whole-file gzip one, whose records the export re-writes as members."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, send_from_directory
from werkzeug.serving import make_server

from spillwatch.cli import main
from tests.indexer.test_unseekable_sources import SITE, whole_file_gzip
from tests.indexer.warc_builder import write_warc
from tests.services.replaywebpage import RWP_VERSION, installed

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SPILLWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
HOME = (b"<html><head><title>Agency home</title></head><body><h1>Statistics office</h1>"
        b"<a href='/p3.html'>Page 3</a></body></html>")
EMBED = """<!doctype html><html><head><meta charset="utf-8"><script src="/ui.js"></script></head><body>
<replay-web-page source="/evidence.wacz" url="{url}" replayBase="/replay/" embed="replayonly"
 style="display:block;height:700px"></replay-web-page></body></html>"""


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(message + " (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def wacz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "data"
    members = write_warc(tmp_path / "home.warc.gz", [(f"{SITE}/", 200, "text/html", HOME,
                                                      datetime(2026, 4, 1, tzinfo=UTC))])
    assert main(["--data-dir", str(data), "index", str(members), str(whole_file_gzip(tmp_path))]) == 0
    out = tmp_path / "evidence.wacz"
    assert main(["--data-dir", str(data), "export", "wacz", "-o", str(out), "--title", "Evidence"]) == 0
    assert "wacz validate passed" in capsys.readouterr().out
    return out


@pytest.fixture
def site(wacz: Path) -> Iterator[str]:
    """The package's files and the WACZ on 127.0.0.1 (a secure context, as service workers need), with
    HTTP range requests, which ReplayWeb.page reads a WACZ with."""
    package = installed()
    if package is None:
        _missing(f"ReplayWeb.page {RWP_VERSION} is not installed: run scripts/setup.sh --test "
                 "(or python -m tests.services.replaywebpage)")
    assert package is not None
    app = Flask(__name__)

    @app.route("/")
    def embed() -> str:
        from flask import request

        return EMBED.format(url=request.args.get("url", f"{SITE}/"))

    app.add_url_rule("/ui.js", "ui", lambda: send_from_directory(package, "ui.js", conditional=True))
    app.add_url_rule("/replay/sw.js", "sw", lambda: send_from_directory(package, "sw.js", conditional=True))
    app.add_url_rule("/evidence.wacz", "wacz", lambda: send_from_directory(wacz.parent, wacz.name, conditional=True))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def _archived_frame(page: Any, text: str, seconds: float = 60.0) -> Any:
    """The frame (ReplayWeb.page nests the archived page two iframes down) that shows ``text``."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if text in frame.inner_text("body", timeout=1_000):
                    return frame
            except PlaywrightError:  # a frame navigating or detached now: looked at again next round
                continue
        time.sleep(0.5)
    shown = []
    for frame in page.frames:
        try:
            shown.append((frame.url, frame.inner_text("body", timeout=1_000)[:300]))
        except PlaywrightError as exc:
            shown.append((frame.url, f"(unreadable: {exc.message[:100]})"))
    raise AssertionError(f"no frame shows {text!r} after {seconds:.0f}s: {shown}")


@pytest.mark.parametrize(("url", "text"), [(f"{SITE}/", "Statistics office"), (f"{SITE}/p3.html", "w w w")])
def test_exported_wacz_replays_in_replaywebpage(browser: Any, site: str, url: str, text: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{site}/?url={url}")
        try:
            frame = _archived_frame(page, text, seconds=30.0)
        except AssertionError:
            # once in a fresh-clone CI run ReplayWeb.page showed no archived frame (its service worker
            # not yet in control of the page); a reader would reload: the same WACZ must then show
            page.reload()
            frame = _archived_frame(page, text, seconds=30.0)
        # the archived page itself, served by ReplayWeb.page's service worker from the WACZ
        assert "/replay/w/" in frame.url and url in frame.url
        if url.endswith("p3.html"):
            assert frame.title() == "Page 3"
    finally:
        context.close()
