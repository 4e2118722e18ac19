"""Embedded search backend: SQLite FTS5 (the default, no server needed).

Documents live in ``search_docs``; an FTS5 table ``search_fts`` with the ``unicode61
remove_diacritics 2`` tokenizer indexes the folded title and text under the same rowid.  These
tables belong to the backend (they are rebuilt by ``spillwatch reindex``), so they are created here
rather than by the catalog's Alembic migrations.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import ServiceUnavailable
from core.models import SearchDocument
from core.settings import Settings
from core.timestamps import as_utc
from indexer.search import sqlite_results as results
from indexer.search.base import MAX_TEXT_CHARS, SearchBackend
from indexer.search.budget import VOCAB_SCHEMA, Budget, check_prefix, time_budget
from indexer.search.folding import index_text
from indexer.search.highlight import highlight
from indexer.search.masking import document_view
from indexer.search.query import (
    ParsedQuery,
    SearchHit,
    SearchQuery,
    SearchResult,
    Term,
    parse_query,
)
from matcher.masking import mask_text

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    media_type TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    captured_ts REAL NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    has_finding INTEGER NOT NULL,
    severity TEXT,
    capture_id INTEGER,
    extra TEXT NOT NULL,
    masked_title TEXT,
    masked_text TEXT
);
CREATE INDEX IF NOT EXISTS ix_search_docs_site ON search_docs(site);
CREATE INDEX IF NOT EXISTS ix_search_docs_ts ON search_docs(captured_ts);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, body, mtitle, mbody, vis, tags, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
"""

# FTS5 bm25() weights: a match in the title counts twice a match in the text (viewer fields alike);
# ``vis`` and the filter words in ``tags`` (sqlite_results.tag) do not rank.
_BM25 = "bm25(search_fts, 2.0, 1.0, 2.0, 1.0, 0.0, 0.0)"
# ``vis`` holds this token when a document is the same for viewers (its viewer fields stay empty).
_OPEN = "open"
FTS_COLUMNS = "title, body, mtitle, mbody, vis, tags"


def scoped(expression: str, masked: bool) -> str:
    """An FTS5 expression matched against what the asker may see: title and text, or for viewers the
    viewer fields (:mod:`indexer.search.masking`) — the originals only of documents with nothing masked."""
    if not masked:
        return f"{{title body}} : ({expression})"
    return f"(vis : {_OPEN} AND {{title body}} : ({expression})) OR ({{mtitle mbody}} : ({expression}))"


def _fts_term(term: Term) -> str:
    phrase = " ".join(term.words)
    return f'"{phrase}"' + ("*" if term.prefix else "")


def _any_negative(parsed: ParsedQuery, masked: bool) -> str:
    """FTS5 text matching the documents that hold any of the negative terms (for a search without words)."""
    return scoped(" OR ".join(_fts_term(t) for t in parsed.negative), masked)


def fts_expression(parsed: ParsedQuery) -> str:
    """FTS5 MATCH text for the positive terms (AND) minus the negative ones (NOT)."""
    expression = " AND ".join(_fts_term(t) for t in parsed.positive)
    for term in parsed.negative:
        expression += f" NOT {_fts_term(term)}"
    return expression


