"""The outbox on both catalog backends: deliveries are created in the caller's transaction, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from alerts.incident_alerts import enqueue_for_finding
from alerts.outbox import enqueue_test, retry
from core.catalog.schema import deliveries, findings
from core.config import Alerts, Channel, Config, Route
from tests.alerts.conftest import SITE
from tests.alerts.rows import insert_finding, insert_site

CHANNELS = [Channel(name="mail", kind="email", to=["a@ngo.example"]),
            Channel(name="slack", kind="slack", url_env="SLACK_URL")]


@pytest.fixture
def config(fast_settings):
    routes = [Route(name="urgent", channels=["mail", "slack"], min_severity="high"),
              Route(name="hidden", channels=["slack"], kinds=["hidden_content"], min_severity="low"),
              Route(name="other-site", channels=["mail"], sites=["ice"], min_severity="critical", mode="daily")]
    return Config(settings=fast_settings(), sites=[SITE], alerts=Alerts(channels=CHANNELS, routes=routes))


@pytest.fixture
def db(catalog):
    with catalog.begin() as conn:
        insert_site(conn)
    return catalog


def _rows(engine):
    with engine.connect() as conn:
        return list(conn.execute(select(deliveries).order_by(deliveries.c.id)))


def test_enqueue_matches_routes_and_is_idempotent(db, config, crowd):
    with db.begin() as conn:
        fid = insert_finding(conn, crowd, severity="critical")
        assert enqueue_for_finding(conn, fid, "new", config) == 3
    with db.begin() as conn:
        assert enqueue_for_finding(conn, fid, "new", config) == 0  # re-indexing the same WARC
    rows = _rows(db)
    assert [(r.route, r.channel, r.notifier, r.status, r.event) for r in rows] == [
        ("urgent", "mail", "email", "pending", "new"),
        ("urgent", "slack", "slack", "pending", "new"),
        ("other-site", "mail", "email", "pending", "new"),
    ]
    assert rows[0].idempotency_key == f"incident:{rows[0].incident_id}:new:urgent:mail"
    assert rows[0].incident_id is not None and rows[0].finding_id == fid
    assert rows[0].payload == {"mode": "immediate", "severity": "critical"}
    assert rows[2].payload["mode"] == "daily" and rows[2].payload["batch"]


def test_severity_kind_and_site_filters(db, config, crowd):
    with db.begin() as conn:
        medium = insert_finding(conn, crowd, number=1, severity="medium")
        hidden_low = insert_finding(conn, crowd, number=2, severity="low", kind="hidden_content")
        assert enqueue_for_finding(conn, medium, "new", config) == 0
        assert enqueue_for_finding(conn, hidden_low, "new", config) == 1
    assert [r.route for r in _rows(db)] == ["hidden"]


def test_rollback_of_the_indexer_transaction_leaves_no_delivery(db, config, crowd):
    with pytest.raises(RuntimeError), db.begin() as conn:
        fid = insert_finding(conn, crowd)
        enqueue_for_finding(conn, fid, "new", config)
        raise RuntimeError("indexer crashed before commit")
    assert _rows(db) == []


def test_reappeared_alerts_again_once_per_reappearance(db, config, crowd):
    with db.begin() as conn:
        fid = insert_finding(conn, crowd)
        enqueue_for_finding(conn, fid, "new", config)
        first = datetime(2022, 11, 29, 9, 0, tzinfo=UTC)
        conn.execute(update(findings).where(findings.c.id == fid).values(reappeared_at=first))
        assert enqueue_for_finding(conn, fid, "reappeared", config) == 3
        assert enqueue_for_finding(conn, fid, "reappeared", config) == 0
        conn.execute(update(findings).where(findings.c.id == fid).values(
            reappeared_at=datetime(2022, 12, 5, 9, 0, tzinfo=UTC)))
        assert enqueue_for_finding(conn, fid, "reappeared", config) == 3
    events = [r.event for r in _rows(db)]
    assert events.count("new") == 3 and events.count("reappeared") == 6


def test_dismissed_findings_create_nothing(db, config, crowd):
    with db.begin() as conn:
        fid = insert_finding(conn, crowd, status="dismissed")
        assert enqueue_for_finding(conn, fid, "reappeared", config) == 0


def test_unknown_severity_is_routed_not_dropped(db, config, crowd):
    with db.begin() as conn:
        fid = insert_finding(conn, crowd, severity="catastrophic")
        assert enqueue_for_finding(conn, fid, "new", config) == 3


def test_bad_event_and_missing_finding_are_errors(db, config, crowd):
    with db.begin() as conn:
        fid = insert_finding(conn, crowd)
        with pytest.raises(ValueError, match="event 'removed'"):
            enqueue_for_finding(conn, fid, "removed", config)
        with pytest.raises(LookupError, match="finding 999"):
            enqueue_for_finding(conn, 999, "new", config)


def test_test_deliveries_and_retry(db, config):
    with db.begin() as conn:
        ids = enqueue_test(conn, config, "urgent")
        assert len(ids) == 2
        with pytest.raises(LookupError, match="no route named 'nope'; known: urgent, hidden, other-site"):
            enqueue_test(conn, config, "nope")
        conn.execute(update(deliveries).where(deliveries.c.id == ids[0]).values(status="dead", attempts=4))
        conn.execute(update(deliveries).where(deliveries.c.id == ids[1]).values(status="sent"))
        assert retry(conn, ids=ids) == [ids[0]]  # a sent delivery is not sent again
    row = _rows(db)[0]
    assert (row.status, row.attempts, row.event, row.finding_id) == ("pending", 0, "test", None)


def test_dispatch_on_each_backend(db, fast_settings, crowd, slack_server):
    from alerts.dispatcher import Dispatcher

    config = Config(settings=fast_settings(), sites=[SITE], alerts=Alerts(
        channels=[Channel(name="slack", kind="slack", url_env="SLACK_URL")],
        routes=[Route(name="r", channels=["slack"]), Route(name="d", channels=["slack"], mode="hourly")]))
    with db.begin() as conn:
        for number in range(3):
            enqueue_for_finding(conn, insert_finding(conn, crowd, number=number), "new", config)
    slack_server.script = ["500"]
    later = [datetime.now(UTC)]
    dispatcher = Dispatcher(db, config, environ={"SLACK_URL": slack_server.url}, clock=lambda: later[0])
    first = dispatcher.run_once()
    assert (first.sent, first.failed) == (2, 1)
    later[0] = later[0].replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)  # window ends
    second = dispatcher.run_once()
    assert (second.sent, second.messages) == (4, 2)  # the retried one and a digest of three
    statuses = [r.status for r in _rows(db)]
    assert statuses == ["sent"] * 6
