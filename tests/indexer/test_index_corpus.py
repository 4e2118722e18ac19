"""Indexing the corpus of real WARC/ARC files on every catalog × search backend pair."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from core.catalog.schema import captures, changes, versions, warc_files
from indexer.search import SearchQuery
from tests.indexer.conftest import count, rows


def test_corpus_indexes_every_file_and_reports_broken_records(make_indexer, catalog, search_backend,
                                                              corpus: Path) -> None:
    summary = make_indexer().index_paths([corpus])
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    assert summary.files == len(files)
    indexed = rows(catalog, warc_files)
    assert {r["path"] for r in indexed} == {str(p) for p in files}
    assert all(r["status"] == "indexed" for r in indexed)
    by_name = {Path(r["path"]).name: r for r in indexed}
    wrong = by_name["warcio__example-wrong-chunks.warc.gz"]["errors"]
    assert [e["offset"] for e in wrong] == [0]
    assert "warcio recompress" in by_name["warcio__example-bad-non-chunked.warc.gz"]["errors"][0]["hint"]
    assert summary.errors == 1 and summary.warnings == 3
    # every response/resource/revisit of a web URL is a capture; crawler logs (metadata://, urn:) are not
    assert count(catalog, captures, captures.c.url.like("metadata:%")) == 0
    assert summary.captures == count(catalog, captures) == 27
    sniffed = rows(catalog, captures, captures.c.url == "http://example.iana.org/")[0]
    assert sniffed["media_type_sniffed"] == "text/html" and sniffed["status"] == 200
    assert sniffed["surt"] == "org,iana,example)/"

    search_backend.refresh()
    result = search_backend.search(SearchQuery(text="illustrative examples"))
    assert result.total >= 1 and result.hits[0].title == "Example Domain"
    assert any(matched for text, matched in result.hits[0].highlights[0])


def test_revisits_resolve_to_the_capture_they_refer_to(make_indexer, catalog, corpus: Path) -> None:
    make_indexer().index_paths([corpus / "pywb__example-url-agnostic-revisit.warc.gz",
                                corpus / "pywb__example-url-agnostic-orig.warc.gz",
                                corpus / "pywb__dupes.warc.gz"])
    revisit = rows(catalog, captures, captures.c.url == "http://test@example.com/")[0]
    original = rows(catalog, captures, captures.c.url == "http://example.iana.org/")[0]
    # URL-agnostic: indexed before its original (other file), resolved at the end of the run
    assert revisit["refers_to_capture_id"] == original["id"]
    same_url = rows(catalog, captures, captures.c.url == "http://example.com", captures.c.record_type == "revisit")
    first = rows(catalog, captures, captures.c.url == "http://example.com", captures.c.record_type == "response")
    assert same_url[0]["refers_to_capture_id"] == first[0]["id"]
    # a revisit of the same content is no new version
    assert count(catalog, versions, versions.c.surt == "com,example)/") == 1


def test_indexing_twice_changes_nothing(make_indexer, catalog, search_backend, corpus: Path) -> None:
    make_indexer().index_paths([corpus])
    search_backend.refresh()
    before = (count(catalog, captures), count(catalog, versions), count(catalog, changes), search_backend.count())
    again = make_indexer().index_paths([corpus])
    assert again.files == 0 and again.files_skipped == 14 and again.captures == 0
    after = (count(catalog, captures), count(catalog, versions), count(catalog, changes), search_backend.count())
    assert after == before


@pytest.mark.parametrize("read_ahead", ["0", "1"], ids=["one process", "read-ahead processes"])
def test_interrupted_run_resumes_where_it_stopped(make_indexer, catalog, search_backend, corpus: Path,
                                                  read_ahead: str) -> None:
    path = corpus / "pywb__dupes.warc.gz"
    clean = make_indexer(index_read_ahead_size=read_ahead)
    clean.batch_size = 3

    class Crash(BaseException):  # a power cut: nothing the indexer could catch (an Exception fails the file)
        pass

    calls = {"n": 0}
    original_index = search_backend.index

    def crashing_index(docs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Crash("power cut")
        return original_index(docs)

    search_backend.index = crashing_index
    try:
        clean.index_paths([path])
    except Crash:
        pass
    else:
        raise AssertionError("the run should have been interrupted")
    finally:
        search_backend.index = original_index
    # the read-ahead processes were stopped with the run
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("spillwatch-read-ahead")]
    state = rows(catalog, warc_files)[0]
    assert state["status"] == "indexing" and 0 < state["resume_offset"] < path.stat().st_size
    partial = count(catalog, captures)
    resumed = make_indexer(index_read_ahead_size=read_ahead).index_paths([path])
    assert partial > 0 and resumed.captures == 12 - partial
    assert count(catalog, captures) == 12
    assert rows(catalog, warc_files)[0]["status"] == "indexed"
    search_backend.refresh()
    assert search_backend.count() == count(catalog, versions)
