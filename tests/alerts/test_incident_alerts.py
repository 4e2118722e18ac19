"""One alert per incident (published file) and route: a later finding on the same file updates the
incident and sends nothing unless the severity rises (one "escalated" message); a reappearance sends
one; a dismissed incident nothing — the demo workbook's four messages for one file become one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from alerts.dispatcher import Dispatcher
from alerts.planner import plan_events
from core.catalog import incidents as incident_store
from core.catalog.schema import deliveries, findings, incident_events
from core.config import Channel, Route
from indexer.findings_store import record_event
from tests.alerts.rows import NOW, incident_of, insert_finding, leaks

SLACK = Channel(name="ngo-slack", kind="slack", url_env="NGO_SLACK_URL", rate_limit_per_minute=100)
MAIL = Channel(name="ngo-mail", kind="email", to=["alerts@ngo.example.org"])
WORKBOOK = "https://www.ice.gov/doclib/detention/FY23_detentionStats.xlsx"


def _found(conn, crowd, *, kind: str, severity: str, number: int) -> int:
    """A finding stored the way the indexer stores it: attached to its incident, with a ``new`` event."""
    fid = insert_finding(conn, crowd, number=number, kind=kind, severity=severity, url=WORKBOOK)
    incident_store.incident_for_finding(conn, fid, now=NOW)
    record_event(conn, fid, "new", NOW)
    return fid


def _deliveries(engine):
    with engine.connect() as conn:
        return list(conn.execute(select(deliveries).order_by(deliveries.c.id)))


def test_the_workbook_sends_one_message_per_channel(engine, make_config, crowd, slack_server, smtp_server):
    config = make_config([SLACK, MAIL], [Route(name="all", channels=["ngo-slack", "ngo-mail"],
                                               min_severity="low")],
                         smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="none")
    with engine.begin() as conn:
        hidden = _found(conn, crowd, kind="hidden_content", severity="medium", number=1)
        table = _found(conn, crowd, kind="person_table", severity="critical", number=2)
    assert plan_events(engine, config) == 2  # one per channel, not one per finding and channel
    rows = _deliveries(engine)
    incident = incident_of(engine, hidden)
    assert incident == incident_of(engine, table)
    assert {(r.event, r.finding_id, r.incident_id) for r in rows} == {("new", table, incident)}
    stats = Dispatcher(engine, config, environ={"NGO_SLACK_URL": slack_server.url}).run_once()
    assert (stats.sent, stats.messages) == (2, 2), stats.errors
    (post,) = slack_server.posted
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in post.json["blocks"][2]["fields"]}
    assert fields["*Also in this file*"] == "Hidden content"
    assert post.json["blocks"][0]["text"]["text"] == "CRITICAL: Table of people"
    (mail,) = smtp_server.parsed()
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Also in this file: Hidden content" in text
    assert f"https://spillwatch.ngo.example/incidents/{incident}" in text
    assert leaks(text, crowd) == [] and leaks(str(post.json), crowd) == []
    with engine.connect() as conn:
        stored = incident_store.get_incident(conn, incident)
    assert stored is not None and stored.alerted_at is not None and stored.alerted_severity == "critical"


def test_a_later_finding_alerts_again_only_when_the_severity_rises(engine, make_config, crowd):
    config = make_config([SLACK], [Route(name="all", channels=["ngo-slack"], min_severity="low")])
    with engine.begin() as conn:
        first = _found(conn, crowd, kind="hidden_content", severity="medium", number=1)
    assert plan_events(engine, config) == 1
    with engine.begin() as conn:
        _found(conn, crowd, kind="failed_redaction", severity="low", number=2)
    assert plan_events(engine, config) == 0  # the incident got a milder finding: no message
    with engine.begin() as conn:
        _found(conn, crowd, kind="person_table", severity="critical", number=3)
    assert plan_events(engine, config) == 1
    assert plan_events(engine, config) == 0
    rows = _deliveries(engine)
    incident = incident_of(engine, first)
    assert [(r.event, r.idempotency_key) for r in rows] == [
        ("new", f"incident:{incident}:new:all:ngo-slack"),
        ("escalated", f"incident:{incident}:escalated@critical:all:ngo-slack")]
    with engine.connect() as conn:
        history = [e.event for e in conn.execute(
            select(incident_events.c.event).order_by(incident_events.c.id))]
    assert history == ["alerted", "escalated"]


def test_a_route_that_only_now_matches_gets_a_new_alert(engine, make_config, crowd):
    config = make_config([SLACK, MAIL], [
        Route(name="hidden", channels=["ngo-slack"], kinds=["hidden_content"], min_severity="low"),
        Route(name="tables", channels=["ngo-mail"], kinds=["person_table"], min_severity="high")])
    with engine.begin() as conn:
        _found(conn, crowd, kind="hidden_content", severity="medium", number=1)
    assert plan_events(engine, config) == 1
    with engine.begin() as conn:
        _found(conn, crowd, kind="person_table", severity="critical", number=2)
    assert plan_events(engine, config) == 1
    assert [(r.route, r.event) for r in _deliveries(engine)] == [("hidden", "new"), ("tables", "new")]


def test_reappearance_of_the_file_alerts_once(engine, make_config, crowd):
    config = make_config([SLACK], [Route(name="all", channels=["ngo-slack"], min_severity="low")])
    back = datetime(2022, 11, 30, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        ids = [_found(conn, crowd, kind=k, severity="critical", number=n)
               for n, k in enumerate(("person_table", "hidden_content"))]
    assert plan_events(engine, config) == 1
    with engine.begin() as conn:
        conn.execute(update(findings).where(findings.c.id.in_(ids)).values(reappeared_at=back))
        for fid in ids:
            record_event(conn, fid, "reappeared", back)
    assert plan_events(engine, config) == 1
    assert [r.event for r in _deliveries(engine)] == ["new", "reappeared"]


def test_a_dismissed_incident_alerts_nothing(engine, make_config, crowd):
    config = make_config([SLACK], [Route(name="all", channels=["ngo-slack"], min_severity="low")])
    with engine.begin() as conn:
        fid = _found(conn, crowd, kind="person_table", severity="low", number=1)
        incident_store.set_status(conn, incident_of_conn(conn, fid), "dismissed", None, "staff directory")
    assert plan_events(engine, config) == 0
    with engine.begin() as conn:  # the same severity again: still dismissed, still silent
        _found(conn, crowd, kind="hidden_content", severity="low", number=2)
    assert plan_events(engine, config) == 0


def incident_of_conn(conn, finding_id: int) -> int:
    return int(conn.execute(select(findings.c.incident_id).where(findings.c.id == finding_id)).scalar_one())
