"""The catalog's captures as CDXJ, the index format of pywb and the WACZ (one line per capture:
``SURT TIMESTAMP {json}``, sorted by SURT then time), and the queries of pywb's CDX server API.

The lines are those ``cdxj-indexer`` writes for the same WARC records (same SURT, 14-digit time,
``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset``, ``filename``), so another archive
tool can use Spillwatch's WARCs through them; ``tests/indexer/test_cdxj.py`` compares the two.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, select

from core.catalog.schema import captures
from core.timestamps import as_utc
from indexer.surt import surt_key

MATCH_TYPES = ("exact", "prefix", "host", "domain")
FIELDS = ("urlkey", "timestamp", "url", "mime", "status", "digest", "length", "offset", "filename")


class CdxQueryError(ValueError):
    """A CDX query parameter is not valid (the message names it and what it accepts)."""


def timestamp14(value: datetime) -> str:
    return as_utc(value).strftime("%Y%m%d%H%M%S")


def parse_timestamp(value: str, name: str, *, end: bool = False) -> datetime:
    """A CDX API time (1 to 14 digits, ``2026`` … ``20260102030405``); ``end`` pads to the latest second."""
    digits = value.strip()
    if not digits.isdigit() or not 4 <= len(digits) <= 14:
        raise CdxQueryError(f"{name}={value!r}: give 4 to 14 digits, YYYY[MM[DD[hh[mm[ss]]]]]")
    padded = digits + ("99991231235959"[len(digits):] if end else "00000101000000"[len(digits):])
    year, month = int(padded[:4]), min(max(int(padded[4:6]), 1), 12)
    day_max = 31 if month in (1, 3, 5, 7, 8, 10, 12) else 30 if month != 2 else 29 if year % 4 == 0 else 28
    day = min(max(int(padded[6:8]), 1), day_max)
    return datetime(year, month, day, min(int(padded[8:10]), 23), min(int(padded[10:12]), 59),
                    min(int(padded[12:14]), 59), tzinfo=UTC)


@dataclass
class CdxQuery:
    """pywb CDX server API parameters (``url``, ``matchType``, ``from``, ``to``, ``limit``, ``sort``)."""

    url: str
    match_type: str = "exact"
    start: datetime | None = None
    end: datetime | None = None
    limit: int | None = None
    reverse: bool = False

    @classmethod
    def from_args(cls, args: Any, max_limit: int = 10_000) -> CdxQuery:
        url = (args.get("url") or "").strip()
        if not url:
            raise CdxQueryError("url is required (a URL, or with matchType=prefix a URL prefix)")
        match_type = args.get("matchType", "exact")
        if url.endswith("*") and match_type == "exact":
            url, match_type = url.rstrip("*"), "prefix"
        if match_type not in MATCH_TYPES:
            raise CdxQueryError(f"matchType={match_type!r}: one of {', '.join(MATCH_TYPES)}")
        limit_text = args.get("limit")
        if limit_text is not None and not str(limit_text).lstrip("-").isdigit():
            raise CdxQueryError(f"limit={limit_text!r}: give a number")
        limit = min(abs(int(limit_text)), max_limit) if limit_text is not None else max_limit
        sort = args.get("sort", "")
        if sort not in ("", "reverse"):
            raise CdxQueryError(f"sort={sort!r}: only 'reverse' is supported (default: ascending)")
        return cls(url=url, match_type=match_type, limit=limit, reverse=sort == "reverse",
                   start=parse_timestamp(args["from"], "from") if args.get("from") else None,
                   end=parse_timestamp(args["to"], "to", end=True) if args.get("to") else None)

    def select(self, dialect: str = "sqlite") -> Select[Any]:
        key = surt_key(self.url if "://" in self.url else "http://" + self.url)
        query = select(captures)
        if self.match_type == "exact":
            query = query.where(captures.c.surt == key)
        elif self.match_type == "prefix":
            query = query.where(captures.c.surt.startswith(key, autoescape=True))
        else:
            host = key.split(")", 1)[0]
            condition = captures.c.surt.startswith(host + ")", autoescape=True)
            if self.match_type == "domain":
                condition = condition | captures.c.surt.startswith(host + ",", autoescape=True)
            query = query.where(condition)
        if self.start is not None:
            query = query.where(captures.c.captured_at >= self.start)
        if self.end is not None:
            query = query.where(captures.c.captured_at <= self.end)
        return query.order_by(*sort_order(dialect, self.reverse)).limit(self.limit)


def sort_order(dialect: str, reverse: bool = False) -> tuple[Any, ...]:
    """SURT then time, in byte order as CDXJ files are sorted (PostgreSQL's locale collation is not)."""
    surt = captures.c.surt.collate("C") if dialect == "postgresql" else captures.c.surt
    keys = (surt, captures.c.captured_at, captures.c.id)
    return tuple(k.desc() for k in keys) if reverse else keys


def fields(row: Any, relative_to: Path | None = None, names: dict[str, str] | None = None) -> dict[str, str]:
    """The CDXJ fields of a capture row, as ``cdxj-indexer`` writes them; ``names`` renames files
    (``export cdxj --warcs``: their copies)."""
    data = row._mapping if hasattr(row, "_mapping") else row
    filename = str(data["warc_file"])
    if names is not None and filename in names:
        filename = names[filename]
    elif relative_to is not None:
        filename = os.path.relpath(filename, relative_to)
    out = {"urlkey": data["surt"], "timestamp": timestamp14(data["captured_at"]), "url": data["url"],
           "mime": "warc/revisit" if data["record_type"] == "revisit" else (data["media_type_declared"] or "unk")}
    if data["status"] is not None:
        out["status"] = str(data["status"])
    if data["payload_digest"]:
        out["digest"] = data["payload_digest"]
    out.update(length=str(data["warc_length"]), offset=str(data["warc_offset"]), filename=filename)
    return out


def cdxj_line(values: dict[str, str]) -> str:
    body = {k: v for k, v in values.items() if k not in ("urlkey", "timestamp")}
    return f"{values['urlkey']} {values['timestamp']} {json.dumps(body)}"


def export_lines(conn: Connection, query: Select[Any] | None = None,
                 relative_to: Path | None = None, names: dict[str, str] | None = None) -> Iterator[str]:
    """CDXJ lines of the captures ``query`` selects (all, by default), sorted by SURT then time."""
    if query is None:
        query = select(captures).order_by(*sort_order(conn.dialect.name))
    for row in conn.execution_options(stream_results=True, yield_per=2000).execute(query):
        yield cdxj_line(fields(row, relative_to, names))
