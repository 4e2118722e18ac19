"""One search on the SQLite backend, in three statements none of which reads a row it does not need.

Before, the count, the page and each of the four facet counts ran the MATCH again and joined the
wide ``search_docs`` rows (the text is stored there) for every match: 7x a bare FTS5 top-20 on 21k
documents (issue 15).  What costs is bm25 (per match) and reading wide rows; iterating a MATCH is
cheap.  Now:

1. **total and facets**: one ``GROUP BY`` over the four facet fields together, reading them from
   ``search_meta`` (a narrow table kept in step with ``search_docs`` by triggers: a lookup touches a
   page of a few hundred rows), no bm25; the total is the sum of the groups.  Without facets, a
   bare ``count(*)`` of the MATCH (joined only when there are filters);
2. **candidates**: the k = offset + per_page best (rowid, score, date) by the sort key, plus some
   room for ties (fetched again with more room when ties fill it), straight from the FTS table;
3. **page**: only those candidates' ``search_docs`` rows are read, sorted with the tie-breakers
   (date, id) as before, and the page is cut — the same order and page as sorting every match.

``bench/search.py`` measures it against the bare ``MATCH … ORDER BY bm25 LIMIT 20``.
"""

from __future__ import annotations

import sqlite3
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


def ensure_meta(db: sqlite3.Connection) -> None:
    """Create ``search_meta`` and its triggers; fill it when the index file had none yet."""
    had = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_meta'").fetchone()
    with db:
        db.executescript(META_SCHEMA)
        if had is None:
            db.execute(META_FILL)


TIE_ROOM = 64  # candidates beyond k fetched at first, so that equal scores at the cut stay in


def totals(db: sqlite3.Connection, source: str, where: str, params: list[Any],
           facets: bool) -> tuple[int, dict[str, dict[Any, int]]]:
    """The number of matches and, with ``facets``, the count per value of each facet field;
    ``source`` names ``search_meta AS d`` (it may join the FTS table)."""
    if not facets:
        return int(db.execute(f"SELECT count(*) FROM {source} {where}", params).fetchone()[0]), {}
    counts: dict[str, dict[Any, int]] = {name: {} for name in FACET_FIELDS}
    total = 0
    fields = ", ".join(f"d.{name}" for name in FACET_FIELDS)
    for row in db.execute(f"SELECT {fields}, count(*) FROM {source} {where} GROUP BY {fields}", params):
        n = int(row[-1])
        total += n
        for name, value in zip(FACET_FIELDS, row, strict=False):
            counts[name][value] = counts[name].get(value, 0) + n
    return total, counts


def candidates(db: sqlite3.Connection, select: str, source: str, where: str, params: list[Any],
               key: str, descending: bool, k: int) -> list[tuple[int, float, float]]:
    """(rowid, score, captured_ts) of the matches that can be among the first ``k`` by ``key``
    (``score`` or ``ts``): the first k and every later one equal to the k-th."""
    room = TIE_ROOM
    order = f"{key} {'DESC' if descending else 'ASC'}"
    while True:
        rows = db.execute(f"SELECT {select} FROM {source} {where} ORDER BY {order} LIMIT ?",
                          [*params, k + room]).fetchall()
        column = 1 if key == "score" else 2
        if len(rows) < k + room or rows[-1][column] != rows[k - 1][column]:
            cut = rows[min(k, len(rows)) - 1][column] if rows else None
            return [(int(r[0]), float(r[1]), float(r[2])) for r in rows if r[column] == cut or (
                r[column] > cut if descending else r[column] < cut)] if rows else []
        room *= 4  # ties filled the room: look further


def page(db: sqlite3.Connection, found: list[tuple[int, float, float]], sort: str, limit: int,
         offset: int) -> list[tuple[sqlite3.Row, float]]:
    """The page of ``found`` in the order of ``sort`` (date and id break ties), with each row's score."""
    scores = {rowid: score for rowid, score, _ in found}
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
