"""Hole 1 and 2 at the index: a viewer's query matches the viewer view of each document only, on both
backends, so masked values cannot be probed by prefix, phrase or exact-term queries."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.search import SearchQuery
from indexer.search.base import SearchBackend
from indexer.search.masking import viewer_view
from tests.search.test_contract import doc

ROSTER = "Detention roster\nMaria Hernández A123456789 1987-03-14 Otay Mesa\nJosé Okafor A298765432 1990-11-02 Krome"
PAGE = "Quarterly release notes\nThe table below lists transfers.\nNadia Petrova\nA211122233\n1979-05-30"


def ids(backend: SearchBackend, text: str, masked: bool) -> list[str]:
    backend.refresh()
    return [h.id for h in backend.search(SearchQuery(text=text, masked=masked)).hits]


@pytest.fixture
def loaded(search_backend: SearchBackend) -> SearchBackend:
    _title, cells = viewer_view(title="Release", text=PAGE, media_type="text/html", has_finding=False,
                                has_tables=True, cells_masked=PAGE.replace("Nadia Petrova", "N**** P*****")
                                .replace("A211122233", "A*********").replace("1979-05-30", "****-**-**"))
    search_backend.index([
        doc("flagged", ROSTER, title="Roster of Maria Hernández", media_type="text/csv", has_finding=True,
            severity="critical"),
        doc("page", PAGE, title="Release", media_type="text/html", masked_text=cells),
        doc("plain", "Press release about parole figures", title="Press", media_type="text/html"),
    ])
    return search_backend


@pytest.mark.parametrize("probe", ["a123456789", "a12*", "a1234*", "hernandez", "hernández", '"maria hernandez"',
                                   "maria", "1987", "1987-03-14", "okafor", "ok*", "roster", "petrova",
                                   "a2111*", "1979", '"nadia petrova"', "nadia"])
def test_masked_values_cannot_be_probed(loaded: SearchBackend, probe: str) -> None:
    assert ids(loaded, probe, masked=True) == [], probe


def test_analysts_still_search_everything(loaded: SearchBackend) -> None:
    assert ids(loaded, "a12*", masked=False) == ["flagged"]
    assert ids(loaded, '"maria hernandez"', masked=False) == ["flagged"]
    assert ids(loaded, "petrova", masked=False) == ["page"]


def test_viewers_find_what_they_may_see(loaded: SearchBackend) -> None:
    assert ids(loaded, "transfers", masked=True) == ["page"]  # prose around the table
    assert ids(loaded, "parole", masked=True) == ["plain"]
    assert sorted(ids(loaded, "", masked=True)) == ["flagged", "page", "plain"]
    assert sorted(ids(loaded, "-parole", masked=True)) == ["flagged", "page"]


def test_viewer_hits_show_the_viewer_view(loaded: SearchBackend) -> None:
    loaded.refresh()
    result = loaded.search(SearchQuery(text="transfers", masked=True))
    shown = [t for fragment in result.hits[0].highlights for t, _m in fragment]
    assert "Petrova" not in "".join(shown) and "1979" not in "".join(shown)
    every = loaded.search(SearchQuery(text="", masked=True, has_finding=True)).hits
    assert [h.title for h in every] == ["R***** o* M**** H********"]


def test_a_flagged_document_is_masked_even_without_a_viewer_view(search_backend: SearchBackend) -> None:
    built: dict[str, Any] = {"has_finding": True, "severity": "high", "media_type": "text/html"}
    search_backend.index([doc("x", "Olga Ivanova A255555555", **built)])  # builder forgot masked_text
    assert ids(search_backend, "ivanova", masked=True) == []
    assert ids(search_backend, "ivanova", masked=False) == ["x"]


def test_an_old_sqlite_index_gets_masked_views(tmp_path) -> None:
    import sqlite3

    from indexer.search.sqlite_fts import SqliteSearch

    path = tmp_path / "search.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE search_docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
            site TEXT NOT NULL, media_type TEXT NOT NULL, captured_at TEXT NOT NULL, captured_ts REAL NOT NULL,
            title TEXT NOT NULL, text TEXT NOT NULL, has_finding INTEGER NOT NULL, severity TEXT,
            capture_id INTEGER, extra TEXT NOT NULL);
        CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO search_docs VALUES (1, 'p', 'https://x.example.gov/p', 'x', 'text/html',
            '2022-11-28T09:00:00+00:00', 1669626000.0, 'Transfers', 'Transfers of Nadia Petrova A211122233',
            0, NULL, 1, '{}');
        INSERT INTO search_fts (rowid, title, body) VALUES (1, 'transfers', 'transfers of nadia petrova a211122233');
    """)
    db.commit()
    db.close()
    backend = SqliteSearch(path)
    backend.ensure_ready()
    try:
        assert ids(backend, "petrova", masked=True) == [] and ids(backend, "a2111*", masked=True) == []
        assert ids(backend, "petrova", masked=False) == ["p"]
        assert ids(backend, "t*", masked=True) == ["p"]
    finally:
        backend.close()
