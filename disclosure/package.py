"""One call from a file URL (an incident's) to its evidence package: the subject read from the
catalog, the report and JSON summary rendered (masked), the WACZ written, signed and stamped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from core.catalog.schema import captures
from core.config import Config
from disclosure import contacts, mirrors, report, subject
from disclosure.evidence import EvidenceSummary, build
from disclosure.exposure import describe


@dataclass
class Context:
    """What the report shows besides the captures."""

    subject: subject.Subject
    contacts: list[contacts.Contact]
    copies: list[dict[str, Any]]
    swept: bool
    extra_events: list[tuple[datetime, str]]
    title: str


def incident_events(conn: Connection, incident_id: int) -> list[tuple[datetime, str]]:
    """The incident's own milestones and history (alerted, triaged, reported…) for the report's
    timeline; notes are the analysts' words, never values from the file."""
    from core.catalog.incident_timeline import timeline

    found = timeline(conn, incident_id)
    if found is None:
        return []
    return [(step.at, f"{step.label}{' — ' + step.note if step.note else ''}"
                      f"{' (' + step.user_name + ')' if step.user_name else ''}")
            for step in found.steps if step.event != "first_seen"]


def gather(conn: Connection, config: Config, url: str, *, title: str = "",
           extra_events: list[tuple[datetime, str]] | None = None, incident_id: int | None = None) -> Context:
    about = subject.load(conn, url)
    if incident_id is not None:
        extra_events = [*(extra_events or []), *incident_events(conn, incident_id)]
    found = contacts.known(conn, config.sites, about.site_id)
    return Context(about, found, mirrors.copies_of(conn, url), bool(mirrors.last_sweeps(conn, url)),
                   list(extra_events or []), title or f"Disclosure at {url}")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def summary_json(ctx: Context, capture_rows: list[dict[str, Any]]) -> bytes:
    """The incident as data: counts, types, times and digests; never a value or a sample."""
    about = ctx.subject
    data = {
        "title": ctx.title, "url": about.url, "site_id": about.site_id, "severity": about.severity,
        "rows": about.rows, "categories": about.categories, "file_sha256": about.file_sha256,
        "exposure": [{"start": w.start, "last_seen": w.last_seen, "end": w.end, "text": describe(w)}
                     for w in about.windows],
        "linking_pages": [{"url": p.page_url, "first_linked": p.first_linked, "unlinked_at": p.unlinked_at}
                          for p in about.pages],
        "findings": [{k: v for k, v in f.items() if k != "content_key"} for f in about.findings],
        "timeline": [{"at": at, "what": what} for at, what in report.timeline(about, ctx.extra_events)],
        "mirror_copies": [{"archive": c["archive"], "timestamp": c["timestamp"], "url": c["memento_url"] or
                           c["original"]} for c in ctx.copies],
        "contacts": [{"contact": c.contact, "source": c.source} for c in ctx.contacts],
        "captures": [{"id": r["id"], "url": r["url"], "captured_at": r["captured_at"], "status": r["status"],
                      "record_type": r["record_type"], "payload_digest": r["payload_digest"]}
                     for r in capture_rows],
    }
    return json.dumps(data, indent=2, default=_json_default).encode("utf-8")


def capture_rows(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(captures).where(captures.c.id.in_(ids))
                                           .order_by(captures.c.captured_at, captures.c.id)).mappings()]


def render_report(ctx: Context, rows: list[dict[str, Any]], package: report.PackageInfo | None = None) -> str:
    return report.render(ctx.subject, title=ctx.title, contacts=ctx.contacts, copies=ctx.copies, swept=ctx.swept,
                         extra_events=ctx.extra_events, package=package, capture_rows=rows)


def build_for_url(conn: Connection, config: Config, url: str, out: Path, *, title: str = "",
                  extra_events: list[tuple[datetime, str]] | None = None, meta: dict[str, Any] | None = None,
                  incident_id: int | None = None) -> EvidenceSummary:
    ctx = gather(conn, config, url, title=title, extra_events=extra_events, incident_id=incident_id)
    rows = capture_rows(conn, ctx.subject.capture_ids)
    members = {"evidence/report.html": render_report(ctx, rows).encode("utf-8"),
               "evidence/incident.json": summary_json(ctx, rows)}
    return build(conn, config.settings, ctx.subject.capture_ids, out, title=ctx.title, members=members,
                 meta={"spillwatch": {"url": url, **(meta or {})}})
