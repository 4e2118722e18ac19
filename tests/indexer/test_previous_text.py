"""A changed URL's previous text comes from its search document; without one, from its WARC
record: the same significance and the same changes either way."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.catalog import open_catalog, schema
from core.config import Config
from indexer.pipeline import Indexer
from indexer.search import open_search
from tests.indexer.warc_builder import write_warc

PAGE = ("<html><head><title>Statistics</title></head><body><h1>Detention statistics</h1><p>{body}</p>"
        "<footer>Updated {stamp}</footer></body></html>")


def table(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Country", "Book-ins", "Releases"])
    writer.writerows([f"Country {i}", i * 7, i * 3] for i in range(rows))
    return out.getvalue().encode()


def crawls(folder: Path) -> tuple[Path, Path]:
    def day(n: int) -> datetime:
        return datetime(2026, 3, n, 12, 0, tzinfo=UTC)

    html = "text/html; charset=utf-8"
    first = write_warc(folder / "c1.warc.gz", [
        ("http://agency.example/stamp.html", 200, html,
         PAGE.format(body="Monthly detention figures by country.", stamp="2026-03-01 10:00").encode(), day(1)),
        ("http://agency.example/news.html", 200, html,
         PAGE.format(body="The office publishes monthly figures.", stamp="").encode(), day(1)),
        ("http://agency.example/table.csv", 200, "text/csv", table(20), day(1)),
    ])
    second = write_warc(folder / "c2.warc.gz", [
        ("http://agency.example/stamp.html", 200, html,
         PAGE.format(body="Monthly detention figures by country.", stamp="2026-03-02 11:30").encode(), day(2)),
        ("http://agency.example/news.html", 200, html,
         PAGE.format(body="The office stopped publishing figures after a review of its releases.",
                     stamp="").encode(), day(2)),
        ("http://agency.example/table.csv", 200, "text/csv", table(26), day(2)),
    ])
    return first, second


def run(data_dir: Path, paths: tuple[Path, Path], make_settings: Callable[..., Any],
        drop_search: bool) -> list[tuple[Any, ...]]:
    config = Config(settings=make_settings(data_dir=str(data_dir)))
    engine = open_catalog(config.settings)
    search = open_search(config.settings)
    try:
        Indexer(config, engine, search).index_paths([paths[0]])
        if drop_search:  # the second run must read the previous texts from the WARC records
            search.clear()
            assert search.texts(["anything"]) == {}
        Indexer(config, engine, search).index_paths([paths[1]])
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(schema.changes.c.url, schema.changes.c.kind, schema.changes.c.significance)
                .order_by(schema.changes.c.id))]
    finally:
        search.close()
        engine.dispose()


def test_previous_text_from_search_or_from_the_warc(tmp_path: Path, make_settings) -> None:
    paths = crawls(tmp_path)
    from_search = run(tmp_path / "search", paths, make_settings, drop_search=False)
    from_warc = run(tmp_path / "warc", paths, make_settings, drop_search=True)
    assert from_search == from_warc
    by_url = {(url, kind): significance for url, kind, significance in from_search}
    assert by_url[("http://agency.example/stamp.html", "unchanged")] < 0.02
    assert by_url[("http://agency.example/news.html", "changed")] > 0.2
    assert 0 < by_url[("http://agency.example/table.csv", "changed")] < 1
