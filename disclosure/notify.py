"""Notify the publisher: a responsible-disclosure message drafted from an incident, sent by email
through the SMTP notifier, or recorded as sent by hand; the incident moves to ``reported`` with who
and when, and the audit log says so (docs/disclosure.md "Reporting").

The message comes from a template rendered in Jinja2's sandbox (docs/architecture.md §5 rule 2;
``disclosure/templates/disclosure_message.txt``, or a ``disclosure_message.txt`` in
``alert_template_dir``) and receives only the URL, times, counts and kinds of data of the incident:
no value from the file can reach it.  The message is kept by SHA-256 only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Connection, insert, select

from alerts.errors import DeliveryError, NotConfigured
from alerts.notifiers.email import EmailNotifier
from core.catalog import incidents as store
from core.catalog.incident_timeline import exposure
from core.catalog.schema import audit_log, disclosure_reports, users
from core.config import Channel, Config
from disclosure import contacts, mirrors, subject
from disclosure.report import TEMPLATES

TEMPLATE = "disclosure_message.txt"
MAX_BODY = 20_000


class NotifyError(Exception):
    """The message cannot be drafted or sent; the message says what to do."""


@dataclass
class Draft:
    incident_id: int
    subject: str
    body: str
    recipients: list[str]  # e-mail addresses known for the site (security.txt, config)
    other_contacts: list[str]  # web forms and phone numbers: for reporting by hand


def _environment(config: Config) -> SandboxedEnvironment:
    loaders = [FileSystemLoader(TEMPLATES)]
    if config.settings.alert_template_dir:
        loaders.insert(0, FileSystemLoader(config.settings.alert_template_dir))
    return SandboxedEnvironment(loader=ChoiceLoader(loaders), autoescape=False, undefined=StrictUndefined,
                                keep_trailing_newline=True)


def draft(conn: Connection, config: Config, incident_id: int) -> Draft:
    incident = store.get_incident(conn, incident_id)
    if incident is None:
        raise NotifyError(f"incident {incident_id} does not exist")
    about = subject.load(conn, incident.url)
    known = contacts.known(conn, config.sites, incident.site_id)
    text = _environment(config).get_template(TEMPLATE).render(
        url=incident.url, page_url=incident.page_url, host=urlsplit(incident.url).hostname or "",
        file_name=incident.url.rstrip("/").rsplit("/", 1)[-1], first_seen=f"{incident.first_seen:%Y-%m-%d %H:%M}",
        rows=about.rows, categories=about.categories, severity=incident.severity,
        copies=len(mirrors.copies_of(conn, incident.url)), exposure=exposure(incident)[1],
        sender_name="Spillwatch", contact_url=config.settings.contact_url)
    first, _, rest = text.lstrip().partition("\n")
    has_subject = first.startswith("Subject:")
    title = first.removeprefix("Subject:").strip() if has_subject else f"Personal data at {incident.url}"
    body = rest.lstrip("\n") if has_subject else text
    emails = [c.email for c in known if c.email]
    return Draft(incident_id, title, body[:MAX_BODY], list(dict.fromkeys(e for e in emails if e)),
                 [c.contact for c in known if not c.email])


def _user_name(conn: Connection, user_id: int | None) -> str:
    if user_id is None:
        return ""
    return str(conn.execute(select(users.c.name).where(users.c.id == user_id)).scalar() or "")


def _mark_reported(conn: Connection, incident_id: int, user_id: int | None, note: str, at: datetime) -> None:
    incident = store.get_incident(conn, incident_id)
    assert incident is not None
    if incident.status == "new":  # reporting it is confirming it
        store.set_status(conn, incident_id, "confirmed", user_id, "confirmed by reporting it", at=at)
    if incident.status in ("new", "confirmed"):
        store.set_status(conn, incident_id, "reported", user_id, note, at=at)
    else:  # already reported (a second message) or removed: the report is recorded in the history
        store.record_event(conn, incident_id, "reported_again", at=at, user_id=user_id, note=note)


def _record(conn: Connection, message: Draft, *, method: str, recipients: list[str], status: str, user_id: int | None,
            at: datetime, message_id: str = "", error: str = "", note: str = "") -> int:
    name = _user_name(conn, user_id)
    report_id = int(conn.execute(insert(disclosure_reports).values(
        incident_id=message.incident_id, method=method, recipients=recipients, subject=message.subject[:500],
        body_sha256=hashlib.sha256(message.body.encode()).hexdigest(), message_id=message_id, status=status,
        error=error[:2000], user_id=user_id, user_name=name, note=note[:2000], at=at)
        .returning(disclosure_reports.c.id)).scalar_one())
    conn.execute(insert(audit_log).values(at=at, user_id=user_id, action=f"disclosure_{method}",
                                          target=f"incident:{message.incident_id}",
                                          details={"report": report_id, "status": status,
                                                   "recipients": len(recipients)}))
    return report_id


def send_email(conn: Connection, config: Config, message: Draft, recipients: list[str], user_id: int | None,
               *, now: datetime | None = None) -> int:
    """Send ``message`` to ``recipients`` by SMTP (the email notifier, smtp_* settings); on success the
    incident becomes ``reported``.  A failure is recorded and raised as :class:`NotifyError`."""
    at = now or datetime.now(UTC)
    if not recipients:
        raise NotifyError("no recipient: the site has no e-mail contact (security.txt or disclosure_contact); "
                          "give one, or record the report as sent by hand")
    try:
        notifier = EmailNotifier.from_channel(Channel(name="disclosure", kind="email", to=recipients),
                                              config.settings, {})
    except NotConfigured as exc:
        raise NotifyError(str(exc)) from None
    email = EmailMessage()
    email["Subject"], email["From"], email["To"] = message.subject, config.settings.smtp_from, ", ".join(recipients)
    email["Message-ID"] = make_msgid(domain=(config.settings.smtp_from.split("@")[-1] or "spillwatch.local"))
    email.set_content(message.body)
    try:
        notifier.send(email)
    except DeliveryError as exc:
        _record(conn, message, method="email", recipients=recipients, status="failed", user_id=user_id, at=at,
                error=str(exc))
        raise NotifyError(f"not sent: {exc}") from None
    report_id = _record(conn, message, method="email", recipients=recipients, status="sent", user_id=user_id,
                        at=at, message_id=str(email["Message-ID"]))
    _mark_reported(conn, message.incident_id, user_id, f"reported by e-mail to {len(recipients)} address(es)", at)
    return report_id


def record_by_hand(conn: Connection, message: Draft, recipients: list[str], user_id: int | None, note: str = "",
                   *, now: datetime | None = None) -> int:
    """The analyst reported it another way (web form, phone, their own mail): recorded, incident reported."""
    at = now or datetime.now(UTC)
    report_id = _record(conn, message, method="by_hand", recipients=recipients, status="sent", user_id=user_id,
                        at=at, note=note)
    _mark_reported(conn, message.incident_id, user_id, note or "reported by hand", at)
    return report_id


def reports(conn: Connection, incident_id: int) -> list[dict[str, object]]:
    rows = conn.execute(select(disclosure_reports).where(disclosure_reports.c.incident_id == incident_id)
                        .order_by(disclosure_reports.c.at, disclosure_reports.c.id)).mappings()
    return [dict(r) for r in rows]


def template_path() -> Path:
    return TEMPLATES / TEMPLATE
