"""Three `spillwatch worker` processes and one `spillwatch run` on PostgreSQL and a real S3 server
(issue 16): two sites with watch pages each publish a person-level file, both are alerted once, each
site is crawled by one worker at a time; a worker killed (SIGKILL of its process group: the machine
lost) in the middle of a crawl job and of an index job is replaced by another, nothing lost or
duplicated."""

from __future__ import annotations

import gzip
import io
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.catalog import schema as s
from crawler.queue import enqueue_crawl
from spillwatch.jobs import tasks
from spillwatch.service.loop import wait_for
from tests.e2e.test_publish_to_alert import roster
from tests.scale.conftest import SITES, ScaleSetup
from tests.scale.procs import Fleet, finished_full_crawls, job_status, overlapping_crawls, running_job

pytestmark = pytest.mark.timeout(300)


def nothing_pending(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(s.warc_files.c.id).where(
            s.warc_files.c.status.in_(("pending", "indexing")))).first() is None


def test_three_workers_alert_each_site_once(scale_setup: ScaleSetup, fleet: Fleet, engine: Engine) -> None:
    fleet.start("run", "run", "--no-ui")
    for n in range(3):
        fleet.start(f"worker{n}", "worker", "--concurrency", "2")
    assert wait_for(lambda: finished_full_crawls(engine) == set(SITES), 120), fleet.log("run")
    assert wait_for(lambda: nothing_pending(engine), 60)
    for name, site in scale_setup.sites.items():
        body, _raw = roster(60 if name == "north" else 80)
        site.publish(f"/statistics/releases/{name}-roster.csv", body, "text/csv; charset=utf-8",
                     link_from="/statistics/", link_text="Roster (CSV)")

    def alerted() -> set[str]:
        with engine.connect() as conn:
            return set(conn.execute(select(s.findings.c.site_id).join(
                s.deliveries, s.deliveries.c.finding_id == s.findings.c.id).where(s.deliveries.c.status == "sent"))
                .scalars())

    assert wait_for(lambda: alerted() == set(SITES), 90), [fleet.log(n) for n in fleet.processes]
    time.sleep(8)  # more watch polls: nothing is alerted twice
    with engine.connect() as conn:
        sent = conn.execute(select(s.findings.c.site_id, func.count()).join(
            s.deliveries, s.deliveries.c.finding_id == s.findings.c.id).group_by(s.findings.c.site_id)).all()
        workers = conn.exec_driver_sql("SELECT count(*) FROM procrastinate_workers").scalar_one()
    assert dict(sent) == {"north": 1, "south": 1}
    assert 1 <= len(scale_setup.smtp.messages) <= 2  # one message each, or both findings in one digest
    assert workers == 3
    from spillwatch.jobs.metrics import QueueCollector
    from spillwatch.service.metrics import metrics_text

    metrics = metrics_text(engine, list(SITES), None, QueueCollector(engine)).decode()
    assert "spillwatch_workers 3.0" in metrics
    assert 'spillwatch_jobs{queue="crawl",status="succeeded"}' in metrics
    assert 'spillwatch_job_duration_seconds_count{task="spillwatch.index"}' in metrics
    assert overlapping_crawls(engine) == []
    codes = fleet.stop()
    assert codes == {name: 0 for name in fleet.processes}, codes


def synthetic_warc(path: Path, records: int) -> None:
    """A WARC file another crawler left in a site's folder: ``records`` small HTML pages."""
    # written elsewhere on the same file system and moved in whole: a crawl of the site repairs any
    # `.open` file it finds in the folder, and the scheduler takes any other name as a finished file
    partial = path.parent.parent / f"{path.name}.part"
    with open(partial, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i in range(records):
            body = f"<html><body><h1>Notice {i}</h1><p>Meeting minutes of board {i}.</p></body></html>".encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://agency.example/notices/{i}", "response",
                                                          payload=io.BytesIO(body), http_headers=headers))
    partial.rename(path)
    assert gzip.open(path).read(4) == b"WARC"


def test_a_worker_killed_mid_crawl_and_mid_index_loses_nothing(scale_setup: ScaleSetup, fleet: Fleet,
                                                                 engine: Engine) -> None:
    fleet.start("run", "run", "--no-ui")
    for n in range(3):
        fleet.start(f"worker{n}", "worker", "--concurrency", "1")
    assert wait_for(lambda: finished_full_crawls(engine) == set(SITES), 120), fleet.log("run")
    # a crawl kept busy by the slow page; its worker's machine is lost mid-crawl
    base = scale_setup.sites["north"].base_url
    assert enqueue_crawl(engine, "north", "full", [f"{base}/slow/", f"{base}/"])
    assert wait_for(lambda: running_job(engine, tasks.CRAWL) is not None, 30)
    crawl_job = running_job(engine, tasks.CRAWL) or 0
    assert wait_for(lambda: fleet.running(tasks.CRAWL, crawl_job) is not None, 10)
    killed = fleet.running(tasks.CRAWL, crawl_job) or ""
    time.sleep(2)
    fleet.kill_machine(killed)
    assert wait_for(lambda: job_status(engine, crawl_job) == "succeeded", 120), fleet.log("run")
    # an index job: a big WARC file put in the folder, its worker lost mid-file
    warc = scale_setup.config.settings.data_path / "crawls" / "south" / "warcs" / "other-tool.warc.gz"
    synthetic_warc(warc, 4000)
    assert wait_for(lambda: running_job(engine, tasks.INDEX, str(warc)) is not None, 60)
    index_job = running_job(engine, tasks.INDEX, str(warc)) or 0
    assert wait_for(lambda: fleet.running(tasks.INDEX, index_job) is not None, 10)
    killed_too = fleet.running(tasks.INDEX, index_job) or ""
    time.sleep(1)
    fleet.kill_machine(killed_too)
    assert wait_for(lambda: job_status(engine, index_job) == "succeeded", 150), \
        [fleet.log(n) for n in fleet.processes]
    assert wait_for(lambda: nothing_pending(engine), 60)
    with engine.connect() as conn:
        captured = conn.execute(select(func.count(), func.count(func.distinct(s.captures.c.url))).where(
            s.captures.c.warc_file == str(warc))).one()
        north = conn.execute(select(s.crawls.c.status).where(s.crawls.c.site_id == "north", s.crawls.c.kind == "full")
                             .order_by(s.crawls.c.id.desc()).limit(1)).scalar_one()
        slow_captured = conn.execute(select(func.count()).where(s.captures.c.url == f"{base}/slow/")).scalar_one()
    assert tuple(captured) == (4000, 4000)  # every record once
    assert slow_captured >= 1  # the page the lost machine was fetching was archived by the next one
    assert overlapping_crawls(engine) == []
    assert "runs again" in "".join(fleet.log(n) for n in fleet.processes if n not in (killed, killed_too))
    assert north == "finished"  # the interrupted crawl ran again to its end
