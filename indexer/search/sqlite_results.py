"""One search on the SQLite backend: one statement for the matches, one for the page's rows.

FTS5 has no early termination for bm25: ranking scores every match, and on a million documents a
middling word is in 150,000 of them (p95 111 ms for the bare ``MATCH … ORDER BY bm25 LIMIT 20``,
200 ms with the total and facets: issue 15 wants < 50 ms).  What is cheap is walking a MATCH in
rowid order, intersecting it with other terms, and counting it.  So a search reads:

1. **the window**: its matches in rowid order, newest indexed first (oldest first for ``oldest``),
   at most ``search_rank_window`` of them, each with its bm25 score and its facet fields from
   ``search_meta`` (a narrow table kept in step with ``search_docs`` by triggers), in ONE statement
   that stops at the window.  Filters on site, type, severity and finding are words of the FTS
   ``tags`` column (:func:`tag`), so a filtered search is an FTS intersection, not a scan;
2. **ranking and facets** come from the window, in Python: a query with fewer matches than the
   window gets exactly the order and facets of sorting and counting every match; a broader one is
   ranked among its most recently indexed matches, and the result says so
   (:attr:`~indexer.search.query.SearchResult.ranked_among`);
3. **the total** is exact (the window's size, or a bare FTS5 ``count(*)``, which walks doclists
   without scoring); with a date filter, which needs ``search_meta``, it counts up to
   :data:`TOTAL_CAP` and says "10,000+" beyond, as the Elasticsearch backend does;
4. **the page**: only the page's ``search_docs`` rows are read (the wide rows with the text), sorted
   with the tie-breakers (date, id).

``bench/search.py`` measures it against the bare FTS5 top-20.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from indexer.search.query import FACET_FIELDS

META_SCHEMA = """
CREATE TABLE IF NOT EXISTS search_meta (
    rowid INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    media_type TEXT NOT NULL,
    has_finding INTEGER NOT NULL,
    severity TEXT,
    captured_ts REAL NOT NULL
);
CREATE TRIGGER IF NOT EXISTS search_meta_insert AFTER INSERT ON search_docs BEGIN
    INSERT OR REPLACE INTO search_meta VALUES
        (new.rowid, new.site, new.media_type, new.has_finding, new.severity, new.captured_ts);
END;
CREATE TRIGGER IF NOT EXISTS search_meta_update AFTER UPDATE ON search_docs BEGIN
    DELETE FROM search_meta WHERE rowid = old.rowid;
    INSERT OR REPLACE INTO search_meta VALUES
        (new.rowid, new.site, new.media_type, new.has_finding, new.severity, new.captured_ts);
END;
CREATE TRIGGER IF NOT EXISTS search_meta_delete AFTER DELETE ON search_docs BEGIN
    DELETE FROM search_meta WHERE rowid = old.rowid;
END;
"""
META_FILL = ("INSERT OR REPLACE INTO search_meta SELECT rowid, site, media_type, has_finding, severity, captured_ts "
             "FROM search_docs")

TOTAL_CAP = 10_000  # counting stops here when only a scan of search_meta can count (a date filter)

# tag prefixes of the facet fields in the FTS ``tags`` column
_TAG_PREFIX = {"site": "s", "media_type": "m", "severity": "v", "has_finding": "f"}


def ensure_meta(db: sqlite3.Connection) -> None:
    """Create ``search_meta`` and its triggers; fill it when the index file had none yet."""
    had = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_meta'").fetchone()
    with db:
        db.executescript(META_SCHEMA)
        if had is None:
            db.execute(META_FILL)


def tag(field: str, value: object) -> str:
    """The FTS word standing for ``field = value``: a letter and a hash, so that any site name or media
    type (dots, slashes, non-Latin letters) is one token of the ``unicode61`` tokenizer, and no word of
    a document's text can be mistaken for it (text is matched in its own columns anyway)."""
    text = ("1" if value else "0") if field == "has_finding" else str(value)
    return _TAG_PREFIX[field] + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def tags(site: str, media_type: str, has_finding: bool, severity: str | None) -> str:
    """The ``tags`` column of one document."""
    words = [tag("site", site), tag("media_type", media_type), tag("has_finding", has_finding)]
    if severity:
        words.append(tag("severity", severity))
    return " ".join(words)


def tag_expression(sites: tuple[str, ...], media_types: tuple[str, ...], severities: tuple[str, ...],
                   has_finding: bool | None) -> str:
    """FTS5 text matching the documents that pass these filters (empty: no such filter)."""
    groups = [[tag(name, v) for v in values] for name, values in
              (("site", sites), ("media_type", media_types), ("severity", severities)) if values]
    if has_finding is not None:
        groups.append([tag("has_finding", has_finding)])
    return " AND ".join(f"tags : ({' OR '.join(words)})" for words in groups)