class SqliteSearch(SearchBackend):
    name = "sqlite"

    @classmethod
    def from_settings(cls, settings: Settings) -> SqliteSearch:
        # a file of its own beside the catalog (not inside it), so that a long bulk load never holds
        # the catalog's single SQLite write lock
        return cls(settings.data_path / "search.sqlite3", budget=Budget.from_settings(settings),
                   rank_window=int(settings.search_rank_window))

    def __init__(self, path: Path, budget: Budget | None = None, rank_window: int = 0) -> None:
        self.path = path
        self.budget = budget or Budget(seconds=0, max_prefix_terms=0)
        # a search matching more documents ranks and counts facets among its most recently indexed
        # ``rank_window`` matches (0: all of them; sqlite_results explains why)
        self.rank_window = rank_window
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        # searches read on a connection of their own thread (WAL: readers never wait for each other
        # or for the writer), so one slow search cannot hold the others up behind self._lock
        self._readers = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn: sqlite3.Connection | None = getattr(self._readers, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            except sqlite3.Error as exc:
                raise ServiceUnavailable(f"search index {self.path}: cannot open ({exc})") from None
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA temp_store=MEMORY")  # each search's hits (sqlite_results)
            self._readers.conn = conn
            with self._readers_lock:
                self._reader_conns.append(conn)
        yield conn

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                except sqlite3.Error as exc:
                    raise ServiceUnavailable(f"search index {self.path}: cannot open ({exc})") from None
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA busy_timeout=30000")
                self._conn = conn
            yield self._conn

    def ensure_ready(self) -> None:
        with self._db() as db:
            try:
                _upgrade(db)
                db.executescript(SCHEMA + VOCAB_SCHEMA)
                results.ensure_meta(db)
            except sqlite3.OperationalError as exc:
                raise ServiceUnavailable(
                    f"search index {self.path}: {exc}; this Python's SQLite lacks FTS5 — use a Python "
                    "build with FTS5 or set search_backend: elasticsearch"
                ) from None

    def index(self, documents: Iterable[SearchDocument]) -> int:
        # Speed: one SELECT for the ids of the whole call and one executemany per statement, not
        # three or four statements a document.  Same rows as indexing the documents one by one: a
        # document whose id is indexed already (or comes earlier in the call) replaces it in place,
        # the last one of an id wins, and new documents get their rowids from SQLite in order.
        latest: dict[str, tuple[Any, ...]] = {}  # id -> row values; keeps the order of first sight
        written = 0
        for doc in documents:
            text = doc.text[:MAX_TEXT_CHARS]
            captured = as_utc(doc.captured_at)
            view = document_view(doc)
            latest[doc.id] = (
                doc.url, doc.site, doc.media_type, captured.isoformat(), captured.timestamp(),
                doc.title, text, int(doc.has_finding), doc.severity, doc.capture_id,
                json.dumps(doc.extra, default=str),
                view[0] if view else None, view[1][:MAX_TEXT_CHARS] if view else None, doc.id,
            )
            written += 1
        ids = list(latest)
        with self._db() as db, db:
            if not ids:
                return 0
            if not db.in_transaction:  # take the write lock before reading which ids exist
                db.execute("BEGIN IMMEDIATE")
            existing = self._by_id(db, "rowid", ids)
            new_ids = [doc_id for doc_id in ids if doc_id not in existing]
            if existing:
                db.executemany(
                    "UPDATE search_docs SET url = ?, site = ?, media_type = ?, captured_at = ?,"
                    " captured_ts = ?, title = ?, text = ?, has_finding = ?, severity = ?,"
                    " capture_id = ?, extra = ?, masked_title = ?, masked_text = ? WHERE id = ?",
                    [latest[doc_id] for doc_id in existing],
                )
                db.executemany("DELETE FROM search_fts WHERE rowid = ?", [(r,) for r in existing.values()])
            if new_ids:
                db.executemany(
                    "INSERT INTO search_docs (url, site, media_type, captured_at, captured_ts, title,"
                    " text, has_finding, severity, capture_id, extra, masked_title, masked_text, id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [latest[doc_id] for doc_id in new_ids],
                )
                existing.update(self._by_id(db, "rowid", new_ids))
            # values: url, site, media_type, captured_at, captured_ts, title, (cut) text, has_finding,
            # severity, capture_id, extra, the viewer view's title and text, id
            db.executemany(
                f"INSERT INTO search_fts (rowid, {FTS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(existing[doc_id], *_fts_values(values[5], values[6], values[11], values[12]),
                  results.tags(values[1], values[2], bool(values[7]), values[8]))
                 for doc_id, values in latest.items()],
            )
        return written

    @staticmethod
    def _by_id(db: sqlite3.Connection, column: str, ids: list[str]) -> dict[str, Any]:
        """``column`` (a name from this module, never from input) of each of ``ids`` that is in
        ``search_docs`` (``IN`` lists of 500: SQLite's variable limit was 999 before 3.32)."""
        found: dict[str, Any] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = db.execute(
                f"SELECT id, {column} FROM search_docs WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            )
            found.update((row[0], row[1]) for row in rows)
        return found

    def delete(self, ids: Iterable[str]) -> int:
        deleted = 0
        with self._db() as db, db:
            for doc_id in ids:
                row = db.execute("SELECT rowid FROM search_docs WHERE id = ?", (doc_id,)).fetchone()
                if row is None:
                    continue
                db.execute("DELETE FROM search_fts WHERE rowid = ?", (row["rowid"],))
                db.execute("DELETE FROM search_docs WHERE rowid = ?", (row["rowid"],))
                deleted += 1
        return deleted

    @staticmethod
    def _dates(query: SearchQuery) -> tuple[list[str], list[Any]]:
        """Clauses on ``search_meta AS d`` for the date filters (the other filters are FTS tags)."""
        clauses: list[str] = []
        params: list[Any] = []
        if query.date_from is not None:
            clauses.append("d.captured_ts >= ?")
            params.append(as_utc(query.date_from).timestamp())
        if query.date_to is not None:
            clauses.append("d.captured_ts <= ?")
            params.append(as_utc(query.date_to).timestamp())
        return clauses, params

    @staticmethod
    def _match(parsed: ParsedQuery, query: SearchQuery) -> str:
        """The FTS5 MATCH text of the words and the tag filters; empty when there is neither."""
        parts = [f"({scoped(fts_expression(parsed), query.masked)})"] if parsed.positive else []
        tags = results.tag_expression(query.sites, query.media_types, query.severities, query.has_finding)
        if tags:
            parts.append(tags)
        expression = " AND ".join(parts)
        if expression and parsed.negative and not parsed.positive:  # fts_expression holds them otherwise
            expression += f" NOT ({_any_negative(parsed, query.masked)})"
        return expression

    def search(self, query: SearchQuery) -> SearchResult:
        parsed = parse_query(query.text)
        where, params = self._dates(query)
        match = self._match(parsed, query)
        sort = query.sort if parsed.positive else ("newest" if query.sort == "relevance" else query.sort)
        if not match and parsed.negative:
            where.append("d.rowid NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)")
            params.append(_any_negative(parsed, query.masked))
        with self._read() as db, time_budget(db, self.budget.seconds):
            try:
                for term in (*parsed.positive, *parsed.negative):
                    if term.prefix and term.words:
                        check_prefix(db, term.words[-1], self.budget.max_prefix_terms)
                found = results.window(db, match=match, score=f"-{_BM25}" if parsed.positive else "0.0",
                                       where=where, params=params, oldest=sort == "oldest", size=self.rank_window)
                rows = results.page(db, results.best(found.matches, sort, query.offset + query.per_page), sort,
                                    query.per_page, query.offset)
            except sqlite3.OperationalError as exc:
                if "interrupt" in str(exc).lower():
                    raise  # the time budget: time_budget says "refine your search"
                raise ServiceUnavailable(f"search index {self.path}: {exc}") from None
        counts = results.facet_counts(found.matches) if query.facets else {}
        facets = {name: {_facet_key(name, value): n for value, n in sorted(values.items(), key=_by_count)
                         if value is not None} for name, values in counts.items()}
        hits = [self._hit(row, score, parsed, query.masked) for row, score in rows]
        return SearchResult(total=found.total, hits=hits, facets=facets, page=query.page, per_page=query.per_page,
                            total_exact=found.total_exact,
                            ranked_among=None if found.complete else len(found.matches))

    @staticmethod
    def _hit(row: sqlite3.Row, score: float, parsed: ParsedQuery, masked: bool) -> SearchHit:
        title, text = row["title"], row["text"]
        if masked:  # the viewer view, where there is one
            title = row["masked_title"] if row["masked_title"] is not None else title
            text = row["masked_text"] if row["masked_text"] is not None else text
        return SearchHit(
            id=row["id"], url=row["url"], site=row["site"], media_type=row["media_type"],
            captured_at=datetime.fromisoformat(row["captured_at"]), title=title,
            has_finding=bool(row["has_finding"]), severity=row["severity"], capture_id=row["capture_id"],
            score=score, highlights=highlight(text, parsed),
        )

    def get(self, doc_id: str) -> SearchDocument | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM search_docs WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        return SearchDocument(
            id=row["id"], url=row["url"], site=row["site"], media_type=row["media_type"],
            captured_at=datetime.fromisoformat(row["captured_at"]), title=row["title"], text=row["text"],
            has_finding=bool(row["has_finding"]), severity=row["severity"], capture_id=row["capture_id"],
            extra=json.loads(row["extra"]), masked_title=row["masked_title"], masked_text=row["masked_text"],
        )

    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        with self._db() as db:
            return self._by_id(db, "text", list(dict.fromkeys(doc_ids)))

    def count(self) -> int:
        with self._db() as db:
            return int(db.execute("SELECT count(*) FROM search_docs").fetchone()[0])

    def clear(self) -> None:
        with self._db() as db, db:
            db.execute("DELETE FROM search_fts")
            db.execute("DELETE FROM search_docs")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        with self._readers_lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()
            self._readers = threading.local()


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring an index file written by an earlier version up to this one, from ``search_docs``:

    - before viewer views existed, every document gets one, conservatively fully masked (which tables
      a page had is not stored; indexing its WARC again refines it);
    - before filter tags existed (``tags`` in ``search_fts``), the FTS table is rebuilt with them."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(search_docs)")}
    if not columns:
        return
    fts_columns = {row[1] for row in db.execute("PRAGMA table_info(search_fts)")}
    views = "masked_text" not in columns
    if not views and "tags" in fts_columns:
        return
    log.warning("search index %s: rebuilding the full-text table with %s (once; it takes a while on a large "
                "index)", db.execute("PRAGMA database_list").fetchone()[2],
                "masked views for viewers, all masked until their WARC files are indexed again" if views
                else "filter tags")
    with db:
        if views:
            db.execute("ALTER TABLE search_docs ADD COLUMN masked_title TEXT")
            db.execute("ALTER TABLE search_docs ADD COLUMN masked_text TEXT")
        db.execute("DROP TABLE IF EXISTS search_fts")
        db.executescript(SCHEMA)
        rows = db.execute("SELECT rowid, title, text, masked_title, masked_text, site, media_type, has_finding, "
                          "severity FROM search_docs")
        for rowid, title, text, masked_title, masked_text, site, media_type, has_finding, severity in rows.fetchall():
            if views:
                masked_title, masked_text = mask_text(title), mask_text(text)
                db.execute("UPDATE search_docs SET masked_title = ?, masked_text = ? WHERE rowid = ?",
                           (masked_title, masked_text, rowid))
            db.execute(f"INSERT INTO search_fts (rowid, {FTS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (rowid, *_fts_values(title, text, masked_title, masked_text),
                        results.tags(site, media_type, bool(has_finding), severity)))


def _fts_values(title: str, text: str, masked_title: str | None,
                masked_text: str | None) -> tuple[str, str, str, str, str]:
    """FTS columns of one document: its tokens, its viewer view's (empty when the same) and ``vis``."""
    if masked_title is None and masked_text is None:
        return index_text(title), index_text(text), "", "", _OPEN
    return (index_text(title), index_text(text), index_text(masked_title or ""), index_text(masked_text or ""),
            "")


def _by_count(item: tuple[Any, int]) -> tuple[int, str]:
    """Facet values most frequent first, then by value (as ``ORDER BY n DESC, value`` did)."""
    return -item[1], str(item[0])


def _facet_key(name: str, value: Any) -> str:
    if name == "has_finding":
        return "true" if value else "false"
    return str(value)
