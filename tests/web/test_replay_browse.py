"""Replay that browses (issue 14, failure 6): pywb on the replay origin rewrites links, images and
styles under the signed token's path, links the previous and next captures, and keeps the
sandbox, the token checks and the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from core.catalog.schema import audit_log, captures
from indexer.pipeline import Indexer
from tests.indexer.warc_builder import write_warc
from tests.web.conftest import WebEnv
from web import create_replay_app
from web.replay import make_token

SITE = "https://browse.example.gov"
DAY1, DAY2 = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 8, tzinfo=UTC)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e2b7d90000000049454e44ae426082")
PAGE = ("<html><head><title>Browse {n}</title><link rel='stylesheet' href='/style.css'></head><body>"
        "<h1>Release {n}</h1><img src='/logo.png'><a href='/b.html'>Other page</a> "
        "<a href='/people.csv'>people</a><script>document.title='ran'</script></body></html>")


@pytest.fixture
def browse(env: WebEnv, tmp_path: Path) -> tuple[WebEnv, Flask, dict[str, int]]:
    warc = write_warc(tmp_path / "browse.warc.gz", [
        (f"{SITE}/", 200, "text/html", PAGE.format(n=1).encode(), DAY1),
        (f"{SITE}/b.html", 200, "text/html", b"<html><body><p>Page B text</p><a href='/'>home</a></body></html>",
         DAY1),
        (f"{SITE}/logo.png", 200, "image/png", PNG, DAY1),
        (f"{SITE}/style.css", 200, "text/css", b"h1 { color: #123456 }", DAY1),
        (f"{SITE}/people.csv", 200, "text/csv", b"name,dob\nA B,1990-01-01\n", DAY1),
        (f"{SITE}/", 200, "text/html", PAGE.format(n=2).encode(), DAY2),
    ])
    Indexer(env.config, env.engine, env.search).index_paths([warc])
    with env.engine.connect() as conn:
        ids = {(r.url, r.captured_at.day): r.id for r in conn.execute(select(captures).where(
            captures.c.url.startswith(SITE)))}
    app = create_replay_app(env.config)
    yield env, app, {"home1": ids[(f"{SITE}/", 1)], "home2": ids[(f"{SITE}/", 8)],
                     "csv": ids[(f"{SITE}/people.csv", 1)]}
    app.extensions["spillwatch_pywb"].stop()


def _entry(env: WebEnv, capture_id: int) -> str:
    html = env.client("analyst").get(f"/captures/{capture_id}/view").get_data(as_text=True)
    src = re.search(r'<iframe class="replay" sandbox src="([^"]+)"', html)
    assert src
    return src.group(1)[len(env.app.extensions["spillwatch"].replay_url):]


def _local(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_archived_page_browses_with_links_images_styles(browse) -> None:
    env, app, ids = browse
    http = app.test_client()
    entry = _entry(env, ids["home1"])
    token = entry.split("/")[2]
    moved = http.get(entry)
    assert moved.status_code == 302 and moved.headers["Location"] == \
        f"/replay/{token}/archive/20260301000000mp_/{SITE}/"
    page = http.get(moved.headers["Location"])
    assert page.status_code == 200 and page.mimetype == "text/html"
    body = page.get_data(as_text=True)
    assert "Release 1" in body
    csp = page.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "allow-scripts" not in csp and "script-src" not in csp
    assert "img-src http://localhost data:" in csp and "Set-Cookie" not in page.headers
    # links, images and styles point back under the token's path, in pywb's modes
    link = re.search(rf'href="([^"]*/replay/{token}/archive/\d+(?:mp_)?/{SITE}/b\.html)"', body)
    image = re.search(rf'src="([^"]*/replay/{token}/archive/\d+im_/{SITE}/logo\.png)"', body)
    style = re.search(rf'href="([^"]*/replay/{token}/archive/\d+cs_/{SITE}/style\.css)"', body)
    assert link and image and style, body[:3000]
    assert http.get(_local(image.group(1))).data == PNG
    assert b"#123456" in http.get(_local(style.group(1))).data
    other = http.get(_local(link.group(1)), follow_redirects=True)
    assert other.status_code == 200 and b"Page B text" in other.data
    # previous / next capture, server-side
    assert f"/replay/{token}/archive/20260308000000mp_/{SITE}/" in body and "next capture" in body
    newer = http.get(f"/replay/{token}/archive/20260308000000mp_/{SITE}/").get_data(as_text=True)
    assert "Release 2" in newer and "previous capture" in newer and "20260301000000mp_" in newer
    with env.engine.connect() as conn:
        audited = [(r.action, r.target) for r in conn.execute(select(audit_log))]
    assert ("replay", f"url:{SITE}/") in audited and ("replay", f"url:{SITE}/b.html") in audited


def test_browsing_keeps_the_token_rules(browse) -> None:
    env, app, ids = browse
    http = app.test_client()
    assert http.get(f"/replay/forged/archive/20260301000000mp_/{SITE}/").status_code == 404
    other_key = env.settings.replace(secret_key="another-key")
    assert http.get(f"/replay/{make_token(other_key, ids['home1'], 1)}/archive/20260301000000mp_/{SITE}/"
                    ).status_code == 404
    token = _entry(env, ids["home1"]).split("/")[2]
    csv = http.get(f"/replay/{token}/archive/20260301000000mp_/{SITE}/people.csv")
    assert csv.status_code == 415 and csv.headers["Content-Security-Policy"].startswith("sandbox;")
    assert env.client("viewer").get(f"/captures/{ids['home1']}/view").status_code == 403


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, br"])
def test_capture_pages_read_encoded_bodies(tmp_path: Path, coding: str) -> None:
    from tests.indexer.test_content_encodings import HTML, _encode, _write
    from web.archive import read_payload

    warc = _write(tmp_path / "e.warc.gz", [(f"{SITE}/", "text/html", _encode(HTML, coding), coding)])
    assert read_payload({"warc_file": str(warc), "warc_offset": 0}, tmp_path).body == HTML


def test_only_the_archive_is_reachable_through_pywb(browse) -> None:
    env, app, ids = browse
    token = _entry(env, ids["home1"]).split("/")[2]
    http = app.test_client()
    for path in ("live/mp_/http://127.0.0.1:9/", "archive/record/mp_/http://127.0.0.1:9/", "collinfo.json",
                 "_/proxy", "archive/../live/mp_/http://127.0.0.1:9/"):
        response = http.get(f"/replay/{token}/{path}")
        assert response.status_code == 404 or b"127.0.0.1:9" not in response.data, path


def test_a_page_inside_a_wacz_is_browsed_too(env: WebEnv, tmp_path: Path) -> None:
    from tests.indexer.test_wacz_in import make_wacz

    wacz, _warc = make_wacz(tmp_path)
    Indexer(env.config, env.engine, env.search).index_paths([wacz])
    with env.engine.connect() as conn:
        home = conn.execute(select(captures.c.id, captures.c.warc_file).where(
            captures.c.url == "https://agency.example.gov/")).one()
    assert "#archive/" in home.warc_file
    app = create_replay_app(env.config)
    try:
        http = app.test_client()
        moved = http.get(_entry(env, home.id))
        assert moved.status_code == 302
        page = http.get(moved.headers["Location"])
        assert page.status_code == 200 and b"<title>Agency</title>" in page.data
    finally:
        app.extensions["spillwatch_pywb"].stop()


@pytest.mark.parametrize("path", ["archive/20260301000000im_/{site}/people.csv",
                                  "archive/20260301000000cs_/{site}/people.csv",
                                  "archive/20260301000000js_/{site}/people.csv",
                                  "archive/20260301000000if_/{site}/people.csv",
                                  "archive/../archive/20260301000000mp_/{site}/people.csv",
                                  "archive/20260301000000mp_/../20260301000000mp_/{site}/people.csv",
                                  "archive/im_/{site}/people.csv", "archive/{site}/people.csv",
                                  "archive/2026im_/{site}/people.csv",
                                  "archive/%2e%2e/archive/2026mp_/{site}/people.csv"])
def test_a_document_is_not_read_through_a_subresource_mode(browse, path: str) -> None:
    """A page's token must not open the archive's tables unaudited: pywb's image, style, script and
    frame modes (and dot segments) serve no CSV, whatever mode the URL names."""
    env, app, ids = browse
    token = _entry(env, ids["home1"]).split("/")[2]
    response = app.test_client().get(f"/replay/{token}/{path.format(site=SITE)}")
    assert b"1990-01-01" not in response.data, (response.status_code, response.headers)
