"""pywb browses captures from every source the indexer reads: a whole-file gzip WARC and a WARC deflated
in a WACZ (read per record through indexer/record_source.py, not as one document), and pages stored
brotli-encoded (pywb decodes them with warcio, given brotlicffi: indexer/warcio_brotli.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from core.catalog.schema import captures
from indexer.pipeline import Indexer
from tests.indexer.test_content_encodings import _encode, _write
from tests.indexer.test_unseekable_sources import SITE, deflated, pages, whole_file_gzip
from tests.indexer.test_wacz_in import make_wacz
from tests.web.conftest import WebEnv
from web import create_replay_app


@pytest.fixture
def replay_app(env: WebEnv) -> Iterator[Flask]:
    app = create_replay_app(env.config)
    yield app
    app.extensions["spillwatch_pywb"].stop()


def _browse(env: WebEnv, app: Flask, url: str) -> tuple[str, str]:
    """(the page pywb serves for the capture of ``url``, its token) through the UI's entry link."""
    with env.engine.connect() as conn:
        capture_id = conn.execute(select(captures.c.id).where(captures.c.url == url)).scalar_one()
    html = env.client("analyst").get(f"/captures/{capture_id}/view").get_data(as_text=True)
    src = re.search(r'<iframe class="replay" sandbox src="([^"]+)"', html)
    assert src
    entry = src.group(1)[len(env.app.extensions["spillwatch"].replay_url):]
    http = app.test_client()
    moved = http.get(entry)
    assert moved.status_code == 302 and "/archive/" in moved.headers["Location"], moved.get_data()[:300]
    page = http.get(moved.headers["Location"])
    assert page.status_code == 200, page.get_data()[:500]
    return page.get_data(as_text=True), entry.split("/")[2]


def test_whole_file_gzip_pages_browse(env: WebEnv, replay_app: Flask, tmp_path: Path) -> None:
    Indexer(env.config, env.engine, env.search).index_paths([whole_file_gzip(tmp_path)])
    for url, *_rest in pages()[:-1]:  # each page is its own record, the first and the last included
        body, _token = _browse(env, replay_app, url)
        number = url.rsplit("/p", 1)[1].split(".")[0]
        assert f"<title>Page {number}</title>" in body and "w w w" in body


def test_deflated_wacz_pages_browse_with_links(env: WebEnv, replay_app: Flask, tmp_path: Path) -> None:
    wacz, _warc = make_wacz(tmp_path)
    Indexer(env.config, env.engine, env.search).index_paths([deflated(wacz)])
    body, token = _browse(env, replay_app, f"{SITE}/")
    assert "<title>Agency</title>" in body
    # the page's link is rewritten under the token's path, into pywb's archive, not the live site
    assert re.search(rf'href="[^"]*/replay/{token}/archive/\d+(?:mp_)?/{SITE}/people\.csv"', body), body[:2000]


@pytest.mark.parametrize("coding", ["br", "gzip"])
def test_encoded_pages_browse(env: WebEnv, replay_app: Flask, tmp_path: Path, coding: str) -> None:
    html = b"<html><head><title>Encoded release</title></head><body><p>zebra giraffe okapi</p></body></html>"
    warc = _write(tmp_path / "encoded.warc.gz", [(f"{SITE}/enc.html", "text/html", _encode(html, coding), coding)])
    Indexer(env.config, env.engine, env.search).index_paths([warc])
    body, _token = _browse(env, replay_app, f"{SITE}/enc.html")
    assert "<title>Encoded release</title>" in body and "zebra giraffe okapi" in body
