"""Issue 12, tried as an operator would break it, against a real `spillwatch run` process: a full
disk during a burst, a disk below the watermark, a poison WARC beside a good one.

The full disk is a real tmpfs mounted on the site's WARC folder (tests/small_disk.py); the alerts go
to a real Slack-like receiver (tests/alerts/servers.py)."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import OperationalError

from core.catalog import schema as s
from core.catalog.db import create_catalog_engine
from spillwatch.demo.agency_site import AgencySite
from spillwatch.service.loop import wait_for
from tests.alerts.servers import SlackLikeServer
from tests.indexer.warc_builder import write_warc
from tests.services.procs import free_port
from tests.small_disk import small_disk

SLACK_ENV = "SPILLWATCH_CHAOS_SLACK_URL"
ROSTER = "/statistics/releases/detainee-roster.csv"


def big_roster(rows: int) -> bytes:
    """A synthetic person-level CSV; the case ids (random hex) keep it from compressing much."""
    fake = Faker(["en_US"])
    Faker.seed(1212)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Last Name", "First Name", "Date of Birth", "Country of Citizenship", "A-Number", "Case Id"])
    for _ in range(rows):
        writer.writerow([fake.last_name(), fake.first_name(),
                         fake.date_of_birth(minimum_age=18, maximum_age=70).isoformat(), fake.country(),
                         f"A{fake.random_number(digits=9, fix_len=True)}", secrets.token_hex(24)])
    return buffer.getvalue().encode()


@dataclass
class Running:
    process: subprocess.Popen[str]
    engine: Engine
    web: str
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def logs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.web + path, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def rows(self, table: Any, *where: Any) -> list[dict[str, Any]]:
        try:
            with self.engine.connect() as conn:
                return [dict(r) for r in conn.execute(select(table).where(*where)).mappings()]
        except OperationalError:  # the catalog does not exist yet while the service starts
            return []


def write_config(tmp_path: Path, site: AgencySite, *, watch: bool = True, schedule: bool = True,
                 admin_route: bool = True, **settings: str) -> Path:
    """The service's config for the agency site: a full crawl every 6 h (``schedule``), its statistics
    page watched every 2 s (``watch``), every alert to the Slack-like receiver and failed redactions
    also to an admin route (``admin_route``); ``settings`` are added as they are."""
    extra = "".join(f"  {name}: {value}\n" for name, value in settings.items())
    if admin_route:
        extra = "  admin_alert_route: admin\n" + extra
    site_extra = "    schedule: {interval: 6h}\n" if schedule else ""
    if watch:
        site_extra += f"    watch_pages:\n      - url: {site.base_url}/statistics/\n        interval: 2s\n"
    admin = "    - {name: admin, channels: [slack], kinds: [failed_redaction]}\n" if admin_route else ""
    path = tmp_path / "spillwatch.yml"
    path.write_text(f"""\
