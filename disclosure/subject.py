"""What the catalog knows about one published file, by URL: its findings (counts and types, never
values), its captures, the captures of the pages that linked it (the last one before the link, the
ones with it, the first one without it), the exposure windows and the link's disappearance.

The evidence package and the incident report are built from this; so is the removal watch's view of
a file (docs/disclosure.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from core.catalog.schema import captures, findings, links
from core.timestamps import as_utc
from disclosure.exposure import Observation, Window, windows
from indexer.surt import surt_key

_SHA256 = re.compile(r"^sha256:([0-9a-f]{64}):")


@dataclass
class PageLink:
    page_url: str
    first_linked: datetime
    last_linked: datetime
    unlinked_at: datetime | None  # first capture of the page without the link
    capture_ids: list[int] = field(default_factory=list)


@dataclass
class Subject:
    url: str
    site_id: str | None
    findings: list[dict[str, Any]]
    file_captures: list[dict[str, Any]]
    pages: list[PageLink]
    windows: list[Window]
    file_sha256: str = ""

    @property
    def capture_ids(self) -> list[int]:
        ids = [int(c["id"]) for c in self.file_captures]
        for page in self.pages:
            ids.extend(page.capture_ids)
        return sorted(set(ids))

    @property
    def rows(self) -> int:
        return max((int(f["rows"]) for f in self.findings), default=0)

    @property
    def categories(self) -> list[str]:
        """Column types of the person-level tables (e.g. person_name, date_of_birth, gov_id)."""
        seen: dict[str, None] = {}
        for finding in self.findings:
            for column in finding["columns"] or []:
                if isinstance(column, dict) and column.get("type"):
                    seen.setdefault(str(column["type"]), None)
        return list(seen)

    @property
    def severity(self) -> str:
        from indexer.findings_store import worst_severity

        return worst_severity(str(f["severity"]) for f in self.findings) or ""


def _finding_summary(row: Any) -> dict[str, Any]:
    """A finding as the report shows it: no sample, no cell value."""
    return {"id": int(row.id), "kind": row.kind, "severity": row.severity, "rows": int(row.rows),
            "score": float(row.score), "columns": [{"type": c.get("type", "")} for c in row.columns or []
                                                    if isinstance(c, dict)],
            "first_seen": as_utc(row.first_seen), "last_seen": as_utc(row.last_seen),
            "removed_at": as_utc(row.removed_at), "reappeared_at": as_utc(row.reappeared_at),
            "content_key": row.content_key, "payload_digest": row.payload_digest}


def _page_links(conn: Connection, surt: str) -> list[PageLink]:
    linking = conn.execute(select(captures.c.id, captures.c.url, captures.c.surt, captures.c.captured_at)
                           .join(links, links.c.capture_id == captures.c.id)
                           .where(links.c.target_surt == surt).order_by(captures.c.captured_at)).all()
    pages: dict[str, PageLink] = {}
    for row in linking:
        at = as_utc(row.captured_at)
        page = pages.get(row.surt)
        if page is None:
            page = pages[row.surt] = PageLink(row.url, at, at, None)
        page.last_linked = max(page.last_linked, at)
        page.capture_ids.append(int(row.id))
    for page_surt, page in pages.items():
        history = conn.execute(select(captures.c.id, captures.c.captured_at, captures.c.status,
                                      captures.c.record_type).where(captures.c.surt == page_surt)
                               .order_by(captures.c.captured_at, captures.c.id)).all()
        linked = set(page.capture_ids)
        before = [h for h in history if as_utc(h.captured_at) < page.first_linked and h.id not in linked]
        if before:
            page.capture_ids.append(int(before[-1].id))
        for h in history:
            fresh = h.record_type == "response" and h.status is not None and 200 <= int(h.status) < 300
            if as_utc(h.captured_at) > page.last_linked and h.id not in linked and fresh:
                page.unlinked_at = as_utc(h.captured_at)
                page.capture_ids.append(int(h.id))
                break
    return list(pages.values())


def load_pages(conn: Connection, url: str) -> list[PageLink]:
    """The pages that linked ``url``, with when the link appeared and disappeared."""
    return _page_links(conn, surt_key(url))


def observations(conn: Connection, url: str, person_level_digests: set[str] | None = None) -> list[Observation]:
    """The file URL's captures as exposure observations.  With ``person_level_digests``, a 2xx
    capture of another payload counts as the file gone (emptied or replaced by a harmless version)."""
    rows = conn.execute(select(captures.c.id, captures.c.captured_at, captures.c.status, captures.c.record_type,
                               captures.c.payload_digest).where(captures.c.surt == surt_key(url))).all()
    out = []
    for row in rows:
        person_level = True
        if person_level_digests is not None and row.record_type == "response" and row.payload_digest:
            person_level = row.payload_digest in person_level_digests
        out.append(Observation(as_utc(row.captured_at), row.status, row.record_type, int(row.id), person_level))
    return out


def load(conn: Connection, url: str) -> Subject:
    """Everything about the file at ``url``; raises LookupError when nothing of it was captured."""
    surt = surt_key(url)
    file_rows = conn.execute(select(captures).where(captures.c.surt == surt)
                             .order_by(captures.c.captured_at, captures.c.id)).mappings().all()
    if not file_rows:
        raise LookupError(f"{url}: no capture of this URL in the catalog; check the URL (`spillwatch search`)")
    found = conn.execute(select(findings).where(findings.c.url == url).order_by(findings.c.id)).all()
    digests = {str(f.payload_digest) for f in found}
    sha = next((m.group(1) for f in found if (m := _SHA256.match(str(f.content_key)))), "")
    return Subject(url=url, site_id=file_rows[0]["site_id"], findings=[_finding_summary(f) for f in found],
                   file_captures=[dict(r) for r in file_rows], pages=_page_links(conn, surt),
                   windows=windows(observations(conn, url, digests or None)), file_sha256=sha)
