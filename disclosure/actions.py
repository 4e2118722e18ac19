"""What an analyst does from an incident (UI, API, CLI alike): sweep the public archives, and write
the evidence package into ``DATA_DIR/evidence/incident-N/`` (docs/disclosure.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from core.catalog.incidents import Incident, record_event
from core.config import Config
from disclosure import mirrors
from disclosure.evidence import EvidenceSummary
from disclosure.guarded_get import GuardedGet
from disclosure.overview import evidence_dir
from disclosure.package import build_for_url


def sweep(conn: Connection, config: Config, incident: Incident, user_id: int | None) -> list[mirrors.SweepResult]:
    """Ask every configured archive about the incident's file; raises ValueError when none is configured."""
    if not config.disclosure.mirrors:
        raise ValueError("no public archive is configured: list them under disclosure.mirrors in the config")
    now = datetime.now(UTC)
    with GuardedGet(timeout=config.settings.mirror_timeout, allow_private=config.disclosure.allow_private_addresses,
                    user_agent=config.settings.effective_user_agent) as getter:
        results = mirrors.sweep(conn, getter, config.disclosure.mirrors, incident.url, now)
    found = sum(len(r.copies) for r in results)
    failed = [r.archive for r in results if r.error]
    record_event(conn, incident.id, "mirror_sweep", at=now, user_id=user_id,
                 note=f"{found} cop(ies) in {len(results)} archive(s)" + (f"; failed: {', '.join(failed)}"
                                                                         if failed else ""))
    return results


def evidence(conn: Connection, config: Config, incident: Incident, user_id: int | None) -> EvidenceSummary:
    """The incident's signed, time-stamped evidence package, written under the data folder."""
    now = datetime.now(UTC)
    out: Path = evidence_dir(config, incident.id) / f"incident-{incident.id}-{now:%Y%m%dT%H%M%SZ}.wacz"
    summary = build_for_url(conn, config, incident.url, out, title=f"Incident {incident.id}: {incident.url}",
                            meta={"incident": incident.id}, incident_id=incident.id)
    record_event(conn, incident.id, "evidence", at=now, user_id=user_id,
                 note=f"evidence package {out.name}, datapackage {summary.digest[:23]}…")
    return summary
