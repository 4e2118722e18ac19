"""Full crawls failed by a WARC write error are run again once space returns (issue 12): the catalog
side (spillwatch/service/crawl_retries.py), on SQLite and PostgreSQL, and what crawl health shows."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from core.catalog import schema as s
from core.config import Site
from core.settings import Settings
from spillwatch.service import crawl_retries
from web.crawl_health import site_health

DISK_FULL = "cannot write the WARC file in /data/crawls/agency/warcs: No space left on device; 1 fetched URL(s) " \
            "not archived"
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
SEEDS = {"agency": ["http://agency.example/"]}


def _crawl(conn: Any, status: str = "running") -> int:
    return int(conn.execute(insert(s.crawls).values(site_id="agency", kind="full", status=status, started_at=NOW,
                                                    warc_files=[], message="").returning(s.crawls.c.id)).scalar_one())


def _row(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(select(s.crawl_retries)).mappings().one())


def _fail(engine: Engine, settings: Settings, crawl_id: int, at: datetime) -> crawl_retries.Outcome:
    with engine.begin() as conn:
        conn.execute(update(s.crawls).where(s.crawls.c.id == crawl_id).values(status="failed", message=DISK_FULL))
        return crawl_retries.after_crawl(conn, "agency", crawl_id, "failed", DISK_FULL, 1, settings, at,
                                         random.Random(1))


def test_a_write_failure_is_retried_with_backoff_then_given_up(catalog: Engine,
                                                              make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(crawl_retry_delay="10m", crawl_retry_max_delay="15m", crawl_retry_max_attempts=3)
    with catalog.begin() as conn:
        first = _crawl(conn)
    outcome = _fail(catalog, settings, first, NOW)
    assert outcome.action == "retry" and outcome.attempts == 1 and outcome.due is not None
    assert NOW + timedelta(minutes=5) <= outcome.due <= NOW + timedelta(minutes=10)  # 10 min, equal jitter
    row = _row(catalog)
    assert row["status"] == "waiting" and row["failed_crawl_id"] == first and "No space left" in row["last_error"]
    with catalog.begin() as conn:  # not due yet: nothing queued
        assert crawl_retries.queue_due(conn, NOW + timedelta(minutes=4), SEEDS) == []
        assert crawl_retries.queue_due(conn, outcome.due, SEEDS) == ["agency"]
        retry = conn.execute(select(s.crawls).where(s.crawls.c.status == "queued")).mappings().one()
    assert retry["kind"] == "full" and retry["message"] == '{"seeds": ["http://agency.example/"]}'
    assert _row(catalog)["status"] == "queued" and _row(catalog)["crawl_id"] == retry["id"]
    second = _fail(catalog, settings, retry["id"], NOW + timedelta(minutes=11))
    assert second.action == "retry" and second.attempts == 2 and second.due is not None
    # doubled (20 min), capped at crawl_retry_max_delay (15 min), equal jitter
    assert NOW + timedelta(minutes=11, seconds=450) <= second.due <= NOW + timedelta(minutes=26)
    with catalog.begin() as conn:
        crawl_retries.queue_due(conn, second.due, SEEDS)
    third = _fail(catalog, settings, _row(catalog)["crawl_id"], NOW + timedelta(minutes=40))
    assert third.action == "given_up" and third.attempts == 3
    row = _row(catalog)
    assert row["status"] == "given_up" and row["last_error"].startswith("given up after 3 attempt(s): cannot write")
    with catalog.begin() as conn:
        assert crawl_retries.queue_due(conn, NOW + timedelta(days=1), SEEDS) == []
        assert crawl_retries.counts(conn) == {"given_up": 1}


def test_a_finished_crawl_closes_the_retry_and_a_restart_resumes_it(catalog: Engine,
                                                                    make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(crawl_retry_delay="1s")
    with catalog.begin() as conn:
        first = _crawl(conn)
    _fail(catalog, settings, first, NOW)
    with catalog.begin() as conn:
        crawl_retries.queue_due(conn, NOW + timedelta(seconds=2), SEEDS)
    queued = _row(catalog)["crawl_id"]
    with catalog.begin() as conn:
        # the service stopped while the retry ran: the restart marks the crawl failed (loop._recover) …
        conn.execute(update(s.crawls).where(s.crawls.c.id == queued).values(status="failed", message="interrupted"))
        assert crawl_retries.recover(conn, NOW + timedelta(minutes=1)) == 1
    assert _row(catalog)["status"] == "waiting"  # … and the retry waits again, due at once
    with catalog.begin() as conn:
        assert crawl_retries.queue_due(conn, NOW + timedelta(minutes=1), SEEDS) == ["agency"]
    with catalog.begin() as conn:
        done = crawl_retries.after_crawl(conn, "agency", _row(catalog)["crawl_id"], "finished", "", 0, settings,
                                         NOW + timedelta(minutes=2), random.Random(1))
    assert done.action == "done" and _row(catalog)["status"] == "done"


def test_other_failures_are_left_to_the_schedule(catalog: Engine, make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    with catalog.begin() as conn:
        crawl_id = _crawl(conn)
        outcome = crawl_retries.after_crawl(conn, "agency", crawl_id, "failed", "interrupted: the service stopped",
                                            0, settings, NOW, random.Random(1))
        assert outcome.action == "none" and crawl_retries.counts(conn) == {}
        assert crawl_retries.after_crawl(conn, "agency", crawl_id, "killed", DISK_FULL[:20], 0, settings, NOW,
                                         random.Random(1)).action == "none"


def test_crawl_health_shows_the_retry(catalog: Engine, make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(crawl_retry_delay="10m")
    with catalog.begin() as conn:
        crawl_id = _crawl(conn)
    outcome = _fail(catalog, settings, crawl_id, NOW)
    assert outcome.due is not None
    site = Site.model_validate({"id": "agency", "seeds": SEEDS["agency"]})
    with catalog.connect() as conn:
        health = site_health(conn, [site], NOW)[0]
    assert health.state == "failed"
    assert health.retry_note == (f"failed by a write error (1 attempt(s)); run again from {outcome.due:%Y-%m-%d %H:%M} "
                                 "UTC once free disk space is above min_free_disk")
