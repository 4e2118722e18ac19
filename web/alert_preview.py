"""What a delivery says, for the alerts page: the message's headline and its masked sample, built from
the same alert content the notifiers send (``alerts.content.load_alert``: file names, URLs and samples
masked), so the page shows nothing a message would not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from alerts.content import BrokenFinding, load_alert
from core.config import Config
from web.labels import column_type


@dataclass
class MessagePreview:
    headline: str
    detail: str
    sample: list[list[str]]


def message_preview(conn: Connection, config: Config, finding_id: int | None, event: str) -> MessagePreview:
    if finding_id is None:
        return MessagePreview(f"{event} message", "no finding (a service notice or a test)", [])
    try:
        item = load_alert(conn, finding_id, event, config)
    except BrokenFinding as exc:
        return MessagePreview("message cannot be built", str(exc), [])
    again = " (reappeared)" if item.event == "reappeared" else ""
    types = ", ".join(column_type(t) for t in item.column_types) or "no column types recognised"
    return MessagePreview(f"{item.severity.upper()}{again}: {item.kind_label} — {item.records:,} records in "
                          f"{item.file_name} on {item.site_name}", types, [list(r) for r in item.sample])
