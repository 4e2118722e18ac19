"""pywb replays a rendered crawl: in Chromium, the archived statistics page runs its script against the
archived JSON answer and shows the release list, with the network of the page cut off from the live site."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from crawler.run import run_crawl
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job, read_records
from tests.crawler.script_site import CHROMIUM, ROSTER, STATS, need_chromium, script_site
from tests.crawler.test_pywb import _free_port, _tool

pytestmark = pytest.mark.browser


def test_pywb_replays_the_rendered_page(tmp_path: Path) -> None:
    need_chromium()
    with AgencySite() as site:
        script_site(site)
        job = fast_job(tmp_path / "crawl", [f"http://localhost:{site.port}/"], render="browser",
                       chromium_path=CHROMIUM, sitemaps=False, max_depth=1, render_page_timeout=15.0)
        manifest = run_crawl(job)
    # the live site is gone: whatever the replayed page shows comes from the archive
    assert manifest.status == "finished", manifest.reason
    page_url = f"http://localhost:{site.port}{STATS}"
    record = next(r for r in read_records(manifest.warc_files) if r.type == "response" and r.uri == page_url)
    timestamp = "".join(ch for ch in record.warc["WARC-Date"] if ch.isdigit())[:14]
    subprocess.run([_tool("wb-manager"), "init", "spill"], cwd=tmp_path, check=True, capture_output=True, timeout=60)
    subprocess.run([_tool("wb-manager"), "add", "spill", *manifest.warc_files], cwd=tmp_path, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    with open(tmp_path / "wayback.log", "wb") as log:
        process = subprocess.Popen([_tool("wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=tmp_path,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            try:
                page = browser.new_page()
                replay = f"http://127.0.0.1:{port}/spill/{timestamp}/{page_url}"
                deadline = time.monotonic() + 30
                while True:
                    try:
                        page.goto(replay, wait_until="load", timeout=15_000)
                        break
                    except PlaywrightError:  # pywb still starting: retried until the deadline, then raised
                        if time.monotonic() > deadline or process.poll() is not None:
                            raise
                        time.sleep(0.3)
                frame = next(f for f in page.frames if STATS in f.url and f != page.main_frame) \
                    if len(page.frames) > 1 else page.main_frame
                link = frame.wait_for_selector("#releases a[href*='detainee-roster']", timeout=15_000)
                assert link is not None
                assert ROSTER in (link.get_attribute("href") or "")
            finally:
                browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
