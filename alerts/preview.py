"""Write "what would have been sent" to a folder, without sending: ``<name>.eml`` for email and
``<name>.slack.json`` / ``<name>.webhook.json`` for the HTTP notifiers (used by the demo)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Connection

from alerts.content import Envelope, load_alert
from alerts.notifiers import NOTIFIERS
from alerts.outbox import delivery_key, utcnow
from alerts.render import Renderer
from core.config import Config

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def preview_name(envelope: Envelope) -> str:
    return _UNSAFE.sub("_", envelope.key)[:120]


def write_preview(envelope: Envelope, folder: str | Path, *, kind: str, sender: str = "spillwatch@localhost",
                  recipients: list[str] | None = None, renderer: Renderer | None = None) -> Path:
    """Render ``envelope`` for notifier ``kind`` (a key of :data:`alerts.notifiers.NOTIFIERS`) and save
    it; returns the file."""
    try:
        notifier = NOTIFIERS[kind]
    except KeyError:
        raise ValueError(f"unknown notifier kind {kind!r}; expected one of: {', '.join(NOTIFIERS)}") from None
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    return notifier.write_preview(envelope, out / preview_name(envelope), sender=sender,
                                  recipients=list(recipients or []), renderer=renderer)


def write_finding_previews(conn: Connection, config: Config, finding_id: int, folder: str | Path, *,
                           event: str = "new", kinds: tuple[str, ...] | None = None,
                           renderer: Renderer | None = None) -> list[Path]:
    """What a finding's alert would look like on each notifier kind, written to ``folder`` (one file
    per kind), without sending anything.  For the demo and for checking templates."""
    item = load_alert(conn, finding_id, event, config)
    envelope = Envelope(delivery_key("finding", str(finding_id), event, "preview"), "preview", "preview",
                        "immediate", [item], utcnow())
    recipients = sorted({a for c in config.alerts.channels if c.kind == "email" for a in c.to})
    return [write_preview(envelope, folder, kind=kind, sender=config.settings.smtp_from,
                          recipients=recipients or None, renderer=renderer) for kind in kinds or tuple(NOTIFIERS)]
