"""Bounded searches (issue 12 item 4): a time budget on every query, a limit on prefix expansion,
and searches that never wait for each other (no timing asserted: what is checked is that a query
over budget is stopped and answered "refine your search")."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from indexer.search import SearchQuery, SearchTooBroad, open_search
from indexer.search.budget import Budget, time_budget
from indexer.search.sqlite_fts import SqliteSearch
from tests.search.test_contract import doc


def test_a_statement_over_budget_is_stopped_and_says_refine(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.sqlite3")
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with pytest.raises(SearchTooBroad, match="refine your search"), time_budget(conn, 0.05):
        conn.execute(endless).fetchone()
    # the handler is removed afterwards: the connection works as before
    assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_prefix_expanding_to_too_many_words_is_refused(tmp_path: Path) -> None:
    backend = SqliteSearch(tmp_path / "search.sqlite3", budget=Budget(seconds=5, max_prefix_terms=50))
    backend.ensure_ready()
    backend.index([doc(f"d{n}", f"caseword zq{n:04d}") for n in range(120)])
    with pytest.raises(SearchTooBroad, match=r"'zq\*' matches more than 50 different words; refine your search"):
        backend.search(SearchQuery(text="zq*"))
    assert backend.search(SearchQuery(text="zq001*")).total == 10  # zq0010..zq0019: narrow enough
    assert backend.search(SearchQuery(text="caseword -zq000*")).total == 110  # negated prefixes are checked too
    with pytest.raises(SearchTooBroad):
        backend.search(SearchQuery(text="caseword -zq*"))
    backend.close()


def test_settings_reach_the_backend_and_searches_run_side_by_side(make_settings, tmp_path: Path) -> None:
    backend = open_search(make_settings(search_time_budget="2s", search_max_prefix_terms="7"))
    assert isinstance(backend, SqliteSearch) and backend.budget == Budget(seconds=2.0, max_prefix_terms=7)
    backend.index([doc(f"d{n}", f"roster word{n}") for n in range(30)])
    # a writer holding the backend's connection (a bulk load) does not hold up a search in another thread
    answers: list[int] = []
    with backend._lock:
        other = threading.Thread(target=lambda: answers.append(backend.search(SearchQuery(text="roster")).total))
        other.start()
        other.join(timeout=30)
    assert answers == [30]
    backend.close()