settings:
  data_dir: {tmp_path / 'data'}
  allow_private_addresses: true
  download_delay: 0
  log_json: true
  web_port: {free_port()}
  replay_port: {free_port()}
  alert_poll_interval: 0.2s
{extra}sites:
  - id: agency
    seeds: [{site.base_url}/]
    allow_private_addresses: true
    obey_robots: false
    download_delay: 0
    max_pages: 60
{site_extra}alerts:
  channels:
    - {{name: slack, kind: slack, url_env: {SLACK_ENV}}}
  routes:
    - {{name: all, channels: [slack]}}
{admin}""")
    return path


@pytest.fixture
def slack() -> Iterator[SlackLikeServer]:
    server = SlackLikeServer().start()
    yield server
    server.stop()


@pytest.fixture
def run_service(tmp_path: Path, slack: SlackLikeServer) -> Iterator[Any]:
    started: list[Running] = []

    def start(config: Path, new_session: bool = False) -> Running:
        log = tmp_path / f"service-{len(started)}.log"
        process = subprocess.Popen([sys.executable, "-m", "spillwatch", "--config", str(config), "run"],
                                   stdout=subprocess.DEVNULL, stderr=log.open("w"), text=True,
                                   start_new_session=new_session,  # a process group to kill -9 at once
                                   env={**os.environ, "PYTHONUNBUFFERED": "1", SLACK_ENV: slack.url})
        port = next(line.split(":", 1)[1].strip() for line in config.read_text().splitlines()
                    if line.strip().startswith("web_port:"))
        engine = create_catalog_engine(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}")
        running = Running(process, engine, f"http://127.0.0.1:{port}", log)
        started.append(running)
        assert wait_for(lambda: running.get("/healthz")[0] in (200, 503) if _listening(running) else False, 60), \
            log.read_text()[-3000:]
        return running

    yield start
    for running in started:
        if running.alive():
            running.process.send_signal(signal.SIGTERM)
            try:
                running.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                running.process.kill()
        running.engine.dispose()


def _listening(running: Running) -> bool:
    try:
        urllib.request.urlopen(running.web + "/healthz", timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def _slack_texts(slack: SlackLikeServer) -> list[str]:
    return [json.dumps(item.json) for item in slack.posted]


def test_a_full_disk_fails_the_burst_loudly_and_it_is_fetched_when_space_returns(
        tmp_path: Path, run_service: Any, slack: SlackLikeServer) -> None:
    with AgencySite() as site, small_disk(tmp_path / "data" / "crawls" / "agency" / "warcs", "1500k") as warcs:
        config = write_config(tmp_path, site, min_free_disk="10KB", fetch_retry_delay="1s",
                              fetch_retry_max_delay="2s", fetch_max_attempts="100")
        service = run_service(config)
        assert wait_for(lambda: any(r["status"] == "finished"
                                    for r in service.rows(s.crawls, s.crawls.c.kind == "full")), 120), \
            "the first full crawl did not finish"
        site.publish(ROSTER, big_roster(40_000), "text/csv; charset=utf-8", link_from="/statistics/",
                     link_text="Detainee roster (CSV)")

        def failed_burst() -> list[dict[str, Any]]:
            return [r for r in service.rows(s.crawls) if "No space left on device" in (r["message"] or "")]

        assert wait_for(lambda: bool(failed_burst()), 120), service.log.read_text()[-3000:]
        crawl = failed_burst()[0]
        assert crawl["status"] == "failed" and crawl["errors"] >= 1
        fetch = service.rows(s.fetches)
        assert [f["url"] for f in fetch] == [site.url(ROSTER)] and fetch[0]["status"] in ("queued", "fetching")
        assert any("No space left on device" in entry["message"] and entry["level"] == "error"
                   for entry in service.logs())
        assert not service.rows(s.findings)
        assert service.alive()  # nothing stops the service: the alert dispatcher and the UI go on
        status, _body = service.get("/healthz")
        assert status in (200, 503)

        # space returns: the queued fetch is retried and the roster archived, found and alerted
        subprocess.run(["mount", "-o", "remount,size=60m", str(warcs)], check=True)
        assert wait_for(lambda: any(f["status"] == "fetched" for f in service.rows(s.fetches)), 120), \
            service.log.read_text()[-3000:]
        assert wait_for(lambda: any("critical" in text.lower() for text in _slack_texts(slack)), 60)
        findings = service.rows(s.findings)
        assert findings and findings[0]["url"] == site.url(ROSTER)
        assert service.alive()


def test_low_disk_pauses_crawls_not_alerts_and_says_so(tmp_path: Path, run_service: Any,
                                                       slack: SlackLikeServer) -> None:
    with AgencySite() as site:
        service = run_service(write_config(tmp_path, site, min_free_disk="100000GB"))
        assert wait_for(lambda: any("crawls paused" in text for text in _slack_texts(slack)), 60), \
            service.log.read_text()[-3000:]
        status, body = service.get("/healthz")
        health = json.loads(body)
        assert status == 503 and health["status"] == "degraded"
        assert "min_free_disk" in health["crawls_paused"] and health["reasons"]
        _status, metrics = service.get("/metrics")
        assert "spillwatch_crawls_paused 1.0" in metrics and "spillwatch_disk_free_bytes{" in metrics
        # the scheduler queued crawls; none ran
        assert wait_for(lambda: bool(service.rows(s.crawls)), 30)
        assert all(r["status"] == "queued" for r in service.rows(s.crawls))
        assert not site.requests_for("/")


def test_a_poison_warc_beside_a_good_roster(tmp_path: Path, run_service: Any, slack: SlackLikeServer) -> None:
    """WARC files another tool dropped into the site's warcs folder — the issue's 67-byte poison
    record and a roster — are picked up; the roster is alerted.  A path the catalog lists that cannot
    be read as a file (a folder) is given up with why, and the service goes on."""
    from datetime import UTC, datetime

    drop = tmp_path / "data" / "crawls" / "agency" / "warcs"
    drop.mkdir(parents=True)
    (drop / "a-poison.warc").write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999999999\r\n\r\n")
    write_warc(drop / "b-roster.warc.gz", [("http://agency.example/roster.csv", 200, "text/csv", big_roster(200),
                                            datetime(2026, 11, 28, tzinfo=UTC))])
    unreadable = tmp_path / "other-tool" / "c-unreadable.warc.gz"
    unreadable.mkdir(parents=True)
    with AgencySite() as site:
        # no crawl: only the files matter here
        config = write_config(tmp_path, site, watch=False, schedule=False, index_max_attempts="2")
        service = run_service(config)
        with service.engine.begin() as conn:
            conn.execute(insert(s.warc_files).values(path=str(unreadable), size=0, status="pending", resume_offset=0,
                                                     records=0, errors=[]))
        assert wait_for(lambda: any("critical" in text.lower() for text in _slack_texts(slack)), 90), \
            service.log.read_text()[-3000:]

        def states() -> dict[str, dict[str, Any]]:
            return {Path(r["path"]).name: r for r in service.rows(s.warc_files)}

        assert wait_for(lambda: states()["c-unreadable.warc.gz"]["status"] == "failed", 60)
        files = states()
        assert files["a-poison.warc"]["status"] == "indexed"
        assert "warcio failed on it" in json.dumps(files["a-poison.warc"]["errors"])
        assert files["b-roster.warc.gz"]["status"] == "indexed"
        assert "cannot read the file" in files["c-unreadable.warc.gz"]["failure"]
        _status, metrics = service.get("/metrics")
        assert 'spillwatch_warc_files_failed{reason="unreadable"} 1.0' in metrics
        assert any("given up" in text for text in _slack_texts(slack))  # the admin route was told
        assert service.alive()


@pytest.mark.parametrize("moment", ["during", "before"])
def test_kill_9_around_a_burst_loses_nothing(tmp_path: Path, run_service: Any, slack: SlackLikeServer,
                                             moment: str) -> None:
    """kill -9 of the whole service while the burst fetches the new roster ("during": its queue row
    is left `fetching`), or before it was queued ("before": only the page's new-link change is in the
    catalog): after a restart the roster is fetched, found and alerted, without a full crawl."""
    from tests.e2e.test_publish_to_alert import roster

    with AgencySite() as site:
        config = write_config(tmp_path, site)
        service = run_service(config, new_session=True)
        assert wait_for(lambda: any(r["status"] == "finished"
                                    for r in service.rows(s.crawls, s.crawls.c.kind == "full")), 120)
        body, _raw = roster()
        site.publish(ROSTER, body, "text/csv; charset=utf-8", link_from="/statistics/", link_text="Roster (CSV)")
        assert wait_for(lambda: any(f["status"] == "fetching" for f in service.rows(s.fetches)), 120), \
            service.log.read_text()[-3000:]
        os.killpg(service.process.pid, signal.SIGKILL)
        service.process.wait(timeout=30)
        assert not service.rows(s.findings)
        if moment == "before":
            with service.engine.begin() as conn:
                conn.execute(s.fetches.delete())
        # the killed process's scheduler lease expires 30 s after its last heartbeat; until then a
        # restart refuses to run beside what might still be a live scheduler.  Its last heartbeat is
        # moved 31 s back, as 31 s of waiting would leave it (the expiry itself: tests/e2e/test_lease.py)
        [lease] = service.rows(s.service_leases)
        with service.engine.begin() as conn:
            conn.execute(s.service_leases.update().values(heartbeat_at=lease["heartbeat_at"] - timedelta(seconds=31)))
        again = run_service(config, new_session=True)
        assert wait_for(lambda: any("critical" in text.lower() for text in _slack_texts(slack)), 120), \
            again.log.read_text()[-3000:]
        assert [f["status"] for f in again.rows(s.fetches)] == ["fetched"]
        assert [f["url"] for f in again.rows(s.findings)] == [site.url(ROSTER)]
        assert [r["kind"] for r in again.rows(s.crawls, s.crawls.c.kind == "full")] == ["full"]  # no second one
