"""The Atom feed of new incidents, and the tokens that protect its URL.

A feed reader cannot log in, so the feed URL carries a token: ``/feeds/<token>/incidents.atom``.
Each user makes their own feed URLs (``feed_tokens``: SHA-256 of the token stored, the token shown
once) and can revoke them; a disabled user's feeds stop at once.  Filters in the query string:
``site`` (a site id), ``severity`` (one or more of low, medium, high, critical, comma-separated) and
``min_severity``.

The feed is masked like an alert (docs/architecture.md §5 rule 4): severity, kinds, record counts,
column *types*, times, status and the exposure in words; file URLs masked by
:func:`alerts.masking.mask_url`; never a sample, a header or a page title.  The full URL is on the
incident's page, behind the login.  Built with feedgen (valid Atom 1.0).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator
from sqlalchemy import Connection, insert, select, update

from alerts.content import file_name_of
from alerts.masking import mask_url
from core.catalog import incidents as store
from core.catalog.incident_timeline import exposure
from core.catalog.schema import feed_tokens, findings, incidents, users
from core.models import Severity
from web.views.incidents import kind_label

TOKEN_PREFIX = "swf_"
FEED_LIMIT = 50


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_feed_token(conn: Connection, user_id: int, label: str = "") -> str:
    """A new feed token for the user; returns the token (only its hash is stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(insert(feed_tokens).values(user_id=user_id, token_hash=_hash(token), label=label.strip()[:200],
                                            created_at=datetime.now(UTC)))
    return token


def revoke_feed_token(conn: Connection, token_id: int, user_id: int) -> bool:
    """Revoke one of the user's feed tokens; False if it is not theirs or already revoked."""
    result = conn.execute(update(feed_tokens).where(feed_tokens.c.id == token_id, feed_tokens.c.user_id == user_id,
                                                    feed_tokens.c.revoked_at.is_(None))
                          .values(revoked_at=datetime.now(UTC)))
    return result.rowcount == 1


def list_feed_tokens(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(feed_tokens.c.id, feed_tokens.c.label, feed_tokens.c.created_at,
                               feed_tokens.c.last_used_at, feed_tokens.c.revoked_at)
                        .where(feed_tokens.c.user_id == user_id).order_by(feed_tokens.c.id.desc()))
    return [dict(r) for r in rows.mappings()]


def feed_user(conn: Connection, token: str) -> int | None:
    """The user a live feed token belongs to (and stamps its use), or None: unknown, revoked, or the
    user is disabled."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = conn.execute(select(feed_tokens.c.id, feed_tokens.c.user_id)
                       .select_from(feed_tokens.join(users, users.c.id == feed_tokens.c.user_id))
                       .where(feed_tokens.c.token_hash == _hash(token), feed_tokens.c.revoked_at.is_(None),
                              users.c.disabled.is_(False))).first()
    if row is None:
        return None
    conn.execute(update(feed_tokens).where(feed_tokens.c.id == row.id).values(last_used_at=datetime.now(UTC)))
    return int(row.user_id)


@dataclass(frozen=True)
class FeedFilter:
    site: str = ""
    severities: tuple[str, ...] = ()

    @classmethod
    def parse(cls, args: Any) -> FeedFilter:
        """From the query string; ValueError naming the bad argument."""
        wanted = [s.strip() for s in str(args.get("severity", "")).split(",") if s.strip()]
        floor = str(args.get("min_severity", "")).strip()
        for name in [*wanted, *([floor] if floor else [])]:
            if name not in Severity.names():
                raise ValueError(f"severity: expected one of {', '.join(Severity.names())}, not {name!r}")
        if floor:
            wanted += [s.name for s in Severity if s >= Severity.parse(floor)]
        return cls(str(args.get("site", "")).strip(), tuple(dict.fromkeys(wanted)))


def _entry_text(incident: store.Incident, kinds: list[str], records: int, types: list[str]) -> str:
    parts = [f"Severity {incident.severity}", f"{records:,} records", "found: " + ", ".join(kinds),
             f"first seen {incident.first_seen:%Y-%m-%d %H:%M} UTC", f"status {incident.status}",
             exposure(incident)[1]]
    if types:
        parts.append("column types: " + ", ".join(types))
    return " · ".join(parts)


def build_feed(conn: Connection, flt: FeedFilter, *, base_url: str, self_url: str) -> bytes:
    """The Atom document of the newest incidents matching ``flt`` (at most 50, newest first)."""
    query = select(incidents.c.id).order_by(incidents.c.first_seen.desc(), incidents.c.id.desc()).limit(FEED_LIMIT)
    if flt.site:
        query = query.where(incidents.c.site_id == flt.site)
    if flt.severities:
        query = query.where(incidents.c.severity.in_(flt.severities))
    base = base_url.rstrip("/")
    feed = FeedGenerator()
    scope = ", ".join(x for x in (flt.site, "/".join(flt.severities)) if x) or "all sites"
    feed.id(f"urn:spillwatch:incidents:{flt.site or '*'}:{','.join(flt.severities) or '*'}")
    feed.title(f"Spillwatch: new incidents ({scope})")
    feed.author({"name": "Spillwatch"})
    feed.link(href=self_url, rel="self")
    feed.link(href=f"{base}/incidents", rel="alternate")
    feed.updated(datetime.now(UTC))
    for incident_id in reversed(conn.execute(query).scalars().all()):  # feedgen lists the last added first
        incident = store.get_incident(conn, int(incident_id))
        if incident is None:
            continue
        rows = conn.execute(select(findings.c.kind, findings.c.rows, findings.c.columns)
                            .where(findings.c.incident_id == incident.id)).all()
        kinds = sorted({kind_label(str(r.kind)) for r in rows})
        types = sorted({str(c.get("type")) for r in rows if isinstance(r.columns, list)
                        for c in r.columns if isinstance(c, dict) and c.get("type")})
        records = max((int(r.rows) for r in rows if isinstance(r.rows, int)), default=0)
        entry = feed.add_entry()
        entry.id(f"urn:spillwatch:incident:{incident.id}")
        entry.title(f"{incident.severity.upper()}: {kinds[0] if kinds else 'finding'} in "
                    f"{file_name_of(incident.url)} on {incident.site_id or 'no site'}")
        entry.link(href=f"{base}/incidents/{incident.id}", rel="alternate")
        entry.published(incident.first_seen)
        entry.updated(incident.updated_at)
        entry.summary(_entry_text(incident, kinds, records, types) + f" · file {mask_url(incident.url)}")
        entry.category(term=incident.severity)
    return bytes(feed.atom_str(pretty=True))
