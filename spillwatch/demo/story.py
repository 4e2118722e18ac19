"""The demo story behind ``spillwatch demo``: from a file published to an alert, on this machine only.

1. A simulated agency site starts on 127.0.0.1 (:mod:`spillwatch.demo.agency_site`).
2. ``spillwatch run``'s service crawls and indexes it (SQLite catalog and search, nothing to install).
3. The site publishes a new release on its statistics page: an XLSX whose visible sheet is aggregate
   and whose hidden sheet lists (synthetic) detainees (:mod:`spillwatch.demo.data`).
4. The watch page picks it up, the document is fetched at once, the matcher flags it, and the alert
   is printed and written to ``DATA_DIR/demo/outbox`` as the .eml and Slack JSON that would have been
   sent (no mail server or Slack needed).
5. Without ``--once`` the UI is then served with printed demo credentials until Ctrl-C.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from alerts.content import Envelope
from alerts.notifiers.base import Notifier
from alerts.preview import write_preview
from alerts.render import Renderer
from core.catalog import schema as s
from core.config import Alerts, Channel, Config, Route, Site, WatchPage
from core.settings import Settings
from core.timestamps import as_utc
from crawler.queue import enqueue_crawl
from spillwatch.demo.agency_documents import XLSX_TYPE
from spillwatch.demo.agency_site import AgencySite
from spillwatch.demo.data import release_workbook
from spillwatch.demo.lock import DemoLock
from spillwatch.service.loop import Service, wait_for

SITE_ID = "demo-agency"
RELEASE_PATH = "/statistics/releases/fy2023-detention-statistics.xlsx"
WATCH_INTERVAL = "3s"
STORY_TIMEOUT = 180.0


class OutboxNotifier(Notifier):
    """Writes what the real notifier of the same kind would send to a folder and prints a line.

    The demo's stand-in for SMTP and Slack: same rendering, no network.
    """

    kind = "outbox"

    def __init__(self, channel: Channel, folder: Path, sender: str) -> None:
        super().__init__(channel)
        self.folder = folder
        self.sender = sender

    @classmethod
    def from_channel(cls, channel: Channel, settings: Settings, environ: Mapping[str, str]) -> Notifier:
        return cls(channel, settings.data_path / "outbox", settings.smtp_from)

    def render(self, envelope: Envelope, renderer: Renderer) -> Any:
        return envelope, renderer

    def send(self, message: Any) -> None:
        envelope, renderer = message
        path = write_preview(envelope, self.folder, kind=self.channel.kind, sender=self.sender,
                             recipients=list(self.channel.to), renderer=renderer)
        print(f"  alert via {self.channel.kind:<5} → {path}")


def demo_config(settings: Settings, base_url: str) -> Config:
    site = Site(
        id=SITE_ID, name="Example Immigration Agency (simulated)", seeds=[base_url + "/"],
        allow_private_addresses=True, max_pages=200, max_depth=4, download_delay=0,
        watch_pages=[WatchPage(url=base_url + "/statistics/", interval=WATCH_INTERVAL)],
    )
    alerts = Alerts(
        channels=[Channel(name="ngo-email", kind="email", to=["alerts@ngo.example.org"]),
                  Channel(name="ngo-slack", kind="slack")],
        routes=[Route(name="urgent", channels=["ngo-email", "ngo-slack"], min_severity="medium")],
    )
    return Config(settings=settings, sites=[site], alerts=alerts)


def _demo_settings(settings: Settings) -> Settings:
    data_dir = settings.data_path / "demo"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    # the demo is self-contained: its own folder, embedded SQLite search, a local site on 127.0.0.1
    return settings.replace(data_dir=str(data_dir), allow_private_addresses="true", download_delay="0",
                            search_backend="sqlite")


class FirstCrawl:
    """Told the service's events: set once the first full crawl has finished *and* been indexed."""

    def __init__(self) -> None:
        self.finished = False
        self.indexed = threading.Event()

    def __call__(self, name: str, data: dict[str, Any]) -> None:
        if name == "crawl_finished" and data.get("kind") == "full":
            self.finished = True
        elif name == "indexed" and self.finished:
            self.indexed.set()


