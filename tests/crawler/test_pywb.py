"""pywb (a test dependency) indexes our WARC files and replays a page and a document byte for byte.

A real run: ``wb-manager`` builds the collection, pywb's ``wayback`` serves it on a local port,
and the archived copies are fetched in identity mode (``id_``: no rewriting)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import CrawlResult, payload_of


def _tool(name: str) -> str:
    path = Path(sys.executable).with_name(name)
    return str(path) if path.exists() else (shutil.which(name) or name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pywb_server(full_crawl: CrawlResult, tmp_path: Path) -> Iterator[str]:
    # pywb monkey-patches with gevent on import, so it runs in its own process, as in production.
    subprocess.run([_tool("wb-manager"), "init", "spill"], cwd=tmp_path, check=True, capture_output=True,
                   timeout=60)
    subprocess.run([_tool("wb-manager"), "add", "spill", *full_crawl.manifest.warc_files], cwd=tmp_path,
                   check=True, capture_output=True, timeout=120)
    assert list((tmp_path / "collections" / "spill" / "indexes").iterdir()), "pywb wrote no index"
    port = _free_port()
    with open(tmp_path / "wayback.log", "wb") as log:
        process = subprocess.Popen([_tool("wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=tmp_path,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("pywb did not start: " + (tmp_path / "wayback.log").read_text())
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/spill"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _replay(base: str, timestamp: str, url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"{base}/{timestamp}id_/{url}", timeout=30) as response:
        return response.status, response.read()


@pytest.mark.parametrize("path", ["/statistics/", "/statistics/releases/fy2022-by-country.xlsx",
                                  "/statistics/releases/fy2022-report.pdf"])
def test_pywb_replays_original_bytes(pywb_server: str, full_crawl: CrawlResult, agency: AgencySite,
                                     path: str) -> None:
    record = payload_of(full_crawl.records, path)
    timestamp = "".join(ch for ch in record.warc["WARC-Date"] if ch.isdigit())[:14]
    status, body = _replay(pywb_server, timestamp, record.uri)
    assert status == 200
    served = agency.lookup(path)
    assert served is not None
    assert body == record.payload == served.body
