"""Bounded searches: a time budget for every query and a limit on what one prefix may expand to.

Under twenty analysts at once, one query that matches too much (``a*`` over a 50k-page archive)
must not hold the server: it is stopped at the budget and answered with "refine your search".

- SQLite: a progress handler interrupts the statement once the budget is spent (checked every few
  thousand virtual-machine steps), and a prefix term is first looked up in the FTS5 vocabulary
  (``fts5vocab``, a range scan of the index's term list): more than ``search_max_prefix_terms``
  distinct terms is refused before the query runs.
- Elasticsearch: the search request carries ``timeout`` (shards stop collecting at the budget) and
  a partial answer is refused; prefix queries are ``prefix`` queries whose expansion Elasticsearch
  bounds itself (``indices.query.bool.max_clause_count``).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from core.errors import SpillwatchError
from core.settings import Settings

PROGRESS_STEPS = 20_000  # SQLite VM instructions between two looks at the clock (~1 ms)
REFINE = ("refine your search: use longer prefixes or fewer of them, whole words, or a site, type or date "
          "filter")


class SearchTooBroad(SpillwatchError):
    """A search that would take too long or match too many terms; the message says how to narrow it."""


@dataclass(frozen=True)
class Budget:
    seconds: float  # time one search may take (0: no limit)
    max_prefix_terms: int  # distinct index terms one prefix may expand to (0: no limit)

    @classmethod
    def from_settings(cls, settings: Settings) -> Budget:
        return cls(seconds=float(settings.search_time_budget), max_prefix_terms=int(settings.search_max_prefix_terms))


@contextmanager
def time_budget(conn: sqlite3.Connection, seconds: float) -> Iterator[None]:
    """Interrupt whatever ``conn`` runs inside the block once ``seconds`` have passed."""
    if seconds <= 0:
        yield
        return
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, PROGRESS_STEPS)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "interrupt" not in str(exc).lower():
            raise
        raise SearchTooBroad(f"the search took longer than {seconds:g} s and was stopped; {REFINE}") from None
    finally:
        conn.set_progress_handler(None, 0)


VOCAB_TABLE = "search_vocab"
VOCAB_SCHEMA = f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB_TABLE} USING fts5vocab(search_fts, row);"


def check_prefix(conn: sqlite3.Connection, prefix: str, limit: int) -> None:
    """Refuse a prefix that expands to more than ``limit`` distinct terms of the index (``prefix`` is
    already folded as the index's terms are)."""
    if limit <= 0 or not prefix:
        return
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    found = conn.execute(f"SELECT count(*) FROM (SELECT term FROM {VOCAB_TABLE} WHERE term >= ? AND term < ? "
                         "LIMIT ?)", (prefix, upper, limit + 1)).fetchone()[0]
    if found > limit:
        raise SearchTooBroad(f"'{prefix}*' matches more than {limit:,} different words; {REFINE}")
