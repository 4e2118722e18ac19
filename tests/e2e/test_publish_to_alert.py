"""The whole chain, for real: `spillwatch run`'s service against a live agency site, a real
Elasticsearch node, a real SMTP server (aiosmtpd) and a real Slack-like webhook receiver.

A person-level file is published on the site's statistics page; the watch page (10 s interval) must
pick it up and the email and Slack message must each arrive once, masked.  The publication-to-alert
time is printed (target: under 60 s).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from faker import Faker
from sqlalchemy import select

from core.catalog import schema as s
from core.config import Alerts, Channel, Config, Route, Site, WatchPage
from core.settings import Settings
from crawler.queue import enqueue_crawl
from spillwatch.demo.agency_site import AgencySite
from spillwatch.service.loop import Service, wait_for
from tests.alerts.servers import SlackLikeServer, SmtpServer
from tests.services.procs import free_port

SLACK_ENV = "SPILLWATCH_E2E_SLACK_URL"
RELEASE = "/statistics/releases/detainee-roster.csv"


def roster(rows: int = 150) -> tuple[bytes, list[str]]:
    fake = Faker(["en_US", "es_MX"])
    Faker.seed(1128)
    raw: list[str] = []
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Last Name", "First Name", "Date of Birth", "Country of Citizenship", "A-Number",
                     "Detention Facility"])
    for _ in range(rows):
        last, first = fake.last_name(), fake.first_name()
        born = fake.date_of_birth(minimum_age=18, maximum_age=70).isoformat()
        a_number = f"A{fake.random_number(digits=9, fix_len=True)}"
        writer.writerow([last, first, born, fake.country(), a_number, "Harbor County Processing Center"])
        raw += [f"{first} {last}", born, a_number]
    return buffer.getvalue().encode(), raw


@pytest.fixture
def servers() -> Iterator[tuple[SmtpServer, SlackLikeServer]]:
    smtp, slack = SmtpServer().start(), SlackLikeServer().start()
    yield smtp, slack
    smtp.stop()
    slack.stop()


@pytest.fixture
def e2e_config(make_settings: Callable[..., Settings], elasticsearch_url: str,
               servers: tuple[SmtpServer, SlackLikeServer], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    smtp, slack = servers
    monkeypatch.setenv(SLACK_ENV, slack.url)
    settings = make_settings(
        search_backend="elasticsearch", elasticsearch_url=elasticsearch_url,
        elasticsearch_index=f"spillwatch-e2e-{uuid.uuid4().hex[:8]}", smtp_host="127.0.0.1", smtp_port=smtp.port,
        smtp_security="none", download_delay="0", web_port=free_port(), replay_port=free_port(),
        alert_poll_interval="0.2s", base_url="https://spillwatch.ngo.example",
    )
    with AgencySite() as site:
        config = Config(
            settings=settings,
            sites=[Site(id="agency", seeds=[site.base_url + "/"], allow_private_addresses=True, max_pages=100,
                        download_delay=0, watch_pages=[WatchPage(url=site.base_url + "/statistics/",
                                                                 interval="10s")])],
            alerts=Alerts(channels=[Channel(name="mail", kind="email", to=["watch@ngo.example.org"]),
                                    Channel(name="slack", kind="slack", url_env=SLACK_ENV)],
                          routes=[Route(name="all", channels=["mail", "slack"])]),
        )
        yield config, site


def test_published_roster_is_alerted_once_masked_within_a_minute(
        e2e_config: tuple[Config, AgencySite], servers: tuple[SmtpServer, SlackLikeServer]) -> None:
    config, site = e2e_config
    smtp, slack = servers
    service = Service(config, poll_interval=0.5)
    service.start()
    try:
        second = subprocess.run(
            [sys.executable, "-m", "spillwatch", "--data-dir", str(config.settings.data_path), "run", "--no-ui"],
            capture_output=True, text=True, timeout=60, env={**os.environ, "SPILLWATCH_SEARCH_BACKEND": "sqlite"})
        assert second.returncode == 2, second.stderr
        assert "already scheduling against this catalog" in second.stderr
        enqueue_crawl(service.engine, "agency", "full", [site.base_url + "/"])

        def crawled() -> bool:
            with service.engine.connect() as conn:
                return conn.execute(select(s.crawls.c.id).where(
                    s.crawls.c.kind == "full", s.crawls.c.status == "finished")).first() is not None

        assert wait_for(crawled, 120), "the first full crawl did not finish"
        body, raw_values = roster()
        published = time.monotonic()
        site.publish(RELEASE, body, "text/csv; charset=utf-8", link_from="/statistics/",
                     link_text="Detainee roster (CSV)")
        assert wait_for(lambda: len(smtp.messages) >= 1 and len(slack.posted) >= 1, 90), \
            "no alert within 90 s of publication"
        latency = time.monotonic() - published
        print(f"\npublication-to-alert: {latency:.1f} s (watch interval 10 s)")
        time.sleep(12)  # one more watch cycle: nothing may be sent twice
        assert len(smtp.messages) == 1
        assert len(slack.posted) == 1

        email = smtp.parsed()[0]
        text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
        slack_text = json.dumps(slack.posted[0].json)
        for message in (text, html, slack_text, email.as_string()):
            assert "critical" in message.lower()
            assert "150" in message
            for value in raw_values:
                assert value not in message, "a raw personal value left in an alert"
        from alerts.masking import mask_file_name

        assert mask_file_name(RELEASE.rsplit("/", 1)[1]) in text  # file names are masked like samples

        metrics = urllib.request.urlopen(f"{service.http.urls[0]}/metrics", timeout=10).read().decode()
        assert 'spillwatch_findings{kind="person_table",severity="critical",status="new"} 1.0' in metrics
        assert "spillwatch_publish_to_alert_seconds_count 2.0" in metrics
        health = json.load(urllib.request.urlopen(f"{service.http.urls[0]}/healthz", timeout=10))
        assert health["status"] == "ok" and health["catalog"] == "ok"
    finally:
        service.stop()
        service.wait()