@dataclass(frozen=True)
class Match:
    """One window row: what ranking, facets and the page need of a match."""
    rowid: int
    score: float
    ts: float
    facets: tuple[Any, ...]  # the FACET_FIELDS values


@dataclass(frozen=True)
class Window:
    matches: list[Match]
    total: int
    total_exact: bool
    complete: bool  # every match is in the window (ranking and facets are exact)


def window(db: sqlite3.Connection, *, match: str, score: str, where: list[str], params: list[Any],
           oldest: bool, size: int) -> Window:
    """The matches of one search, at most ``size`` (0: all) in the order of the index.

    ``match``: the FTS5 MATCH text, or empty for a search without one (read from ``search_meta``
    by date instead); ``score``: the SQL of the score (over ``search_fts``); ``where``: further
    clauses on ``search_meta AS d`` with their ``params``."""
    fields = ", ".join(f"d.{name}" for name in FACET_FIELDS)
    clauses = list(where)
    values = list(params)
    if match:
        source = "search_fts JOIN search_meta AS d ON d.rowid = search_fts.rowid"
        clauses.insert(0, "search_fts MATCH ?")
        values.insert(0, match)
        order = f"search_fts.rowid {'ASC' if oldest else 'DESC'}"
    else:  # no words and no tag filter: newest captures first, by date (the ts index)
        source = "search_meta AS d"
        score = "0.0"
        order = f"d.captured_ts {'ASC' if oldest else 'DESC'}"
    condition = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    limit = size + 1 if size > 0 else -1
    rows = db.execute(f"SELECT d.rowid, {score}, d.captured_ts, {fields} FROM {source} {condition} "
                      f"ORDER BY {order} LIMIT ?", [*values, limit]).fetchall()
    matches = [Match(int(r[0]), float(r[1]), float(r[2]), tuple(r[3:])) for r in rows[:size or None]]
    if size <= 0 or len(rows) <= size:
        return Window(matches, len(matches), True, True)
    if match and not where:  # a bare count of the MATCH: doclists walked, nothing scored or joined
        total = int(db.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)).fetchone()[0])
        return Window(matches, total, True, False)
    counted = int(db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {source} {condition} LIMIT ?)",
                             [*values, TOTAL_CAP + 1]).fetchone()[0])
    return Window(matches, min(counted, TOTAL_CAP), counted <= TOTAL_CAP, False)


def facet_counts(matches: list[Match]) -> dict[str, dict[Any, int]]:
    counts: dict[str, dict[Any, int]] = {name: {} for name in FACET_FIELDS}
    for found in matches:
        for name, value in zip(FACET_FIELDS, found.facets, strict=True):
            counts[name][value] = counts[name].get(value, 0) + 1
    return counts


def best(matches: list[Match], sort: str, k: int) -> list[Match]:
    """The matches that can be among the first ``k`` in the order of ``sort``: the first k by score
    and date, and every later one equal to the k-th (the page's id tie-breaker needs their rows)."""
    key: Callable[[Match], tuple[float, ...]]
    if sort == "relevance":
        key = lambda m: (-m.score, -m.ts)  # noqa: E731
    elif sort == "oldest":
        key = lambda m: (m.ts,)  # noqa: E731
    else:
        key = lambda m: (-m.ts,)  # noqa: E731
    ordered = sorted(matches, key=key)
    if len(ordered) <= k:
        return ordered
    cut = key(ordered[k - 1])
    return [m for m in ordered if key(m) <= cut]


def page(db: sqlite3.Connection, found: list[Match], sort: str, limit: int,
         offset: int) -> list[tuple[sqlite3.Row, float]]:
    """The page of ``found`` in the order of ``sort`` (date and id break ties), with each row's score."""
    scores = {m.rowid: m.score for m in found}
    rows: list[sqlite3.Row] = []
    ids = list(scores)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows.extend(db.execute(f"SELECT * FROM search_docs WHERE rowid IN ({', '.join('?' * len(chunk))})", chunk))
    by_id = sorted(rows, key=lambda r: r["id"])  # id ascending breaks the last ties, in every order
    if sort == "oldest":
        ordered = sorted(by_id, key=lambda r: r["captured_ts"])
    elif sort == "relevance":
        ordered = sorted(by_id, key=lambda r: (-scores[r["rowid"]], -r["captured_ts"]))
    else:
        ordered = sorted(by_id, key=lambda r: -r["captured_ts"])
    return [(row, scores[row["rowid"]]) for row in ordered[offset:offset + limit]]
