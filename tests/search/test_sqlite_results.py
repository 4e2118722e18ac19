"""The SQLite backend's one-pass search (indexer/search/sqlite_results.py) gives the pages, totals and
facets that sorting and counting every match gives: ties at a page's edge, pages past the room left for
ties, filters, and the narrow ``search_meta`` table kept in step by triggers through updates, deletes
and an index file that had no such table yet."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from indexer.search import SearchQuery
from indexer.search.sqlite_fts import SqliteSearch
from indexer.search.sqlite_results import TIE_ROOM
from tests.search.test_contract import T0, doc


def _backend(tmp_path: Path) -> SqliteSearch:
    backend = SqliteSearch(tmp_path / "search.sqlite3")
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


def test_equal_scores_page_by_date_then_id_past_the_room_for_ties(tmp_path: Path) -> None:
    backend = _backend(tmp_path)
    count = 20 + TIE_ROOM * 2  # more ties than the first fetch holds
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