def run(config: Config, *, once: bool) -> int:
    """The story; :class:`~spillwatch.demo.lock.DemoBusy` when another demo holds this data folder."""
    with DemoLock(config.settings.data_path):  # before the demo folder is emptied
        settings = _demo_settings(config.settings)
        if settings.source("log_level") == "default":  # the story is the output; logs only for problems
            logging.getLogger().setLevel(logging.WARNING)
        started = time.monotonic()
        with AgencySite() as site:
            print(f"1. simulated agency site at {site.base_url}")
            demo = demo_config(settings, site.base_url)
            first = FirstCrawl()
            service = Service(demo, serve_http=not once, poll_interval=0.5, on_event=first,
                              notifier_factory=OutboxNotifier.from_channel)
            service.start(schedule=False)  # no watch poll before the first full crawl is indexed
            try:
                # jobs paused, scheduler running: a paused scheduler that is shut down runs its due jobs
                # once more (APScheduler), which fails noisily on its closed executor
                for job in service.scheduler.get_jobs():
                    job.pause()
                service.scheduler.resume()
                return _story(service, site, first, once=once, started=started)
            finally:
                service.stop()
                service.wait()


def _story(service: Service, site: AgencySite, first: FirstCrawl, *, once: bool, started: float) -> int:
    engine = service.engine
    enqueue_crawl(engine, SITE_ID, "full", [site.base_url + "/"])
    print("2. crawling and indexing the site …")
    if not wait_for(first.indexed.is_set, STORY_TIMEOUT):
        print("the first crawl did not finish in time; see DATA_DIR/demo/crawls/*/logs", file=sys.stderr)
        return 1
    with engine.connect() as conn:
        captures = conn.execute(select(s.captures.c.id)).all()
    for job in service.scheduler.get_jobs():  # now the watch page is polled
        job.resume()
    print(f"   archived {len(captures)} captures; watching {site.base_url}/statistics/ every {WATCH_INTERVAL}")
    published_at = datetime.now(UTC)
    site.publish(RELEASE_PATH, release_workbook(), XLSX_TYPE, link_from="/statistics/",
                 link_text="FY2023 detention statistics (XLSX)")
    print(f"3. the agency publishes {RELEASE_PATH} at {published_at:%H:%M:%S} UTC")
    release_url = site.base_url + RELEASE_PATH

    def alerted() -> bool:
        with engine.connect() as conn:
            return conn.execute(
                select(s.deliveries.c.id).join(s.findings, s.findings.c.id == s.deliveries.c.finding_id)
                .where(s.findings.c.url == release_url, s.deliveries.c.status == "sent")).first() is not None

    if not wait_for(alerted, STORY_TIMEOUT):
        print("no alert arrived in time; see the logs above", file=sys.stderr)
        return 1
    with engine.connect() as conn:
        findings = conn.execute(select(s.findings).where(s.findings.c.url == release_url)
                                .order_by(s.findings.c.id)).mappings().all()
        sent_at = conn.execute(select(s.deliveries.c.sent_at).where(s.deliveries.c.status == "sent")
                               .order_by(s.deliveries.c.sent_at).limit(1)).scalar_one()
    latency = (as_utc(sent_at) - published_at).total_seconds()
    print("4. findings:")
    for finding in findings:
        print(f"   - {finding['kind']} · {finding['severity']} · {finding['rows']} records · {finding['locator']}")
        for reason in finding["reasons"][:4]:
            print(f"       {reason}")
    print(f"   time from publication to alert: {latency:.1f} s (whole demo {time.monotonic() - started:.0f} s)")
    print(f"   outbox: {service.settings.data_path / 'outbox'}")
    if once:
        return 0
    password = secrets.token_urlsafe(16)
    from web.accounts import create

    with engine.begin() as conn:  # an analyst: an admin would first have to enrol a TOTP app (two_factor)
        create(conn, "demo", "analyst", password)
    url = service.settings.effective_base_url
    print(f"5. the UI is at {url}/  (user: demo, password: {password}); Ctrl-C stops the demo")
    while not service.stop_event.wait(1.0):  # until Ctrl-C: the CLI says "interrupted", exit 130
        pass
    return 0
