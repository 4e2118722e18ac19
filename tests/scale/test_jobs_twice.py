"""The job functions of ``queue: procrastinate`` (spillwatch/jobs/work.py), run in this process on a
PostgreSQL catalog with WARC files on a real S3 server: they do the work, and each run a second time
(redelivery: a worker killed after the work, before the acknowledgement) changes nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.catalog import schema as s
from crawler.queue import enqueue_crawl
from spillwatch.jobs import work
from spillwatch.jobs.host import WorkerHost
from tests.e2e.test_publish_to_alert import RELEASE, roster
from tests.scale.conftest import ScaleSetup


@pytest.fixture
def host(scale_setup: ScaleSetup) -> Iterator[WorkerHost]:
    worker = WorkerHost(scale_setup.config)
    yield worker
    worker.close()


def counts(host: WorkerHost) -> dict[str, int]:
    with host.engine.connect() as conn:
        return {
            "captures": conn.execute(select(func.count()).select_from(s.captures)).scalar_one(),
            "findings": conn.execute(select(func.count()).select_from(s.findings)).scalar_one(),
            "finding_events": conn.execute(select(func.count()).select_from(s.finding_events)).scalar_one(),
            "deliveries": conn.execute(select(func.count()).select_from(s.deliveries)).scalar_one(),
            "crawls": conn.execute(select(func.count()).select_from(s.crawls)).scalar_one(),
            "warc_files": conn.execute(select(func.count()).select_from(s.warc_files)).scalar_one(),
        }


def queued_crawl(host: WorkerHost, site_id: str, kind: str, seeds: list[str]) -> int:
    assert enqueue_crawl(host.engine, site_id, kind, seeds)
    with host.engine.connect() as conn:
        return int(conn.execute(select(func.max(s.crawls.c.id))).scalar_one())


def test_every_job_run_twice_changes_nothing_more(scale_setup: ScaleSetup, host: WorkerHost,
                                                   s3_server: Any) -> None:
    site = scale_setup.sites["north"]
    full = queued_crawl(host, "north", "full", [site.base_url + "/"])
    outcome = work.crawl_request(host, full)
    assert outcome.status == "finished" and outcome.to_index
    client = s3_server.client()
    uploaded = {o["Key"] for o in client.list_objects_v2(Bucket=scale_setup.bucket)["Contents"]}
    assert {f"spillwatch/crawls/north/warcs/{Path(p).name}" for p in outcome.to_index} <= uploaded
    assert not [k for k in uploaded if k.endswith(".open")]
    for path in outcome.to_index:
        Path(path).unlink()  # the index job runs on a machine without the file: streamed from S3
        work.index_warc(host, path, full)
    body, _raw = roster()
    site.publish(RELEASE, body, "text/csv; charset=utf-8", link_from="/statistics/", link_text="Roster (CSV)")
    watch = queued_crawl(host, "north", "watch", [site.base_url + "/statistics/"])
    assert work.crawl_request(host, watch).burst_sites == ["north"]
    assert work.burst(host, "north")
    assert work.dispatch(host) >= 1
    assert len(scale_setup.smtp.messages) == 1
    before = counts(host)
    assert before["findings"] >= 1 and before["deliveries"] >= 1

    # redelivery of every job: the same state, no second alert
    again = work.crawl_request(host, full)
    assert again.status == "finished" and again.to_index == []
    for path in outcome.to_index:
        work.index_warc(host, path, full)
    work.crawl_request(host, watch)
    assert not work.burst(host, "north")
    work.dispatch(host)
    work.maintenance(host)
    assert counts(host) == before
    assert len(scale_setup.smtp.messages) == 1
    replay_reads_by_range(host)


def replay_reads_by_range(host: WorkerHost) -> None:
    """Replay and downloads on a machine without the WARC file read the record from S3 by its range."""
    from core.warc_store import remote_store
    from web.archive import read_payload

    with host.engine.connect() as conn:
        capture = dict(conn.execute(select(s.captures).where(s.captures.c.record_type == "response",
                                                             s.captures.c.url.like("%/statistics/"))
                                    .limit(1)).mappings().one())
    local = read_payload(capture, host.settings.data_path)
    Path(capture["warc_file"]).unlink()
    remote = read_payload(capture, host.settings.data_path, remote_store(host.settings))
    assert remote.body == local.body and remote.body.startswith(b"<!DOCTYPE html>")
    assert not Path(capture["warc_file"]).exists()  # one range read, the file not fetched


def test_a_burst_redelivered_after_a_dead_worker_fetches_the_documents(scale_setup: ScaleSetup,
                                                                        host: WorkerHost) -> None:
    from datetime import UTC, datetime

    from spillwatch.service import fetches

    site = scale_setup.sites["south"]
    document = site.base_url + "/statistics/releases/roster.csv"
    body, _raw = roster(40)
    site.publish("/statistics/releases/roster.csv", body, "text/csv; charset=utf-8", link_from="/statistics/",
                 link_text="Roster")
    now = datetime.now(UTC)
    with host.engine.begin() as conn:  # a worker claimed the row, then died
        fetches.enqueue(conn, "south", [(document, site.base_url + "/statistics/")], now)
        fetches.claim(conn, fetches.due(conn, now, site_id="south"), now)
        assert fetches.counts(conn) == {"fetching": 1}
    assert work.burst(host, "south")
    with host.engine.connect() as conn:
        assert fetches.counts(conn) == {"fetched": 1}
        assert fetches.captured(conn, document)


def test_s3_unreachable_the_crawl_job_fails_then_its_retry_loses_nothing(scale_setup: ScaleSetup,
                                                                         host: WorkerHost) -> None:
    from core.warc_store import S3Store, StorageUnavailable
    from tests.services.procs import free_port

    reachable = host.store
    assert isinstance(reachable, S3Store)
    host.store = S3Store(host.settings.warc_storage, host.settings.data_path,
                         endpoint_url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    site = scale_setup.sites["south"]
    crawl_id = queued_crawl(host, "south", "full", [site.base_url + "/"])
    with pytest.raises(StorageUnavailable, match=f"bucket '{scale_setup.bucket}'.*retried"):
        work.crawl_request(host, crawl_id)
    pending = work.unindexed_files(host, crawl_id)
    assert pending and all(Path(p).is_file() for p in pending)  # kept locally until uploaded
    host.store = reachable  # the server is back: the queue's retry of the same job
    again = work.crawl_request(host, crawl_id)
    assert again.to_index == pending
    for path in pending:
        assert reachable.exists(Path(path))
        work.index_warc(host, path, crawl_id)
    assert work.unindexed_files(host, crawl_id) == []
