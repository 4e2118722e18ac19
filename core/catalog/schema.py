"""Catalog schema (docs/architecture.md §3 contract 2), SQLAlchemy Core.

The catalog is shared by every stage (the crawler records crawls and reads the previous capture's
validators, the indexer writes captures and findings, alerts own the outbox, the web UI triages), so
it lives in the kernel.  Changes to it are Alembic migrations in ``core/catalog/migrations``;
this module is the current shape the migrations produce.

Idempotency is built into unique keys: a capture is keyed by (warc_file, warc_offset), a finding by
its content key (payload digest + kind + locator), a delivery by its idempotency key.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# Timestamps are timezone-aware UTC everywhere.
TS = DateTime(timezone=True)

sites = Table(
    "sites",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False, default=""),
    Column("config_json", JSON, nullable=False, default=dict),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

crawls = Table(
    "crawls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", String(64), nullable=True, index=True),
    Column("kind", String(16), nullable=False, default="full"),  # full | watch | adhoc
    Column("status", String(16), nullable=False, default="running"),  # running|finished|failed|killed
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS, nullable=True),
    Column("pages", Integer, nullable=False, default=0),
    Column("bytes", BigInteger, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("warc_files", JSON, nullable=False, default=list),
    Column("manifest_path", Text, nullable=True),
    Column("message", Text, nullable=False, default=""),
)

warc_files = Table(
    "warc_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False, unique=True),
    Column("size", BigInteger, nullable=False, default=0),
    Column("crawl_id", Integer, ForeignKey("crawls.id"), nullable=True),
    Column("status", String(16), nullable=False, default="pending"),  # pending|indexing|indexed|failed
    Column("resume_offset", BigInteger, nullable=False, default=0),
    Column("records", Integer, nullable=False, default=0),
    Column("errors", JSON, nullable=False, default=list),
    Column("indexed_at", TS, nullable=True),
    # index runs that started on the file without finishing it; 'failed' after index_max_attempts
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("failure", Text, nullable=False, default="", server_default=""),  # why it failed
    Column("head_digest", String(64), nullable=False, default="", server_default=""),  # sha256 of 64 KiB
)

# Full crawls failed by a WARC write error (disk full), run again once space returns, with backoff and
# a cap on attempts; one row per site (spillwatch/service/crawl_retries.py).
crawl_retries = Table(
    "crawl_retries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False, default="waiting", server_default="waiting"),
    # waiting (for its time and free space) | queued (crawl_id queued or running) | done | given_up
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("next_attempt_at", TS, nullable=False),
    Column("last_error", Text, nullable=False, default="", server_default=""),
    Column("failed_crawl_id", Integer, nullable=True),
    Column("crawl_id", Integer, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# Documents to fetch now (newly linked from a watch page), retried with backoff until fetched or
# given up with a reason; one row per (site, URL), re-queued when linked again but never fetched.
fetches = Table(
    "fetches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("url_key", String(64), nullable=False),  # sha256 of the URL (unique per site)
    Column("page_url", Text, nullable=False, default="", server_default=""),
    Column("status", String(16), nullable=False, default="queued", server_default="queued"),
    # queued | fetching | fetched | given_up
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("next_attempt_at", TS, nullable=False),
    Column("last_error", Text, nullable=False, default="", server_default=""),
    Column("crawl_id", Integer, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("site_id", "url_key", name="uq_fetches_site_id"),
    Index("ix_fetches_status", "status", "next_attempt_at"),
)

captures = Table(
    "captures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", String(64), nullable=True, index=True),
    Column("url", Text, nullable=False),
    Column("surt", Text, nullable=False),
    Column("captured_at", TS, nullable=False),
    Column("record_type", String(16), nullable=False),  # response | resource | revisit
    Column("status", Integer, nullable=True),
    Column("media_type_declared", String(255), nullable=False, default=""),
    Column("media_type_sniffed", String(255), nullable=False, default=""),
    Column("payload_digest", String(128), nullable=False, default=""),
    Column("refers_to_capture_id", Integer, ForeignKey("captures.id"), nullable=True),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("content_length", BigInteger, nullable=True),
    Column("title", Text, nullable=False, default=""),
    Column("warc_file", Text, nullable=False),
    Column("warc_offset", BigInteger, nullable=False),
    Column("warc_length", BigInteger, nullable=False),
    Column("crawl_id", Integer, ForeignKey("crawls.id"), nullable=True),
    UniqueConstraint("warc_file", "warc_offset", name="uq_captures_warc_position"),
    Index("ix_captures_surt_time", "surt", "captured_at"),
    Index("ix_captures_digest", "payload_digest"),
)

# One row per distinct payload of a URL; ``previous_version_id`` chains a URL's history.
versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("surt", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("site_id", String(64), nullable=True),
    Column("payload_digest", String(128), nullable=False),
    Column("first_capture_id", Integer, ForeignKey("captures.id"), nullable=False),
    Column("last_capture_id", Integer, ForeignKey("captures.id"), nullable=False),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Column("previous_version_id", Integer, ForeignKey("versions.id"), nullable=True),
    # 0002_indexer: the URL is gone (404/410 or unlinked for N crawls) since removed_at
    Column("removed_at", TS, nullable=True),
    Column("unlinked_crawls", Integer, nullable=False, default=0, server_default="0"),
    Column("unlinked_crawl_key", Text, nullable=True),
    Index("ix_versions_surt", "surt", "first_seen"),
    Index("ix_versions_payload_digest", "payload_digest"),
)

# What happened to a URL at a capture: new | changed | unchanged | removed | reappeared |
# new_document_linked.  ``significance`` is 0..1 (1 = entirely different text).
changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("surt", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("site_id", String(64), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("significance", Float, nullable=False, default=0.0),
    Column("capture_id", Integer, ForeignKey("captures.id"), nullable=True),
    Column("previous_capture_id", Integer, ForeignKey("captures.id"), nullable=True),
    Column("detected_at", TS, nullable=False),
    Column("details", JSON, nullable=False, default=dict),
    UniqueConstraint("capture_id", "kind", "url", name="uq_changes_capture_kind_url"),
    Index("ix_changes_detected", "detected_at"),
    Index("ix_changes_surt", "surt", "capture_id"),  # 0003_indexer
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # looked up by capture through uq_links_capture_target (0004_indexer dropped its own index)
    Column("capture_id", Integer, ForeignKey("captures.id"), nullable=False),
    Column("target_url", Text, nullable=False),
    Column("target_surt", Text, nullable=False, index=True),
    Column("anchor_text", Text, nullable=False, default=""),
    UniqueConstraint("capture_id", "target_url", name="uq_links_capture_target"),
)

FINDING_STATUSES = ("new", "confirmed", "dismissed", "reported", "removed")
INCIDENT_STATUSES = FINDING_STATUSES  # the one triage state lives on the incident (0007_incidents)

# 0007_incidents: one row per published file (site + URL) over time; findings.incident_id points here.
# status: the file's one triage state; severity: its worst finding's; page_*: the linking page and the
# change that added the link (core.catalog.incidents).
incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),  # sha256 of site id + URL
    Column("site_id", String(64), nullable=True, index=True),
    Column("url", Text, nullable=False),
    Column("status", String(16), nullable=False, default="new"),
    Column("severity", String(16), nullable=False),
    Column("assignee_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("capture_id", Integer, ForeignKey("captures.id"), nullable=True),  # first capture with a finding
    Column("page_url", Text, nullable=False, default="", server_default=""),
    Column("page_capture_id", Integer, ForeignKey("captures.id"), nullable=True),
    Column("page_change_id", Integer, ForeignKey("changes.id"), nullable=True),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Column("alerted_at", TS, nullable=True),
    Column("alerted_severity", String(16), nullable=True),  # severity of the last alert planned
    Column("triaged_at", TS, nullable=True),
    Column("reported_at", TS, nullable=True),
    Column("removed_at", TS, nullable=True),
    Column("reappeared_at", TS, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_incidents_status_severity", "status", "severity"),
    Index("ix_incidents_first_seen", "first_seen"),
)

# 0007_incidents: what happened to an incident: triage (status | note | assign, with the user) and
# the planner's alert events (new | escalated | reappeared, planned into deliveries).
incident_events = Table(
    "incident_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("event", String(32), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=True),
    Column("note", Text, nullable=False, default=""),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_key", String(255), nullable=False, unique=True),
    Column("capture_id", Integer, ForeignKey("captures.id"), nullable=False),
    Column("site_id", String(64), nullable=True, index=True),
    Column("url", Text, nullable=False),
    Column("payload_digest", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("locator", Text, nullable=False, default=""),
    Column("columns", JSON, nullable=False, default=list),
    Column("reasons", JSON, nullable=False, default=list),
    Column("sample", JSON, nullable=False, default=list),
    Column("status", String(16), nullable=False, default="new"),
    Column("assignee_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Column("removed_at", TS, nullable=True),
    Column("reappeared_at", TS, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=True, index=True),  # 0007_incidents
    Index("ix_findings_status_severity", "status", "severity"),
    Index("ix_findings_payload_digest", "payload_digest"),  # 0002_indexer
)

finding_events = Table(
    "finding_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding_id", Integer, ForeignKey("findings.id"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("event", String(32), nullable=False),  # status | note | assign | seen | removed | reappeared
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=True),
    Column("note", Text, nullable=False, default=""),
    # new | reappeared events wait here (NULL) until the alert planner has created their deliveries
    Column("alerts_planned_at", TS, nullable=True),  # 0005_alert_planning
    Index("ix_finding_events_unplanned", "alerts_planned_at", "event"),
)

DELIVERY_STATES = ("pending", "sending", "sent", "failed", "dead")

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("finding_id", Integer, ForeignKey("findings.id"), nullable=True, index=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=True, index=True),  # 0007_incidents
    Column("event", String(16), nullable=False, default="new"),  # new | escalated | reappeared | test | ops
    Column("route", String(128), nullable=False),
    Column("channel", String(128), nullable=False),
    Column("notifier", String(16), nullable=False),  # email | slack | webhook
    Column("status", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", TS, nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS, nullable=True),
    Column("payload", JSON, nullable=False, default=dict),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)

USER_ROLES = ("admin", "analyst", "viewer")

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("api_token_hash", String(128), nullable=True, unique=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", TS, nullable=False),
    # 0005_privacy: two-factor login and per-account lockout
    Column("totp_secret", Text, nullable=True),
    Column("totp_enabled", Boolean, nullable=False, default=False, server_default="0"),
    Column("totp_last_step", BigInteger, nullable=False, default=0, server_default="0"),  # no code used twice
    Column("failed_logins", Integer, nullable=False, default=0, server_default="0"),
    Column("locked_until", TS, nullable=True),
)

# 0005_privacy: one row per logged-in browser, keyed by the SHA-256 of the cookie's random key;
# deleting the rows ends the sessions at once (logout, password or role change, disabling).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    Column("address", String(64), nullable=False, default="", server_default=""),
)

# 0008_incident_feeds: Atom feed URLs of new incidents (web/incident_feed.py), by SHA-256 of the token.
feed_tokens = Table(
    "feed_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", Text, nullable=False, default="", server_default=""),
    Column("created_at", TS, nullable=False),
    Column("last_used_at", TS, nullable=True),
    Column("revoked_at", TS, nullable=True),
)

# 0005_privacy: argon2 hashes of one-time recovery codes for two-factor login.
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code_hash", Text, nullable=False),
    Column("used_at", TS, nullable=True),
)

# 0005_privacy: payloads removed by `spillwatch purge` (the evidence: digest, length, where, why).
purges = Table(
    "purges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", TS, nullable=False),
    Column("user_name", String(128), nullable=False, default="", server_default=""),
    Column("finding_id", Integer, nullable=True),
    Column("capture_id", Integer, nullable=True),
    Column("url_digest", String(64), nullable=False, default="", server_default=""),
    Column("payload_digest", String(128), nullable=False, index=True),
    Column("warc_file", Text, nullable=False, default="", server_default=""),
    Column("length", BigInteger, nullable=True),
    Column("reason", Text, nullable=False, default="", server_default=""),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", TS, nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False, default=""),
    Column("details", JSON, nullable=False, default=dict),
)

# 0002_service: one row per singleton role ("scheduler"); the holder renews ``heartbeat_at`` and a
# second `spillwatch run` refuses to start while the lease is fresh.
service_leases = Table(
    "service_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", Text, nullable=False),
    Column("acquired_at", TS, nullable=False),
    Column("heartbeat_at", TS, nullable=False),
)

# 0007_disclosure (docs/disclosure.md): where to report a disclosure on a site — the Contact: lines of
# its /.well-known/security.txt (RFC 9116) as last captured, and the site's configured contact.
site_contacts = Table(
    "site_contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", String(64), nullable=False, index=True),
    Column("source", String(16), nullable=False),  # security.txt | config
    Column("contact", Text, nullable=False),  # mailto:, https: or tel: URI as written
    Column("preferred_languages", Text, nullable=False, default="", server_default=""),
    Column("policy", Text, nullable=False, default="", server_default=""),
    Column("expires", TS, nullable=True),
    Column("capture_id", Integer, ForeignKey("captures.id"), nullable=True),  # the security.txt capture
    Column("problems", JSON, nullable=False, default=list),  # what the file got wrong (expired, unsigned…)
    Column("recorded_at", TS, nullable=False),
    UniqueConstraint("site_id", "source", "contact", name="uq_site_contacts_site_id"),
)

# 0007_disclosure: one row per question to a public archive about a URL (the mirror sweep) …
mirror_sweeps = Table(
    "mirror_sweeps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("url_key", String(64), nullable=False, index=True),  # sha256 of the URL
    Column("archive", String(128), nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("checked_at", TS, nullable=False),
    Column("copies", Integer, nullable=False, default=0),
    Column("error", Text, nullable=False, default="", server_default=""),
)

# … and one row per copy an archive holds (an archive, a URL and a capture time once).
mirror_copies = Table(
    "mirror_copies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("url_key", String(64), nullable=False),
    Column("archive", String(128), nullable=False),
    Column("timestamp", String(14), nullable=False),  # the archive's capture time, YYYYMMDDhhmmss
    Column("original", Text, nullable=False),  # the URL as the archive holds it
    Column("memento_url", Text, nullable=False, default="", server_default=""),
    Column("status", String(8), nullable=False, default="", server_default=""),
    Column("digest", String(128), nullable=False, default="", server_default=""),
    Column("first_found_at", TS, nullable=False),
    Column("last_found_at", TS, nullable=False),
    UniqueConstraint("url_key", "archive", "timestamp", name="uq_mirror_copies_url_key"),
)

# 0008_disclosure_watch (docs/disclosure.md): the removal watch of an incident's file and linking
# page — checked every ``interval_seconds`` (removal_watch_intervals by severity) through the watch
# fetch path, so every check is an archived capture; the removal and the link's disappearance are
# the first captures proving them.
removal_watches = Table(
    "removal_watches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, unique=True),
    Column("site_id", String(64), nullable=True),
    Column("url", Text, nullable=False),
    Column("page_url", Text, nullable=False, default="", server_default=""),
    Column("interval_seconds", Float, nullable=False),
    Column("status", String(16), nullable=False, default="watching"),  # watching | removed | stopped
    Column("next_check_at", TS, nullable=False),
    Column("last_checked_at", TS, nullable=True),
    Column("checks", Integer, nullable=False, default=0, server_default="0"),
    Column("removed_at", TS, nullable=True),  # first capture proving the file gone
    Column("removal_capture_id", Integer, ForeignKey("captures.id"), nullable=True),
    Column("link_removed_at", TS, nullable=True),  # first capture of the page without the link
    Column("reappeared_at", TS, nullable=True),  # served again after removed_at
    Column("last_error", Text, nullable=False, default="", server_default=""),
    Column("created_at", TS, nullable=False),
    Index("ix_removal_watches_due", "status", "next_check_at"),
)

# 0008_disclosure_watch: each report of an incident to its publisher — sent by email through the SMTP
# notifier, or recorded as sent by hand — with who and when; the message is kept by digest only.
disclosure_reports = Table(
    "disclosure_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, index=True),
    Column("method", String(16), nullable=False),  # email | by_hand
    Column("recipients", JSON, nullable=False, default=list),
    Column("subject", Text, nullable=False, default="", server_default=""),
    Column("body_sha256", String(64), nullable=False, default="", server_default=""),
    Column("message_id", Text, nullable=False, default="", server_default=""),
    Column("status", String(16), nullable=False),  # sent | failed
    Column("error", Text, nullable=False, default="", server_default=""),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("user_name", String(128), nullable=False, default="", server_default=""),
    Column("note", Text, nullable=False, default="", server_default=""),
    Column("at", TS, nullable=False),
)
