"""Documents no page links any more are removed after N crawls, also when a run was interrupted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.catalog.schema import changes, versions
from indexer import removals
from tests.indexer.conftest import rows
from tests.indexer.warc_builder import write_warc

DAY1, DAY2, DAY3 = (datetime(2026, 4, d, tzinfo=UTC) for d in (1, 2, 3))
DOC = "http://agency.example/files/list.csv"


def page(with_link: bool, words: str) -> bytes:
    link = f'<a href="{DOC}">List</a>' if with_link else ""
    return f"<html><head><title>Files</title></head><body><p>{words}</p>{link}</body></html>".encode()


def crawls(tmp_path: Path) -> list[Path]:
    return [
        write_warc(tmp_path / "1.warc.gz", [("http://agency.example/files/", 200, "text/html",
                                             page(True, "Our files."), DAY1),
                                            (DOC, 200, "text/csv", b"a,b\n1,2\n", DAY1)]),
        write_warc(tmp_path / "2.warc.gz", [("http://agency.example/files/", 200, "text/html",
                                             page(False, "Our files. The list was withdrawn."), DAY2)]),
        write_warc(tmp_path / "3.warc.gz", [("http://agency.example/files/", 200, "text/html",
                                             page(False, "Our files. The list was withdrawn."), DAY3)]),
    ]


def test_unlinked_document_is_removed_after_two_crawls(make_indexer, catalog, tmp_path: Path) -> None:
    first, second, third = crawls(tmp_path)
    make_indexer().index_paths([first])
    make_indexer().index_paths([second])
    assert [c["kind"] for c in rows(catalog, changes, changes.c.url == DOC)] == ["new"]
    (doc,) = rows(catalog, versions, versions.c.url == DOC)
    assert doc["unlinked_crawls"] == 1 and doc["removed_at"] is None
    make_indexer().index_paths([second])  # the same crawl again does not count twice
    assert rows(catalog, versions, versions.c.url == DOC)[0]["unlinked_crawls"] == 1
    make_indexer().index_paths([third])
    removed = rows(catalog, changes, changes.c.url == DOC, changes.c.kind == "removed")
    assert len(removed) == 1 and removed[0]["details"]["reason"] == "unlinked"
    assert rows(catalog, versions, versions.c.url == DOC)[0]["removed_at"].replace(tzinfo=UTC) == DAY3


def test_removal_check_survives_an_interrupted_run(make_indexer, catalog, tmp_path: Path, monkeypatch) -> None:
    first, second, _ = crawls(tmp_path)
    make_indexer(removed_after_crawls=1).index_paths([first])
    real = removals.check_unlinked

    def power_cut(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(removals, "check_unlinked", power_cut)
    with pytest.raises(KeyboardInterrupt):
        make_indexer(removed_after_crawls=1).index_paths([second])
    monkeypatch.setattr(removals, "check_unlinked", real)
    make_indexer(removed_after_crawls=1).index_paths([second])
    assert [c["kind"] for c in rows(catalog, changes, changes.c.url == DOC, order=changes.c.id)] == ["new", "removed"]
