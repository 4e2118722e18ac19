"""The publisher is told (e-mail at a real aiosmtpd, masked; or by hand), the incident becomes
reported, audited; the removal watch reads the watch captures: removal, the link's disappearance,
the file's return (and the indexer's reappearance event the planner alerts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from core.catalog import incidents as store
from core.catalog.schema import audit_log, finding_events, incidents, users
from core.config import Config
from disclosure import notify, removal_watch
from tests.alerts.servers import SmtpServer
from tests.disclosure.conftest import Crawled, roster

RELEASE = "/statistics/releases/detainee-roster.csv"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def _publish(crawled: Crawled) -> tuple[str, int]:
    url = crawled.site.publish(RELEASE, roster(), "text/csv")
    crawled.crawl_and_index()
    with crawled.engine.connect() as conn:
        incident_id = conn.execute(select(incidents.c.id).where(incidents.c.url == url)).scalar_one()
    return url, int(incident_id)


def _analyst(crawled: Crawled) -> int:
    with crawled.engine.begin() as conn:
        return int(conn.execute(insert(users).values(name="ana", password_hash="x", role="analyst",
                                                     created_at=datetime.now(UTC)).returning(users.c.id)).scalar_one())


def _values(data: bytes) -> list[str]:
    return [cell for line in data.decode().splitlines()[1:] for cell in line.split(",")[:5] if len(cell) > 3]


def test_report_by_email_is_masked_and_marks_the_incident_reported(crawled: Crawled, smtp: SmtpServer) -> None:
    url, incident_id = _publish(crawled)
    analyst = _analyst(crawled)
    config = Config(settings=crawled.config.settings.replace(smtp_host="127.0.0.1", smtp_port=smtp.port,
                                                             smtp_security="none"), sites=crawled.config.sites)
    with crawled.engine.begin() as conn:
        message = notify.draft(conn, config, incident_id)
        assert message.recipients == ["foia@agency.example"]
        notify.send_email(conn, config, message, message.recipients, analyst)
    (mail,) = smtp.parsed()
    text = mail.get_content()
    assert mail["To"] == "foia@agency.example" and "detainee-roster.csv" in mail["Subject"]
    assert url in text and "about 60 rows" in text and "critical" in text
    assert [v for v in _values(roster()) if v in text] == []  # counts and kinds, never a value
    with crawled.engine.connect() as conn:
        incident = store.get_incident(conn, incident_id)
        (report,) = notify.reports(conn, incident_id)
        audit = conn.execute(select(audit_log.c.action, audit_log.c.user_id, audit_log.c.target)).all()
    assert incident is not None and incident.status == "reported" and incident.reported_at is not None
    assert (report["method"], report["status"], report["user_name"]) == ("email", "sent", "ana")
    assert ("disclosure_email", analyst, f"incident:{incident_id}") in audit


def test_a_refused_email_is_recorded_and_changes_nothing(crawled: Crawled, smtp: SmtpServer) -> None:
    _url, incident_id = _publish(crawled)
    smtp.script = ["550 5.7.1 refused"]
    config = Config(settings=crawled.config.settings.replace(smtp_host="127.0.0.1", smtp_port=smtp.port,
                                                             smtp_security="none"), sites=crawled.config.sites)
    with crawled.engine.begin() as conn:
        message = notify.draft(conn, config, incident_id)
        with pytest.raises(notify.NotifyError, match="550"):
            notify.send_email(conn, config, message, ["foia@agency.example"], None)
    with crawled.engine.connect() as conn:
        assert store.get_incident(conn, incident_id).status == "new"  # type: ignore[union-attr]
        assert [r["status"] for r in notify.reports(conn, incident_id)] == ["failed"]


def test_report_by_hand(crawled: Crawled) -> None:
    _url, incident_id = _publish(crawled)
    analyst = _analyst(crawled)
    with crawled.engine.begin() as conn:
        message = notify.draft(conn, crawled.config, incident_id)
        notify.record_by_hand(conn, message, ["https://agency.example/contact"], analyst, "web form, ticket 4411")
    with crawled.engine.connect() as conn:
        assert store.get_incident(conn, incident_id).status == "reported"  # type: ignore[union-attr]
        assert notify.reports(conn, incident_id)[0]["note"] == "web form, ticket 4411"


def test_removal_watch_records_removal_link_and_return(crawled: Crawled) -> None:
    url, incident_id = _publish(crawled)
    page = crawled.site.url("/statistics/")
    now = datetime.now(UTC)
    with crawled.engine.begin() as conn:
        assert removal_watch.sync(conn, crawled.config.settings, now) == 1
        (due,) = removal_watch.due(conn, now)
    assert (due.url, due.page_url, due.interval) == (url, page, 300.0)  # critical: every 5 minutes

    crawled.fetch_and_index([url, page])  # still there
    with crawled.engine.begin() as conn:
        assert removal_watch.evaluate(conn, due.id, datetime.now(UTC)) == {}

    crawled.site.unpublish(RELEASE)
    crawled.fetch_and_index([url, page])
    with crawled.engine.begin() as conn:
        changed = removal_watch.evaluate(conn, due.id, datetime.now(UTC))
        watch = removal_watch.get(conn, incident_id)
    assert set(changed) == {"removed_at", "link_removed_at"}
    assert watch is not None and watch["status"] == "removed" and watch["removal_capture_id"] is not None
    from spillwatch.service.metrics import metrics_text

    metrics = metrics_text(crawled.engine, ["agency"]).decode()
    assert 'spillwatch_exposure_window_seconds_count{severity="critical"} 1.0' in metrics
    assert 'spillwatch_removal_watches{status="removed"} 1.0' in metrics

    crawled.site.publish(RELEASE, roster(), "text/csv")
    crawled.fetch_and_index([url, page])
    with crawled.engine.begin() as conn:
        changed = removal_watch.evaluate(conn, due.id, datetime.now(UTC))
        events = conn.execute(select(finding_events.c.event)).scalars().all()
    assert set(changed) == {"reappeared_at"}
    assert "reappeared" in events  # the indexer's event, which the alert planner turns into the alert


def test_a_dismissed_incident_stops_its_watch(crawled: Crawled) -> None:
    _url, incident_id = _publish(crawled)
    with crawled.engine.begin() as conn:
        removal_watch.sync(conn, crawled.config.settings, datetime.now(UTC))
        store.set_status(conn, incident_id, "dismissed", None, "test roster")
        removal_watch.sync(conn, crawled.config.settings, datetime.now(UTC))
        assert removal_watch.get(conn, incident_id)["status"] == "stopped"  # type: ignore[index]
        assert removal_watch.due(conn, datetime.now(UTC)) == []
