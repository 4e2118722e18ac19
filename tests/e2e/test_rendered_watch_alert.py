"""A rendered watch page, end to end: the service (`spillwatch run`'s loop) watches a statistics page that
lists its releases only through ``fetch('/api/releases.json')``; a roster of synthetic people is added to
that JSON; the watch page, rendered in real Chromium, shows the new link, the burst fetches the XLSX, the
indexer finds the person table and the email (aiosmtpd) arrives, masked.  The publication-to-alert time
is printed (it is measured, not asserted: docs/crawler.md quotes it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from core.catalog import schema as s
from core.config import Alerts, Channel, Config, Route, Site, WatchPage
from core.settings import Settings
from crawler.queue import enqueue_crawl
from spillwatch.demo.agency_site import AgencySite
from spillwatch.service.loop import Service, wait_for
from tests.alerts.servers import SmtpServer
from tests.crawler.script_site import CHROMIUM, ROSTER, STATS, need_chromium, roster_xlsx, script_site
from tests.services.procs import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def test_roster_listed_by_a_script_on_a_rendered_watch_page_is_alerted(
        make_settings: Callable[..., Settings], smtp: SmtpServer) -> None:
    need_chromium()
    settings = make_settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none", download_delay="0",
                             web_port=free_port(), replay_port=free_port(), alert_poll_interval="0.2s",
                             chromium_path=CHROMIUM, render_page_timeout="15s")
    with AgencySite() as site:
        script_site(site, roster=False)
        config = Config(
            settings=settings,
            sites=[Site(id="agency", seeds=[site.base_url + "/"], allow_private_addresses=True, max_pages=100,
                        download_delay=0, sitemaps=False,
                        watch_pages=[WatchPage(url=site.base_url + STATS, interval="5s", render="browser")])],
            alerts=Alerts(channels=[Channel(name="mail", kind="email", to=["watch@ngo.example.org"])],
                          routes=[Route(name="all", channels=["mail"])]))
        service = Service(config, poll_interval=0.5)
        service.start()
        try:
            enqueue_crawl(service.engine, "agency", "full", [site.base_url + "/"])

            def watched() -> bool:  # the full crawl and one rendered watch crawl have finished
                with service.engine.connect() as conn:
                    done = conn.execute(select(s.crawls.c.kind).where(s.crawls.c.status == "finished")).scalars()
                    return {"full", "watch"} <= set(done)

            assert wait_for(watched, 180), "the full crawl and a watch crawl did not finish"
            assert smtp.messages == []
            _body, raw_values = roster_xlsx()
            published = time.monotonic()
            script_site(site, roster=True)
            assert wait_for(lambda: len(smtp.messages) >= 1, 120), "no alert within 120 s of publication"
            latency = time.monotonic() - published
            print(f"\nrendered watch page, publication-to-alert: {latency:.1f} s (watch interval 5 s)")
            assert len(site.requests_for(ROSTER)) >= 1
        finally:
            service.stop()
            service.wait()
    text = smtp.parsed()[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    from alerts.masking import mask_file_name

    # file names are masked like samples (they may carry a person's name)
    assert "critical" in text.lower() and mask_file_name(ROSTER.rsplit("/", 1)[1]) in text
    for value in raw_values:
        assert value not in text, "a raw personal value left in an alert"
