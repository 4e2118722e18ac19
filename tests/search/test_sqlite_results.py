"""The SQLite backend's search (indexer/search/sqlite_results.py) gives the pages, totals and facets
that sorting and counting every match gives when the matches fit its rank window: ties at a page's
edge, filters as FTS tags, the narrow ``search_meta`` table kept in step by triggers through updates,
deletes and an index file that had no such table yet.  Beyond the window it ranks the most recently
indexed matches, keeps the total exact and says so."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from indexer.search import SearchQuery
from indexer.search.sqlite_fts import SqliteSearch
from tests.search.test_contract import T0, doc


def _backend(tmp_path: Path, rank_window: int = 0) -> SqliteSearch:
    backend = SqliteSearch(tmp_path / "search.sqlite3", rank_window=rank_window)
    backend.ensure_ready()
    return backend


def _all_pages(backend: SqliteSearch, **query: object) -> list[str]:
    found: list[str] = []
    page = 1
    while True:
        result = backend.search(SearchQuery(page=page, per_page=20, **query))  # type: ignore[arg-type]
        found.extend(hit.id for hit in result.hits)
        if page >= result.pages:
            return found
        page += 1


def test_equal_scores_page_by_date_then_id(tmp_path: Path) -> None:
    backend = _backend(tmp_path)
    count = 150  # seven pages of ties
    # identical texts score the same; dates repeat every 7 documents so that ids break ties too
    docs = [doc(f"d{n:03d}", "identical words here", at=T0 + timedelta(days=n % 7)) for n in range(count)]
    backend.index(docs)
    expected = [d.id for d in sorted(sorted(docs, key=lambda d: d.id), key=lambda d: d.captured_at, reverse=True)]
    assert _all_pages(backend, text="identical") == expected
    assert _all_pages(backend, text="identical", sort="oldest") == [
        d.id for d in sorted(sorted(docs, key=lambda d: d.id), key=lambda d: d.captured_at)]
    backend.close()


def test_better_scores_come_first_and_totals_match_facets(tmp_path: Path) -> None:
    backend = _backend(tmp_path)
    backend.index([doc(f"weak{n}", "report " + "filler " * 30, site="ice" if n % 2 else "cbp") for n in range(30)]
                  + [doc("strong", "report report report", title="report", site="cbp",
                         has_finding=True, severity="high")])
    result = backend.search(SearchQuery(text="report"))
    assert result.hits[0].id == "strong" and result.total == 31
    assert result.facets["site"] == {"cbp": 16, "ice": 15}
    assert result.facets["has_finding"] == {"false": 30, "true": 1}
    assert result.facets["severity"] == {"high": 1}
    filtered = backend.search(SearchQuery(text="report", sites=("ice",)))
    assert filtered.total == 15 and {h.site for h in filtered.hits} == {"ice"}
    assert backend.search(SearchQuery(text="report", facets=False)).total == 31
    backend.close()


def test_updates_and_deletes_reach_the_facets(tmp_path: Path) -> None:
    backend = _backend(tmp_path)
    backend.index([doc("a", "permit", site="ice"), doc("b", "permit", site="ice")])
    backend.index([doc("a", "permit", site="uscis")])  # same id: replaced in place
    assert backend.search(SearchQuery(text="permit")).facets["site"] == {"ice": 1, "uscis": 1}
    backend.delete(["b"])
    result = backend.search(SearchQuery(text="permit"))
    assert result.total == 1 and result.facets["site"] == {"uscis": 1}
    assert backend.search(SearchQuery(text="", sites=("uscis",))).total == 1  # filters alone read search_meta too
    backend.close()


def test_an_index_file_without_search_meta_gets_it_filled(tmp_path: Path) -> None:
    backend = _backend(tmp_path)
    backend.index([doc(f"d{n}", "asylum ruling", site="ice" if n < 3 else "cbp") for n in range(5)])
    backend.close()
    with sqlite3.connect(tmp_path / "search.sqlite3") as conn:  # as a file written before this table existed
        conn.executescript("DROP TRIGGER search_meta_insert; DROP TRIGGER search_meta_update; "
                           "DROP TRIGGER search_meta_delete; DROP TABLE search_meta;")
    backend = _backend(tmp_path)
    assert backend.search(SearchQuery(text="asylum")).facets["site"] == {"ice": 3, "cbp": 2}
    backend.close()


def test_beyond_the_window_the_newest_indexed_are_ranked_and_the_total_stays_exact(tmp_path: Path) -> None:
    backend = _backend(tmp_path, rank_window=10)
    # indexed in this order: "old" documents first, then the ten most recent, one of them a better match
    backend.index([doc(f"old{n:02d}", "visa appeal", site="ice", at=T0 + timedelta(days=n)) for n in range(15)])
    backend.index([doc(f"new{n:02d}", "visa appeal", site="cbp", at=T0 - timedelta(days=n)) for n in range(9)]
                  + [doc("new-strong", "visa visa visa", title="visa", site="cbp")])
    result = backend.search(SearchQuery(text="visa"))
    assert result.total == 25 and result.total_exact and result.ranked_among == 10
    assert result.hits[0].id == "new-strong" and {h.id for h in result.hits} == {f"new{n:02d}" for n in range(9)} | {
        "new-strong"}
    assert result.facets["site"] == {"cbp": 10}  # counted in the window, which the result names
    assert result.pages == 1  # pages past the window cannot be shown
    # "newest" sorts the window by date: the most recently indexed are not the latest captures here
    newest = backend.search(SearchQuery(text="visa", sort="newest"))
    assert [h.id for h in newest.hits][:2] == ["new-strong", "new00"]
    # the oldest sort walks the index from its other end
    oldest = backend.search(SearchQuery(text="visa", sort="oldest"))
    assert [h.id for h in oldest.hits][:3] == ["old00", "old01", "old02"] and oldest.ranked_among == 10
    # a filter narrows the matches before the window: every "ice" match fits in two windows' worth
    ice = backend.search(SearchQuery(text="visa", sites=("ice",), per_page=5))
    assert ice.total == 15 and ice.total_exact and ice.ranked_among == 10 and {h.site for h in ice.hits} == {"ice"}
    # a search that fits the window is ranked whole
    few = backend.search(SearchQuery(text="visa", sites=("cbp",)))
    assert few.total == 10 and few.ranked_among is None and few.facets["site"] == {"cbp": 10}
    # without words, the newest captures by date, and the total counted
    browse = backend.search(SearchQuery(text=""))
    assert browse.total == 25 and browse.ranked_among == 10 and browse.hits[0].id == "old14"
    backend.close()


def test_a_date_filter_beyond_the_window_counts_up_to_the_cap(tmp_path: Path) -> None:
    backend = _backend(tmp_path, rank_window=3)
    backend.index([doc(f"d{n}", "parole", at=T0 + timedelta(days=n)) for n in range(8)])
    result = backend.search(SearchQuery(text="parole", date_from=T0 + timedelta(days=2)))
    assert result.total == 6 and result.total_exact and result.ranked_among == 3
    assert {h.id for h in result.hits} == {"d5", "d6", "d7"}
    backend.close()


def test_filters_and_words_never_match_each_other(tmp_path: Path) -> None:
    backend = _backend(tmp_path)
    backend.index([doc("a", "parole", site="ice"), doc("b", "ice parole", site="cbp")])
    assert [h.id for h in backend.search(SearchQuery(text="ice")).hits] == ["b"]  # the site is no word of "a"
    tags = sqlite3.connect(tmp_path / "search.sqlite3").execute("SELECT tags FROM search_fts").fetchone()[0]
    assert all(backend.search(SearchQuery(text=word)).total == 0 for word in tags.split())
    assert [h.id for h in backend.search(SearchQuery(text="parole", sites=("ice",))).hits] == ["a"]
    assert [h.id for h in backend.search(SearchQuery(text="-ice", sites=("cbp", "ice"))).hits] == ["a"]
    backend.close()


def test_an_index_file_without_filter_tags_is_rebuilt_with_them(tmp_path: Path) -> None:
    backend = _backend(tmp_path)
    backend.index([doc("a", "asylum ruling", site="ice"), doc("b", "asylum ruling", site="cbp")])
    backend.close()
    with sqlite3.connect(tmp_path / "search.sqlite3") as conn:  # as a file written before tags existed
        conn.executescript("DROP TABLE search_fts; CREATE VIRTUAL TABLE search_fts USING fts5(title, body, mtitle, "
                           "mbody, vis, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');"
                           "INSERT INTO search_fts (rowid, title, body, vis) SELECT rowid, title, text, 'open' "
                           "FROM search_docs;")
    backend = _backend(tmp_path)
    assert [h.id for h in backend.search(SearchQuery(text="asylum", sites=("cbp",))).hits] == ["b"]
    assert backend.search(SearchQuery(text="ruling")).total == 2
    backend.close()
