"""Oversize and bomb bodies are kept, never dropped (issue 12 item 6), as docs/crawler.md says: a
body over max_response_size is stored cut with `WARC-Truncated: length`; a gzip bomb (small on the
wire, huge decoded) is stored as received, compressed and whole, and the spider does not parse it;
the indexer reads at most index_max_payload of it and marks the capture truncated."""

from __future__ import annotations

import gzip
from pathlib import Path

from sqlalchemy import select

from core.catalog import open_catalog
from core.catalog.schema import captures
from crawler.run import run_crawl
from indexer.search import SearchQuery, open_search
from spillwatch.cli import main
from spillwatch.demo.agency_site import AgencySite, Resource
from tests.crawler.conftest import fast_job, read_records

LIMIT = 1_000_000


def test_bombs_and_oversize_bodies_are_stored_and_indexed_truncated(tmp_path: Path, make_settings) -> None:
    bomb = gzip.compress(b"<html><body><p>" + b"spill " * 40_000_000 + b"</p></body></html>", 9)
    assert len(bomb) < LIMIT
    with AgencySite() as site:
        site.set_resource("/bomb.html", Resource(bomb, "text/html", gzip_encoded=True))
        site.set_resource("/big.bin", Resource(b"x" * (3 * LIMIT), "application/octet-stream"))
        manifest = run_crawl(fast_job(tmp_path / "out", [site.url("/bomb.html"), site.url("/big.bin")], max_depth=0,
                                      max_response_size=LIMIT))
        responses = {r.uri: r for r in read_records(manifest.warc_files) if r.type == "response"}
        bomb_url, big_url = site.url("/bomb.html"), site.url("/big.bin")
    assert manifest.status == "finished" and manifest.truncated == 1
    assert responses[bomb_url].payload == bomb and responses[bomb_url].header("Content-Encoding") == "gzip"
    assert "WARC-Truncated" not in responses[bomb_url].warc  # stored whole, as received
    assert len(responses[big_url].payload) == LIMIT and responses[big_url].warc["WARC-Truncated"] == "length"

    settings = make_settings(index_max_payload="5MB")
    assert main(["--data-dir", str(settings.data_path), "--set", "index_max_payload=5MB", "index", "--no-progress",
                 *manifest.warc_files]) == 0
    engine = open_catalog(settings)
    with engine.connect() as conn:
        rows = {r.url: r for r in conn.execute(select(captures.c.url, captures.c.id))}
    engine.dispose()
    search = open_search(settings)
    try:
        found = [search.get(hit.id) for hit in search.search(SearchQuery(text="", per_page=10)).hits]
    finally:
        search.close()
    docs = {doc.url: doc for doc in found if doc is not None}
    assert bomb_url in rows and big_url in rows  # both are captures: nothing dropped
    assert docs[bomb_url].extra["truncated"] is True and docs[big_url].extra["truncated"] is True
