"""Archived pages are hostile input: NUL characters, huge URLs, binary junk served as HTML."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from core.catalog.schema import captures, changes, links
from tests.indexer.conftest import count, rows
from tests.indexer.warc_builder import write_warc

DAY1, DAY2 = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC)


def test_nul_characters_long_urls_and_junk(make_indexer, catalog, tmp_path: Path) -> None:
    long_path = "/q?" + "x" * 3000
    page1 = b"<html><head><title>Bad\x00title</title></head><body><p>Hello</p></body></html>"
    page2 = (f'<html><head><title>Bad\x00title</title></head><body><p>Hello, new list below.</p>'
             f'<a href="http://agency.example{long_path}.csv">long</a><a href="/ok.csv">Fine\x00name</a>'
             "</body></html>").encode()
    junk = os.urandom(5000)
    summary = make_indexer().index_paths([
        write_warc(tmp_path / "1.warc.gz", [("http://agency.example/", 200, "text/html", page1, DAY1),
                                            ("http://agency.example" + long_path, 200, "text/html", page1, DAY1),
                                            ("http://agency.example/junk.html", 200, "text/html", junk, DAY1)]),
        write_warc(tmp_path / "2.warc.gz", [("http://agency.example/", 200, "text/html", page2, DAY2)]),
    ])
    assert summary.errors == 0 and summary.captures == 4
    titles = {r["title"] for r in rows(catalog, captures, captures.c.url == "http://agency.example/")}
    assert len(titles) == 1 and "\x00" not in titles.pop()
    assert {r["target_url"] for r in rows(catalog, links)} == {"http://agency.example/ok.csv"}
    assert [r["url"] for r in rows(catalog, changes, changes.c.kind == "new_document_linked")] == \
        ["http://agency.example/ok.csv"]
    junk_capture = rows(catalog, captures, captures.c.url == "http://agency.example/junk.html")[0]
    assert junk_capture["media_type_sniffed"] == "application/octet-stream"
    assert count(catalog, captures, captures.c.surt.like("%#%")) == 1  # the huge URL's key is hashed
