"""Where to report a disclosure on a site: the ``Contact:`` lines of its ``/.well-known/security.txt``
(archived by every full crawl, crawler/spider.py) and the site's ``disclosure_contact`` in the config.

:func:`refresh` reads the latest capture of each of the site's hosts' security.txt from the catalog
and replaces the site's ``security.txt`` rows in ``site_contacts``; a file that is missing, unreadable
or expired is recorded as a problem, never an error that stops the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from core.catalog.schema import captures, site_contacts
from core.config import Site
from core.timestamps import as_utc
from disclosure import payloads, security_txt

log = logging.getLogger(__name__)
PATH = "/.well-known/security.txt"


@dataclass
class Contact:
    contact: str
    source: str  # security.txt | config
    policy: str = ""
    preferred_languages: str = ""
    expires: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def email(self) -> str | None:
        return self.contact[len("mailto:"):] if self.contact.lower().startswith("mailto:") else (
            self.contact if "@" in self.contact and ":" not in self.contact else None)


def latest_security_txt(conn: Connection, site_id: str) -> list[Any]:
    """The newest capture of ``/.well-known/security.txt`` per host of the site."""
    rows = conn.execute(select(captures).where(captures.c.site_id == site_id, captures.c.url.like(f"%{PATH}"))
                        .order_by(captures.c.captured_at.desc(), captures.c.id.desc())).mappings().all()
    newest: dict[str, Any] = {}
    for row in rows:
        newest.setdefault(str(row["url"]), row)
    return list(newest.values())


def refresh(conn: Connection, site: Site, now: datetime) -> list[Contact]:
    """Re-read the site's security.txt captures and its configured contact into ``site_contacts``."""
    found: list[tuple[Contact, int | None]] = []
    for row in latest_security_txt(conn, site.id):
        status = row["status"]
        if row["record_type"] == "response" and (status is None or not 200 <= int(status) < 300):
            continue  # no security.txt on that host (404 is the usual answer)
        try:
            body = payloads.read_body(payloads.original(conn, row), security_txt.MAX_SIZE)
        except payloads.PayloadError as exc:
            log.warning("site %s: %s: %s", site.id, row["url"], exc)
            continue
        parsed = security_txt.parse(body, now)
        notes = list(parsed.problems) + (["OpenPGP-signed (signature not checked)"] if parsed.signed else [])
        for uri in parsed.contacts:
            found.append((Contact(uri, "security.txt", policy=" ".join(parsed.policy),
                                  preferred_languages=", ".join(parsed.preferred_languages),
                                  expires=parsed.expires, problems=notes), int(row["id"])))
    if site.disclosure_contact:
        found.append((Contact(site.disclosure_contact, "config"), None))
    conn.execute(delete(site_contacts).where(site_contacts.c.site_id == site.id))
    seen: set[tuple[str, str]] = set()
    for contact, capture_id in found:
        if (contact.source, contact.contact) in seen:
            continue
        seen.add((contact.source, contact.contact))
        conn.execute(insert(site_contacts).values(
            site_id=site.id, source=contact.source, contact=contact.contact,
            preferred_languages=contact.preferred_languages, policy=contact.policy,
            expires=as_utc(contact.expires), capture_id=capture_id, problems=contact.problems, recorded_at=now))
    return [c for c, _ in found]


def for_site(conn: Connection, site_id: str) -> list[Contact]:
    """The recorded contacts of a site, the configured one first."""
    rows = conn.execute(select(site_contacts).where(site_contacts.c.site_id == site_id)
                        .order_by(site_contacts.c.source, site_contacts.c.id)).mappings().all()
    out = [Contact(r["contact"], r["source"], r["policy"], r["preferred_languages"], as_utc(r["expires"]),
                   list(r["problems"] or [])) for r in rows]
    return sorted(out, key=lambda c: c.source != "config")


def known(conn: Connection, sites: list[Site], site_id: str | None) -> list[Contact]:
    """Where to report for a site: the configured contact as the config says now (first), then the
    security.txt contacts recorded at the last full crawl."""
    if site_id is None:
        return []
    configured = next((s.disclosure_contact for s in sites if s.id == site_id and s.disclosure_contact), None)
    out = [Contact(configured, "config")] if configured else []
    return out + [c for c in for_site(conn, site_id) if c.source != "config"]
