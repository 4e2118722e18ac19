"""Alerts page (failures, retry) and sites pages (crawl history, errors, health) over catalog rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from core.catalog.schema import crawls, deliveries
from tests.web.conftest import WebEnv


def add_deliveries(env: WebEnv) -> list[int]:
    now = datetime.now(UTC)
    rows = [
        {"idempotency_key": "k-sent", "finding_id": env.archive.finding, "event": "new", "route": "ngo",
         "channel": "team-mail", "notifier": "email", "status": "sent", "attempts": 1, "next_attempt_at": now,
         "last_error": "", "created_at": now, "sent_at": now, "payload": {}},
        {"idempotency_key": "k-dead", "finding_id": env.archive.finding, "event": "new", "route": "ngo",
         "channel": "slack-alerts", "notifier": "slack", "status": "dead", "attempts": 8, "next_attempt_at": now,
         "last_error": "HTTP 404 from Slack: <b>no_team</b>", "created_at": now, "payload": {}},
        {"idempotency_key": "k-failed", "finding_id": None, "event": "test", "route": "partners",
         "channel": "partner-webhook", "notifier": "webhook", "status": "failed", "attempts": 2,
         "next_attempt_at": now + timedelta(minutes=5), "last_error": "connection refused", "created_at": now,
         "payload": {}},
    ]
    with env.engine.begin() as conn:
        for row in rows:
            conn.execute(insert(deliveries).values(**row))
        return list(conn.execute(select(deliveries.c.id).order_by(deliveries.c.id)).scalars())


def test_alerts_page_and_retry(env: WebEnv) -> None:
    sent, dead, failed = add_deliveries(env)
    viewer = env.client("viewer")
    html = viewer.get("/alerts?status=failing").get_data(as_text=True)
    assert "&lt;b&gt;no_team&lt;/b&gt;" in html and "connection refused" in html and "team-mail" not in html
    assert "failing (2)" in html and 'name="ids"' not in html
    assert "2" in viewer.get("/").get_data(as_text=True).split("alert failures")[0][-80:]
    assert viewer.post("/alerts/retry", {"ids": str(dead)}).status_code == 403
    analyst = env.client("analyst")
    done = analyst.post("/alerts/retry", {"ids": str(dead)}, follow_redirects=True).get_data(as_text=True)
    assert "1 delivery(ies) queued again" in done
    nothing = analyst.post("/alerts/retry", {"ids": str(sent)}, follow_redirects=True).get_data(as_text=True)
    assert "Nothing to retry" in nothing
    everything = analyst.post("/alerts/retry", {"all_failed": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "1 delivery(ies) queued again" in everything
    with env.engine.connect() as conn:
        states = dict(conn.execute(select(deliveries.c.id, deliveries.c.status)).all())
    assert states == {sent: "sent", dead: "pending", failed: "pending"}
    assert "Select deliveries" in analyst.post("/alerts/retry", {}, follow_redirects=True).get_data(as_text=True)


def test_sites_show_crawl_history_and_health(env: WebEnv) -> None:
    started = datetime.now(UTC) - timedelta(hours=2)
    with env.engine.begin() as conn:
        conn.execute(insert(crawls).values(site_id="agency", kind="full", status="finished", started_at=started,
                                           finished_at=started + timedelta(minutes=20), pages=120, bytes=5_000_000,
                                           errors=3, warc_files=[], message="3 timeouts"))
        conn.execute(insert(crawls).values(site_id="retired", kind="full", status="failed", started_at=started,
                                           pages=0, bytes=0, errors=1, warc_files=[], message="DNS failure"))
    viewer = env.client("viewer")
    sites = viewer.get("/sites").get_data(as_text=True)
    assert "status-finished" in sites and "120" in sites and "retired (not configured)" in sites
    page = viewer.get("/sites/agency").get_data(as_text=True)
    assert "3 timeouts" in page and "5.0 MB" in page
    next_run = (started + timedelta(hours=6)).strftime("%Y-%m-%d %H:%M UTC")
    assert next_run in page  # interval schedule: last start + 6h
    assert "DNS failure" in viewer.get("/sites/retired").get_data(as_text=True)
    dashboard = viewer.get("/").get_data(as_text=True)
    assert "Crawl health" in dashboard and next_run in dashboard


def test_crawl_now_says_whether_a_service_will_run_it(env: WebEnv) -> None:
    from core.catalog.schema import service_leases

    first = env.client("analyst").post("/sites/agency/crawl", follow_redirects=True).get_data(as_text=True)
    assert "no service is running" in first
    with env.engine.begin() as conn:
        conn.execute(crawls.delete())
        now = datetime.now(UTC)
        conn.execute(insert(service_leases).values(name="scheduler", holder="test", acquired_at=now,
                                                   heartbeat_at=now))
    second = env.client("analyst").post("/sites/agency/crawl", follow_redirects=True).get_data(as_text=True)
    assert "the service starts it within seconds" in second


def test_alerts_page_previews_the_masked_message_with_a_checkbox_per_row(env: WebEnv) -> None:
    sent, dead, failed = add_deliveries(env)
    html = env.client("analyst").get("/alerts").get_data(as_text=True)
    for delivery in (sent, dead, failed):
        assert f'name="ids" value="{delivery}"' in html
    assert "CRITICAL: " in html and "records in d********.csv on Agency of Examples" in html
    assert "Government ID number" in html and "Masked sample" in html
    assert env.archive.a_name not in html  # the sample is the masked one the message carries
    assert "no finding (a service notice or a test)" in html
