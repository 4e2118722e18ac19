"""Incidents (core.catalog.incidents): one per published file, the one triage state, the timeline;
on SQLite and on a real PostgreSQL server, and the 0007 migration grouping existing findings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, insert, select, text

from core.catalog import incidents as store
from core.catalog import schema as s
from core.catalog import upgrade
from core.catalog.db import create_catalog_engine
from core.catalog.incident_timeline import duration_words, exposure, timeline

NOW = datetime(2022, 11, 28, 14, 0, tzinfo=UTC)
FILE = "https://ice.example.gov/doclib/FY23_detentionStats.xlsx"
PAGE = "https://ice.example.gov/detain/detention-management"


def _capture(conn: Connection, url: str, offset: int, at: datetime = NOW) -> int:
    return int(conn.execute(insert(s.captures).values(
        site_id="ice", url=url, surt=url.replace("https://", ""), captured_at=at, record_type="response",
        status=200, payload_digest=f"sha1:{offset}", warc_file="crawl-1.warc.gz", warc_offset=offset,
        warc_length=10)).inserted_primary_key[0])


def _finding(conn: Connection, capture_id: int, *, kind: str = "person_table", severity: str = "critical",
             url: str = FILE, seen: datetime = NOW, attach: bool = True) -> tuple[int, int | None]:
    finding_id = int(conn.execute(insert(s.findings).values(
        content_key=f"sha256:{capture_id}:{kind}:{severity}:{url}", capture_id=capture_id, site_id="ice", url=url,
        payload_digest=f"sha1:{capture_id}", kind=kind, severity=severity, score=0.9, rows=40, locator="",
        columns=[], reasons=[], sample=[], status="new", first_seen=seen, last_seen=seen,
        created_at=seen)).inserted_primary_key[0])
    incident_id = store.incident_for_finding(conn, finding_id, now=seen) if attach else None
    return finding_id, incident_id


def _user(conn: Connection, name: str = "ana", role: str = "analyst") -> int:
    return int(conn.execute(insert(s.users).values(name=name, password_hash="x", role=role,
                                                   created_at=NOW)).inserted_primary_key[0])


def test_findings_of_one_file_share_one_incident_with_the_worst_severity(catalog: Engine) -> None:
    with catalog.begin() as conn:
        capture = _capture(conn, FILE, 0)
        first, incident_id = _finding(conn, capture, kind="hidden_content", severity="medium")
        second, again = _finding(conn, capture, kind="person_table", severity="critical",
                                 seen=NOW + timedelta(minutes=5))
        other_capture = _capture(conn, FILE.replace("FY23", "FY24"), 100)
        _, other = _finding(conn, other_capture, url=FILE.replace("FY23", "FY24"))
        assert store.incident_for_finding(conn, first) == incident_id  # idempotent
    assert incident_id is not None and again == incident_id and other != incident_id
    with catalog.connect() as conn:
        incident = store.get_incident(conn, incident_id)
    assert incident is not None
    assert incident.severity == "critical" and incident.status == "new" and incident.url == FILE
    assert incident.finding_ids == (first, second)
    assert incident.first_seen == NOW and incident.last_seen == NOW + timedelta(minutes=5)
    assert incident.to_dict()["first_seen"] == NOW.isoformat()


def test_status_acts_on_the_incident_and_every_finding(catalog: Engine) -> None:
    with catalog.begin() as conn:
        user = _user(conn)
        capture = _capture(conn, FILE, 0)
        first, incident_id = _finding(conn, capture, kind="hidden_content")
        second, _ = _finding(conn, capture)
        assert incident_id is not None
        with pytest.raises(store.TriageError, match="can become confirmed, dismissed, not reported"):
            store.set_status(conn, incident_id, "reported", user)
        with pytest.raises(store.TriageError, match="needs a reason"):
            store.set_status(conn, incident_id, "dismissed", user)
        store.set_status(conn, incident_id, "confirmed", user, at=NOW + timedelta(hours=1))
        store.set_status(conn, incident_id, "reported", user, "mailed the agency", at=NOW + timedelta(hours=2))
        with pytest.raises(store.TriageError, match="before the file was first seen"):
            store.set_status(conn, incident_id, "removed", user, removed_at=NOW - timedelta(days=1))
        store.set_status(conn, incident_id, "removed", user, removed_at=NOW + timedelta(hours=5, minutes=12),
                         at=NOW + timedelta(hours=6))
        statuses = conn.execute(select(s.findings.c.status)).scalars().all()
        per_finding = conn.execute(select(s.finding_events.c.finding_id, s.finding_events.c.to_status)
                                   .where(s.finding_events.c.event == "status")).all()
        incident = store.get_incident(conn, incident_id)
    assert statuses == ["removed", "removed"]
    assert sorted(per_finding) == sorted([(f, st) for f in (first, second)
                                          for st in ("confirmed", "reported", "removed")])
    assert incident is not None and incident.status == "removed"
    assert incident.triaged_at == NOW + timedelta(hours=1) and incident.reported_at == NOW + timedelta(hours=2)
    assert incident.removed_at == NOW + timedelta(hours=5, minutes=12)


def test_note_and_assignment(catalog: Engine) -> None:
    with catalog.begin() as conn:
        ana, viewer = _user(conn), _user(conn, "vic", "viewer")
        _, incident_id = _finding(conn, _capture(conn, FILE, 0))
        assert incident_id is not None
        with pytest.raises(store.TriageError, match="empty"):
            store.add_note(conn, incident_id, ana, "  ")
        with pytest.raises(store.TriageError, match="analysts and admins only"):
            store.assign(conn, incident_id, viewer, ana)
        with pytest.raises(store.TriageError, match="incident 999 does not exist"):
            store.add_note(conn, 999, ana, "x")
        store.add_note(conn, incident_id, ana, "called the press office")
        store.assign(conn, incident_id, ana, ana)
        incident = store.get_incident(conn, incident_id)
        assignees = conn.execute(select(s.findings.c.assignee_id)).scalars().all()
    assert incident is not None and incident.assignee_id == ana and incident.assignee_name == "ana"
    assert assignees == [ana]


def test_list_filters_and_pages_worst_first(catalog: Engine) -> None:
    with catalog.begin() as conn:
        for n, severity in enumerate(["low", "critical", "high", "critical", "medium"]):
            url = f"https://ice.example.gov/f{n}.csv"
            _finding(conn, _capture(conn, url, n * 10), url=url, severity=severity)
    with catalog.connect() as conn:
        first = store.list_incidents(conn, per_page=2)
        second = store.list_incidents(conn, per_page=2, page=2)
        critical = store.list_incidents(conn, severity="critical")
        other_site = store.list_incidents(conn, site_id="cbp")
        with pytest.raises(ValueError, match="severity: expected one of low, medium, high, critical"):
            store.list_incidents(conn, severity="urgent")
        with pytest.raises(ValueError, match="status: expected open, all"):
            store.list_incidents(conn, status="closed")
    assert first.total == 5 and first.pages == 3
    assert [i.severity for i in first.items + second.items] == ["critical", "critical", "high", "medium"]
    assert critical.total == 2 and other_site.total == 0


def test_a_worse_finding_reopens_a_dismissed_incident(catalog: Engine) -> None:
    with catalog.begin() as conn:
        capture = _capture(conn, FILE, 0)
        _, incident_id = _finding(conn, capture, kind="hidden_content", severity="low")
        assert incident_id is not None
        store.set_status(conn, incident_id, "dismissed", None, "aggregate sheet")
        _finding(conn, capture, kind="person_table", severity="low")  # not worse: stays dismissed
        assert conn.execute(select(s.incidents.c.status)).scalar() == "dismissed"
        _finding(conn, capture, kind="person_table", severity="critical", seen=NOW + timedelta(hours=1))
        incident = store.get_incident(conn, incident_id)
        statuses = set(conn.execute(select(s.findings.c.status)).scalars())
    assert incident is not None and incident.status == "new" and incident.severity == "critical"
    assert statuses == {"new"}


def test_the_linking_page_and_its_diff_are_found(catalog: Engine) -> None:
    with catalog.begin() as conn:
        before, page = _capture(conn, PAGE, 0, NOW - timedelta(hours=1)), _capture(conn, PAGE, 10)
        change = conn.execute(insert(s.changes).values(
            surt="p", url=PAGE, site_id="ice", kind="changed", significance=0.2, capture_id=page,
            previous_capture_id=before, detected_at=NOW)).inserted_primary_key[0]
        conn.execute(insert(s.changes).values(
            surt="f", url=FILE, site_id="ice", kind="new_document_linked", significance=1.0, capture_id=page,
            detected_at=NOW, details={"page_url": PAGE}))
        _, incident_id = _finding(conn, _capture(conn, FILE, 20))
        assert incident_id is not None
        incident = store.get_incident(conn, incident_id)
    assert incident is not None
    assert (incident.page_url, incident.page_capture_id, incident.page_change_id) == (PAGE, page, change)


def test_removal_and_reappearance_follow_the_findings(catalog: Engine) -> None:
    with catalog.begin() as conn:
        capture = _capture(conn, FILE, 0)
        first, incident_id = _finding(conn, capture)
        second, _ = _finding(conn, capture, kind="hidden_content")
        assert incident_id is not None
        gone = NOW + timedelta(hours=5, minutes=12)
        conn.execute(s.findings.update().where(s.findings.c.id == first).values(removed_at=gone))
        store.refresh(conn, incident_id)
        assert store.get_incident(conn, incident_id).removed_at is None  # type: ignore[union-attr]
        conn.execute(s.findings.update().where(s.findings.c.id == second).values(removed_at=gone))
        store.refresh_for_findings(conn, [first, second])
        removed = store.get_incident(conn, incident_id)
        back = gone + timedelta(days=1)
        conn.execute(s.findings.update().where(s.findings.c.id == second)
                     .values(removed_at=None, reappeared_at=back, last_seen=back))
        store.refresh(conn, incident_id)
        reappeared = store.get_incident(conn, incident_id)
    assert removed is not None and removed.removed_at == gone
    assert reappeared is not None and reappeared.removed_at is None and reappeared.reappeared_at == back


def test_timeline_says_durations_in_words(catalog: Engine) -> None:
    with catalog.begin() as conn:
        user = _user(conn)
        _, incident_id = _finding(conn, _capture(conn, FILE, 0))
        assert incident_id is not None
        once = timeline(conn, incident_id)
        store.mark_alerted(conn, incident_id, "critical", NOW + timedelta(seconds=40))
        store.set_status(conn, incident_id, "confirmed", user, at=NOW + timedelta(minutes=30))
        store.set_status(conn, incident_id, "removed", user, removed_at=NOW + timedelta(hours=5, minutes=12),
                         at=NOW + timedelta(hours=5, minutes=13))
        full = timeline(conn, incident_id)
        assert timeline(conn, 999) is None
    assert once is not None and once.exposure_words == "seen once, not seen removed yet"
    assert full is not None and full.exposure_words == "online for 5 h 12 min" and full.removed
    milestones = [(st.event, st.after_words) for st in full.steps if st.milestone]
    assert milestones == [("first_seen", "at first sight"), ("alerted", "at first sight"),
                          ("triaged", "30 min after first seen"), ("removed", "5 h 12 min after first seen")]
    history = [(st.label, st.user_name) for st in full.steps if not st.milestone]
    assert history == [("Alert planned", None), ("Status new → confirmed", "ana"),
                       ("Status confirmed → removed", "ana")]
    assert not any(re.search(r"(^|\s)0 min", st.after_words) for st in full.steps)


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "under a minute"), (59, "under a minute"), (60, "1 min"), (3600, "1 h"),
    (5 * 3600 + 12 * 60 + 30, "5 h 12 min"), (86400 * 2 + 3 * 3600, "2 d 3 h"), (86400, "1 d")])
def test_duration_words(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words


def test_exposure_is_a_lower_bound_while_online(catalog: Engine) -> None:
    with catalog.begin() as conn:
        _, incident_id = _finding(conn, _capture(conn, FILE, 0))
        assert incident_id is not None
        conn.execute(s.findings.update().values(last_seen=NOW + timedelta(hours=2, minutes=3)))
        store.refresh(conn, incident_id)
        incident = store.get_incident(conn, incident_id)
    assert incident is not None
    assert exposure(incident) == (7380.0, "online for at least 2 h 3 min, not seen removed yet")


def _raw_finding(conn: Connection, n: int, url: str, **values: Any) -> None:
    row = {"content_key": f"k{n}", "capture_id": 1, "site_id": "ice", "url": url, "payload_digest": "d",
           "kind": "person_table", "severity": "medium", "score": 1.0, "rows": 3, "locator": "",
           "columns": "[]", "reasons": "[]", "sample": "[]", "status": "new", "first_seen": NOW,
           "last_seen": NOW, "created_at": NOW, **values}
    conn.execute(text(f"INSERT INTO findings ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)


def test_migration_groups_existing_findings_by_file(tmp_path: Path) -> None:
    engine = create_catalog_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0006_archive_digests")
    later = NOW + timedelta(hours=3)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO captures (id, url, surt, captured_at, record_type, payload_digest, "
                          "warc_file, warc_offset, warc_length, title, media_type_declared, media_type_sniffed) "
                          "VALUES (1, :u, 's', :t, 'response', 'd', 'w', 0, 1, '', '', '')"), {"u": FILE, "t": NOW})
        _raw_finding(conn, 1, FILE, severity="medium", status="dismissed")
        _raw_finding(conn, 2, FILE, severity="critical", status="confirmed", last_seen=later)
        _raw_finding(conn, 3, FILE + "?v=2", removed_at=later)
        conn.execute(text("INSERT INTO finding_events (finding_id, at, event, from_status, to_status, note) "
                          "VALUES (2, :t, 'status', 'new', 'confirmed', '')"), {"t": NOW + timedelta(hours=1)})
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(s.incidents).order_by(s.incidents.c.id)).mappings().all()
        findings = conn.execute(select(s.findings.c.id, s.findings.c.incident_id, s.findings.c.status)
                                .order_by(s.findings.c.id)).all()
    assert [(r["url"], r["severity"], r["status"]) for r in rows] == [
        (FILE, "critical", "confirmed"), (FILE + "?v=2", "medium", "new")]
    assert rows[0]["triaged_at"] is not None and rows[0]["removed_at"] is None
    assert rows[1]["removed_at"] is not None
    assert [tuple(f) for f in findings] == [(1, rows[0]["id"], "confirmed"), (2, rows[0]["id"], "confirmed"),
                                            (3, rows[1]["id"], "new")]
    assert rows[0]["key"] == store.incident_key("ice", FILE)
