"""Versions per URL and the significance of a change.

A version is a run of captures of one URL (by SURT) serving the same content.  A new payload
digest starts a new version only when the text changed significantly: the significance is
``1 - rapidfuzz ratio`` of the two texts after masking what changes on every request (times,
dates, session tokens, nonces), so a page whose only change is "Updated 10:42:13" or a fresh CSRF
token is "unchanged" (recorded with its significance), not "changed".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz.distance import Indel
from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import aliased

from core.catalog.schema import captures, versions
from core.timestamps import as_utc

# Longest text compared (both sides are cut here; beyond it differences hardly move the ratio).
MAX_COMPARED_CHARS = 50_000

_VOLATILE = re.compile(
    r"""
    \b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b      # UUIDs
    | \b(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{16,}\b  # tokens, hashes, nonces
    | \b\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?|utc|gmt|[ecmp][sd]t)?  # clock times
    | \b\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:z|[+-]\d{2}:?\d{2})?)?\b  # ISO dates
    | \b\d{10,13}\b                                                       # epoch timestamps
    """,
    re.IGNORECASE | re.VERBOSE,
)


# Speed: ``_VOLATILE`` is tried at every position of a text (its branches start with ``\b`` and
# lookaheads, so the regex engine cannot skip ahead), ~70 ns a character.  ``normalise`` runs it
# only on the few "chunks" that can hold a match and leaves the rest of the text alone:
# - every match holds a digit (``\d``), except a UUID written with letters only, which holds
#   ``-hhhh-``: these "seeds" are found with one C-level scan;
# - a match never spans whitespace unless a digit precedes it (a clock's ``\s*`` and its "pm"/"UTC",
#   an ISO date's " " before the time), so a chunk is the word holding a seed, plus the next word
#   while the last one ends with a digit.  A chunk starts after whitespace and ends before
#   whitespace not preceded by a digit, so ``\b`` and the lookaheads see the same neighbours as in
#   the whole text, and ``_VOLATILE.sub`` on the chunks alone masks exactly what it masks on the
#   whole text (trailing whitespace a clock would eat at the very end of the text goes with
#   ``split()`` either way).
_SEED = re.compile(r"[\d-](?:(?<=\d)|(?=[0-9A-Fa-f]{4}-))")
_DASHED_HEX = re.compile(r"-[0-9A-Fa-f]{4}-")
_ZERO_DIGITS = bytes(0x30 if 0x30 <= c <= 0x39 else c for c in range(256))  # ASCII digits to "0"
_CHUNK_END = re.compile(r"\S*+(?:(?<=\d)\s+\S++)*+")  # rest of the word, next words after a digit
_WORD = re.compile(r"\S*+")


def _match_end(pattern: re.Pattern[str], text: str, at: int) -> int:
    """End of ``pattern`` matched at ``at`` (both patterns match the empty string, so always a match)."""
    found = pattern.match(text, at)
    return found.end() if found is not None else at


def _seed_finder(text: str) -> Callable[[int], int]:
    """``next_seed(pos)``: where the next seed at or after ``pos`` is, -1 when there is none."""
    if text.isascii() and _DASHED_HEX.search(text) is None:
        # only ASCII digits are seeds: find them with memchr on a copy whose digits are all "0"
        # (~10x faster than a regex scan of the text)
        find = text.encode("ascii").translate(_ZERO_DIGITS).find
        return lambda pos: find(b"0", pos)
    search = _SEED.search

    def next_seed(pos: int) -> int:
        seed = search(text, pos)
        return -1 if seed is None else seed.start()

    return next_seed


def normalise(text: str) -> str:
    """``text`` with volatile tokens replaced by a placeholder and whitespace collapsed.

    The same as ``" ".join(_VOLATILE.sub("\u2022", text[:MAX_COMPARED_CHARS]).split())``, faster (see
    ``_SEED`` above).
    """
    text = text[:MAX_COMPARED_CHARS]
    next_seed = _seed_finder(text)
    at = next_seed(0)
    if at < 0:
        return " ".join(text.split())
    size, backwards = len(text), ""
    parts: list[str] = []
    done = 0
    while at >= 0:
        if at and not text[at - 1].isspace():  # the word starts before its seed: find its start
            backwards = backwards or text[::-1]
            start = size - _match_end(_WORD, backwards, size - at)
        else:
            start = at
        end = _match_end(_CHUNK_END, text, at)
        parts.append(text[done:start])
        parts.append(_VOLATILE.sub("\u2022", text[start:end]))
        done = end
        at = next_seed(end)
    parts.append(text[done:])
    return " ".join("".join(parts).split())


def significance(old_text: str, new_text: str) -> float:
    """0.0 (same text once volatile tokens are masked) … 1.0 (nothing in common)."""
    if old_text == new_text:
        return 0.0
    a, b = normalise(old_text), normalise(new_text)
    if a == b:
        return 0.0
    if not a or not b:
        return 1.0
    return round(1.0 - Indel.normalized_similarity(a, b), 4)


@dataclass
class VersionState:
    """The latest version of a URL, with what change detection needs."""

    id: int
    surt: str
    payload_digest: str
    first_capture_id: int
    last_capture_id: int
    last_digest: str
    first_seen: datetime
    last_seen: datetime
    removed_at: datetime | None
    unlinked_crawls: int
    text_file: str
    text_offset: int
    last_sniffed: str = ""
    last_title: str = ""
    first_is_revisit: bool = False

    def same_content(self, digest: str) -> bool:
        return bool(digest) and digest in (self.payload_digest, self.last_digest)


def latest_versions(conn: Connection, surts: Sequence[str]) -> dict[str, VersionState]:
    """Latest version of each SURT that has one."""
    if not surts:
        return {}
    latest = (select(func.max(versions.c.id)).where(versions.c.surt.in_(list(set(surts))))
              .group_by(versions.c.surt)).scalar_subquery()
    first = aliased(captures)
    last = aliased(captures)
    rows = conn.execute(
        select(versions, last.c.payload_digest.label("last_digest"), first.c.warc_file,
               first.c.warc_offset, last.c.media_type_sniffed.label("last_sniffed"),
               last.c.title.label("last_title"), first.c.record_type.label("first_type"))
        .join(last, last.c.id == versions.c.last_capture_id)
        .join(first, first.c.id == versions.c.first_capture_id)
        .where(versions.c.id.in_(latest))
    ).mappings()
    states: dict[str, VersionState] = {}
    for row in rows:
        states[row["surt"]] = VersionState(
            id=row["id"], surt=row["surt"], payload_digest=row["payload_digest"],
            first_capture_id=row["first_capture_id"], last_capture_id=row["last_capture_id"],
            last_digest=row["last_digest"], first_seen=as_utc(row["first_seen"]),
            last_seen=as_utc(row["last_seen"]),
            removed_at=as_utc(row["removed_at"]) if row["removed_at"] is not None else None,
            unlinked_crawls=row["unlinked_crawls"] or 0, text_file=row["warc_file"],
            text_offset=row["warc_offset"], last_sniffed=row["last_sniffed"] or "",
            last_title=row["last_title"] or "", first_is_revisit=row["first_type"] == "revisit",
        )
    return states


def version_row(*, surt: str, url: str, site_id: str | None, digest: str, capture_id: int, seen: datetime,
                previous_id: int | None) -> dict[str, Any]:
    """A new ``versions`` row (a URL's first content, or content that changed or came back)."""
    return {"surt": surt, "url": url, "site_id": site_id, "payload_digest": digest,
            "first_capture_id": capture_id, "last_capture_id": capture_id, "first_seen": as_utc(seen),
            "last_seen": as_utc(seen), "previous_version_id": previous_id, "removed_at": None,
            "unlinked_crawls": 0, "unlinked_crawl_key": None}


def touch_versions(conn: Connection, touches: list[dict[str, Any]]) -> None:
    """Later captures of the same content (``b_id``, ``b_capture``, ``b_seen`` each): move each
    version's end forward."""
    if not touches:
        return
    conn.execute(
        versions.update()
        .where(versions.c.id == bindparam("b_id"), versions.c.last_seen <= bindparam("b_seen"))
        .values(last_capture_id=bindparam("b_capture"), last_seen=bindparam("b_seen"), unlinked_crawls=0,
                unlinked_crawl_key=None),
        touches,
    )


def mark_removed(conn: Connection, version_id: int, at: datetime) -> None:
    conn.execute(versions.update().where(versions.c.id == version_id, versions.c.removed_at.is_(None))
                 .values(removed_at=as_utc(at)))


def version_history(conn: Connection, surt: str) -> list[dict[str, object]]:
    """Every version of a URL, oldest first (for the UI's timeline)."""
    rows = conn.execute(select(versions).where(versions.c.surt == surt).order_by(versions.c.id)).mappings()
    return [dict(r) for r in rows]
