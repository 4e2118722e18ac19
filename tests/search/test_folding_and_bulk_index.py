"""Index text folding (its C-level fast paths) and the SQLite backend's bulk ``index``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.models import SearchDocument
from indexer.search import SearchQuery
from indexer.search.folding import fold, index_text
from indexer.search.sqlite_fts import SqliteSearch


@pytest.mark.parametrize(("text", "indexed"), [
    ("Hello,  World!!  foo_bar", "hello world foo_bar"),
    ("  x  ", "x"),
    ("a   b    c", "a b c"),
    ("", ""),
    ("!!!", ""),
    ("a\xa0b \u2014 c", "a b c"),
    ("Jos\u00e9 M\u00fcller stra\u00dfe \u00bd", "jose muller strasse 1\u20442"),
    ("\u01c5 \ufb01", "dz fi"),
])
def test_index_text(text: str, indexed: str) -> None:
    assert index_text(text) == indexed


def test_fold_is_per_character() -> None:
    assert fold("Jos\u00e9 M\u00dcLLER") == "jose muller"
    assert fold("\u00c5ngstr\u00f6m \u212b") == "angstrom a"


def _doc(doc_id: str, text: str, title: str = "") -> SearchDocument:
    return SearchDocument(id=doc_id, url=f"https://a.example/{doc_id}", site="a", media_type="text/html",
                          captured_at=datetime(2026, 1, 1, tzinfo=UTC), title=title, text=text)


def test_bulk_index_replaces_in_place_and_last_of_an_id_wins(tmp_path: Path) -> None:
    backend = SqliteSearch(tmp_path / "search.db")
    backend.ensure_ready()
    assert backend.index([_doc("a", "parole"), _doc("b", "asylum")]) == 2
    # "a" again twice in one call (the last wins), "c" new, "b" untouched
    assert backend.index(iter([_doc("a", "removal"), _doc("c", "detention"), _doc("a", "release", "T")])) == 3
    assert backend.index([]) == 0
    with backend._db() as db:
        rows = [tuple(r) for r in db.execute("SELECT rowid, id, text, title FROM search_docs ORDER BY rowid")]
        fts = [tuple(r) for r in db.execute("SELECT rowid, title, body FROM search_fts ORDER BY rowid")]
    assert rows == [(1, "a", "release", "T"), (2, "b", "asylum", ""), (3, "c", "detention", "")]
    assert fts == [(1, "t", "release"), (2, "", "asylum"), (3, "", "detention")]
    hits = {word: [h.id for h in backend.search(SearchQuery(text=word)).hits]
            for word in ("parole", "removal", "release", "asylum", "detention")}
    assert hits == {"parole": [], "removal": [], "release": ["a"], "asylum": ["b"], "detention": ["c"]}
    backend.close()
