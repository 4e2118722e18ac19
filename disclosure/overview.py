"""Everything the disclosure workflow knows about one incident, for the UI and the API: where to
report, what was reported, the removal watch and exposure windows, copies in public archives, and
the evidence packages written (docs/disclosure.md)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from core.catalog.incidents import Incident
from core.config import Config
from disclosure import contacts, mirrors, notify, removal_watch, subject
from disclosure.exposure import describe


def evidence_dir(config: Config, incident_id: int) -> Path:
    return config.settings.data_path / "evidence" / f"incident-{incident_id}"


def evidence_files(config: Config, incident_id: int) -> list[dict[str, Any]]:
    folder = evidence_dir(config, incident_id)
    if not folder.is_dir():
        return []
    return [{"name": p.name, "bytes": p.stat().st_size} for p in sorted(folder.glob("*.wacz"), reverse=True)]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def overview(conn: Connection, config: Config, incident: Incident) -> dict[str, Any]:
    """JSON-ready (times as ISO strings); counts, kinds and times only."""
    try:
        about = subject.load(conn, incident.url)
        windows = [{"start": _iso(w.start), "last_seen": _iso(w.last_seen), "end": _iso(w.end), "text": describe(w)}
                   for w in about.windows]
        pages = [{"url": p.page_url, "first_linked": _iso(p.first_linked), "unlinked_at": _iso(p.unlinked_at)}
                 for p in about.pages]
    except LookupError:
        windows, pages = [], []
    watch = removal_watch.get(conn, incident.id)
    return {
        "incident_id": incident.id, "url": incident.url, "status": incident.status,
        "contacts": [asdict(c) | {"expires": _iso(c.expires), "email": c.email}
                     for c in contacts.known(conn, config.sites, incident.site_id)],
        "reports": [{k: _iso(v) for k, v in r.items() if k != "body_sha256"}
                    for r in notify.reports(conn, incident.id)],
        "removal_watch": {k: _iso(v) for k, v in watch.items()} if watch else None,
        "exposure": windows, "linking_pages": pages,
        "mirror_copies": [{k: _iso(v) for k, v in c.items() if k in ("archive", "timestamp", "memento_url",
                                                                        "original", "status", "first_found_at")}
                          for c in mirrors.copies_of(conn, incident.url)],
        "mirror_sweeps": [{k: _iso(v) for k, v in s.items() if k in ("archive", "checked_at", "copies", "error")}
                          for s in mirrors.last_sweeps(conn, incident.url)],
        "evidence": evidence_files(config, incident.id),
    }
