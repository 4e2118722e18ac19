"""From alert to takedown, for real: `spillwatch run`'s service against a live agency site and a real
SMTP server (aiosmtpd).  A roster is published → alerted → reported to the publisher by e-mail (masked)
→ the site removes it → the removal watch records the removal within one watch interval, with the
exposure window right to the interval → the file comes back → the reappearance is alerted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.catalog import schema as s
from core.catalog.incidents import get_incident
from core.config import Alerts, Channel, Config, Disclosure, Mirror, Route, Site, WatchPage
from core.settings import Settings
from crawler.queue import enqueue_crawl
from disclosure import mirrors, notify, removal_watch, subject
from spillwatch.demo.agency_site import AgencySite
from spillwatch.service.loop import Service, wait_for
from tests.alerts.servers import SmtpServer
from tests.e2e.test_publish_to_alert import roster
from tests.services.procs import free_port
from tests.services.pywb import start_pywb

RELEASE = "/statistics/releases/detainee-roster.csv"
INTERVAL = 6.0  # seconds between removal checks (every severity); production: 5 min for critical
# a check's own time (a crawler subprocess fetching, then indexing) plus the crawl worker's other work
# (watch-page polls) a check may wait behind: small against minutes, not against these test seconds
SLACK = 30.0


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def setup(make_settings: Callable[..., Settings], smtp: SmtpServer,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Config, AgencySite]]:
    settings = make_settings(
        search_backend="sqlite", smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
        download_delay="0", web_port=free_port(), replay_port=free_port(), alert_poll_interval="0.2s",
        removal_watch_intervals=",".join(f"{sev}={INTERVAL:g}s" for sev in ("critical", "high", "medium", "low")))
    archive = start_pywb(tmp_path_factory.mktemp("pywb"), {"public": []})  # a public archive without a copy
    with AgencySite() as site:
        yield Config(
            settings=settings,
            sites=[Site(id="agency", seeds=[site.base_url + "/"], allow_private_addresses=True, max_pages=100,
                        download_delay=0, disclosure_contact="mailto:security@agency.example",
                        watch_pages=[WatchPage(url=site.base_url + "/statistics/", interval="20s")])],
            alerts=Alerts(channels=[Channel(name="mail", kind="email", to=["watch@ngo.example.org"])],
                          routes=[Route(name="all", channels=["mail"])]),
            disclosure=Disclosure(mirrors=[Mirror(name="public", url=f"{archive.url}/public/cdx")],
                                  allow_private_addresses=True),
        ), site
    archive.stop()


def _watch(service: Service, incident_id: int) -> dict[str, Any]:
    with service.engine.connect() as conn:
        return removal_watch.get(conn, incident_id) or {}


def _to(smtp: SmtpServer, address: str) -> list[Any]:
    return [m for m in smtp.parsed() if address in str(m["To"])]


def test_publish_alert_report_remove_reappear(setup: tuple[Config, AgencySite], smtp: SmtpServer) -> None:
    config, site = setup
    service = Service(config, serve_http=False, poll_interval=0.5)
    service.start()
    try:
        enqueue_crawl(service.engine, "agency", "full", [site.base_url + "/"])
        assert wait_for(lambda: _finished_full_crawl(service), 120), "the first full crawl did not finish"
        body, raw_values = roster()
        url = site.publish(RELEASE, body, "text/csv; charset=utf-8", link_from="/statistics/")
        assert wait_for(lambda: len(_to(smtp, "watch@ngo.example.org")) >= 1, 90), "no alert"
        with service.engine.connect() as conn:
            incident_id = int(conn.execute(select(s.incidents.c.id).where(s.incidents.c.url == url)).scalar_one())

        # report to the publisher: the site's configured contact, by e-mail, masked
        with service.engine.begin() as conn:
            message = notify.draft(conn, config, incident_id)
            notify.send_email(conn, config, message, message.recipients, None)
        (report,) = _to(smtp, "security@agency.example")
        text = report.get_content()
        assert url in text and "150 rows" in text
        assert [v for v in raw_values if v in text] == []
        with service.engine.connect() as conn:
            assert get_incident(conn, incident_id).status == "reported"  # type: ignore[union-attr]

        # the removal watch runs; then the site removes the file
        assert wait_for(lambda: _watch(service, incident_id).get("checks", 0) >= 2, 240), "the watch does not run"
        site.unpublish(RELEASE)
        removed = datetime.now(UTC)
        assert wait_for(lambda: _watch(service, incident_id).get("removed_at") is not None, 180), "removal not seen"
        watch = _watch(service, incident_id)
        proof = watch["removed_at"].replace(tzinfo=UTC)
        assert removed <= proof <= removed + timedelta(seconds=INTERVAL + SLACK), (removed, proof)
        with service.engine.connect() as conn:
            (window,) = subject.load(conn, url).windows
        # the window: from the first capture to the first capture without it, the removal in between
        assert window.end == proof and window.last_seen < removed
        assert window.end - window.last_seen <= timedelta(seconds=INTERVAL + SLACK)
        print(f"\nremoval recorded {(proof - removed).total_seconds():.1f} s after it happened "
              f"(interval {INTERVAL:g} s); window {window.at_least}")
        assert wait_for(lambda: _watch(service, incident_id).get("link_removed_at") is not None, 60)
        assert wait_for(lambda: _sweeps(service, url) == [("public", 0, "")], 30), _sweeps(service, url)

        # the file comes back: the reappearance is alerted
        before = len(_to(smtp, "watch@ngo.example.org"))
        site.publish(RELEASE, body, "text/csv; charset=utf-8", link_from="/statistics/")
        assert wait_for(lambda: _watch(service, incident_id).get("reappeared_at") is not None, 180), "return not seen"
        assert wait_for(lambda: len(_to(smtp, "watch@ngo.example.org")) > before, 60), "no reappearance alert"
        assert "reappear" in str(_to(smtp, "watch@ngo.example.org")[-1]["Subject"]).lower() + \
            _to(smtp, "watch@ngo.example.org")[-1].get_body(("plain",)).get_content().lower()  # type: ignore[union-attr]
    finally:
        service.stop()
        service.wait()


def _sweeps(service: Service, url: str) -> list[tuple[Any, ...]]:
    """The public archives' answers: asked as soon as the removal was seen."""
    with service.engine.connect() as conn:
        return [(r["archive"], r["copies"], r["error"]) for r in mirrors.last_sweeps(conn, url)]


def _finished_full_crawl(service: Service) -> bool:
    with service.engine.connect() as conn:
        return conn.execute(select(s.crawls.c.id).where(s.crawls.c.kind == "full",
                                                        s.crawls.c.status == "finished")).first() is not None
