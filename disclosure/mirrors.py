"""The mirror sweep: ask public archives whether they hold a copy of a leaked file, so that the NGO
can ask for those copies' removal too (docs/disclosure.md "Mirror sweep").

Archives are listed in the config (``disclosure.mirrors``) by kind:

- ``cdx``: the CDX server API (the Wayback Machine's ``/cdx/search/cdx``, pywb's ``/<coll>/cdx``),
  asked ``?url=<url>&output=json``; the answer may be Wayback's JSON array of rows (a header row
  first), pywb's JSON lines, or plain space-separated CDX lines — all three are read;
- ``memento``: a Memento TimeMap (RFC 7089) at ``<url><file URL>``, in application/link-format.

Every question passes the egress guard (:mod:`disclosure.guarded_get`).  Each question is recorded in
``mirror_sweeps`` (so "none found" differs from "not asked" and from "the archive failed"), each copy
in ``mirror_copies`` (an archive, a URL and a capture time once, however many sweeps find it).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import Connection, insert, select, update

from core.catalog.schema import mirror_copies, mirror_sweeps
from core.config import Mirror
from disclosure.guarded_get import FetchError, GuardedGet
from indexer.surt import surt_key

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[a-zA-Z_-]+\s*=\s*(?:"[^"]*"|[^;,\s]+)\s*)*)')
_PARAM = re.compile(r';\s*([a-zA-Z_-]+)\s*=\s*(?:"([^"]*)"|([^;,\s]+))')


@dataclass(frozen=True)
class Copy:
    archive: str
    timestamp: str  # YYYYMMDDhhmmss
    original: str
    memento_url: str
    status: str = ""
    digest: str = ""


@dataclass(frozen=True)
class SweepResult:
    archive: str
    copies: list[Copy]
    error: str = ""


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def cdx_rows(body: bytes) -> list[dict[str, str]]:
    """Rows of a CDX server answer in any of its three spellings."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return []
    if text.startswith("["):  # Wayback: [["urlkey","timestamp",…], [row], …]
        table = json.loads(text)
        if not table:
            return []
        header = [str(h) for h in table[0]]
        return [dict(zip(header, map(str, row), strict=False)) for row in table[1:]]
    rows: list[dict[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):  # pywb: one JSON object a line
            rows.append({str(k): str(v) for k, v in json.loads(line).items()})
        elif " {" in line:  # CDXJ: "surt timestamp {json}"
            surt, timestamp, data = line.split(" ", 2)
            rows.append({"urlkey": surt, "timestamp": timestamp,
                         **{str(k): str(v) for k, v in json.loads(data).items()}})
        else:
            rows.append(dict(zip(CDX_FIELDS, line.split(" "), strict=False)))
    return rows


def timemap_mementos(body: bytes) -> list[tuple[str, str]]:
    """(memento URL, datetime) pairs of a link-format TimeMap."""
    out: list[tuple[str, str]] = []
    for match in _LINK.finditer(body.decode("utf-8", "replace")):
        params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                  for m in _PARAM.finditer(match.group(2))}
        if "memento" in params.get("rel", "").split():
            out.append((match.group(1), params.get("datetime", "")))
    return out


def _timestamp14(http_date: str) -> str:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(http_date).strftime("%Y%m%d%H%M%S")
    except (TypeError, ValueError):
        return ""


def ask(getter: GuardedGet, mirror: Mirror, url: str) -> SweepResult:
    """One archive's copies of ``url``; an unreachable or garbled archive is an ``error``, not raised."""
    try:
        if mirror.kind == "cdx":
            answer = getter.get(f"{mirror.url}?{urlencode({'url': url, 'output': 'json'})}")
            if answer.status == 404 and b"No Captures" in answer.body:  # pywb's answer for an unknown URL
                return SweepResult(mirror.name, [])
            if answer.status != 200:
                return SweepResult(mirror.name, [], f"HTTP {answer.status} from the CDX endpoint")
            copies = [Copy(mirror.name, row.get("timestamp", ""), row.get("original") or row.get("url", url),
                           f"{mirror.replay_url}{row.get('timestamp', '')}/{row.get('original') or url}"
                           if mirror.replay_url else "", row.get("statuscode") or row.get("status", ""),
                           row.get("digest", "")) for row in cdx_rows(answer.body)]
        else:
            answer = getter.get(f"{mirror.url}{url}")
            if answer.status == 404:
                return SweepResult(mirror.name, [])
            if answer.status != 200:
                return SweepResult(mirror.name, [], f"HTTP {answer.status} from the TimeMap")
            copies = [Copy(mirror.name, _timestamp14(when), url, memento) for memento, when in
                      timemap_mementos(answer.body)]
    except FetchError as exc:
        return SweepResult(mirror.name, [], str(exc))
    except (ValueError, json.JSONDecodeError) as exc:
        return SweepResult(mirror.name, [], f"unreadable answer ({exc})")
    wanted = surt_key(url)  # archives normalise (scheme, port, case): compare canonical keys
    return SweepResult(mirror.name, [c for c in copies if c.timestamp and surt_key(c.original) == wanted])


def record(conn: Connection, url: str, mirror: Mirror, result: SweepResult, now: datetime) -> None:
    key = url_key(url)
    conn.execute(insert(mirror_sweeps).values(url=url, url_key=key, archive=mirror.name, endpoint=mirror.url,
                                              checked_at=now, copies=len(result.copies), error=result.error[:2000]))
    for copy in result.copies:
        known = conn.execute(select(mirror_copies.c.id).where(
            mirror_copies.c.url_key == key, mirror_copies.c.archive == copy.archive,
            mirror_copies.c.timestamp == copy.timestamp)).scalar()
        if known is not None:
            conn.execute(update(mirror_copies).where(mirror_copies.c.id == known).values(last_found_at=now))
            continue
        conn.execute(insert(mirror_copies).values(
            url=url, url_key=key, archive=copy.archive, timestamp=copy.timestamp, original=copy.original,
            memento_url=copy.memento_url, status=copy.status[:8], digest=copy.digest[:128],
            first_found_at=now, last_found_at=now))


def sweep(conn: Connection, getter: GuardedGet, mirrors: list[Mirror], url: str, now: datetime) -> list[SweepResult]:
    """Ask every configured archive about ``url`` and record the answers."""
    results = []
    for mirror in mirrors:
        result = ask(getter, mirror, url)
        record(conn, url, mirror, result, now)
        results.append(result)
    return results


def copies_of(conn: Connection, url: str) -> list[dict[str, object]]:
    rows = conn.execute(select(mirror_copies).where(mirror_copies.c.url_key == url_key(url))
                        .order_by(mirror_copies.c.archive, mirror_copies.c.timestamp)).mappings().all()
    return [dict(r) for r in rows]


def last_sweeps(conn: Connection, url: str) -> list[dict[str, object]]:
    """The newest question to each archive about ``url``."""
    rows = conn.execute(select(mirror_sweeps).where(mirror_sweeps.c.url_key == url_key(url))
                        .order_by(mirror_sweeps.c.checked_at.desc(), mirror_sweeps.c.id.desc())).mappings().all()
    newest: dict[str, dict[str, object]] = {}
    for row in rows:
        newest.setdefault(str(row["archive"]), dict(row))
    return list(newest.values())
