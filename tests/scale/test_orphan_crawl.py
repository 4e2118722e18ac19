"""A worker killed on its own (SIGKILL of its pid, not of its process group) mid-crawl: its crawl
process dies with it (crawler/lifetime.py), the crawl job is picked up again by another worker, no
two crawls of the site ever run at once, nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from core.catalog import schema as s
from crawler.lifetime import site_lock
from crawler.queue import enqueue_crawl
from spillwatch.jobs import tasks
from spillwatch.service.loop import wait_for
from tests.conftest import _postgres_database
from tests.scale.conftest import SITES, ScaleSetup
from tests.scale.procs import Fleet, finished_full_crawls, job_status, overlapping_crawls

pytestmark = pytest.mark.timeout(300)


def crawl_processes(site_dir: Path) -> list[psutil.Process]:
    """Live `python -m crawler run` processes writing into ``site_dir`` (any parent)."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        command = " ".join(process.info["cmdline"] or [])
        if process.info["status"] != psutil.STATUS_ZOMBIE and "crawler run --job" in command \
                and str(site_dir) in command:
            found.append(process)
    return found


def full_crawl_processes(site_dir: Path) -> list[psutil.Process]:
    """The crawl processes of ``site_dir`` running a full crawl (not a watch poll)."""
    found = []
    for process in crawl_processes(site_dir):
        try:
            job = json.loads(Path(process.cmdline()[-1]).read_text())
        except (OSError, ValueError, psutil.Error):
            continue  # ended meanwhile
        if job["kind"] == "full":
            found.append(process)
    return found


def latest_full_crawl(engine: Engine, site_id: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(s.crawls.c.id)).where(
            s.crawls.c.site_id == site_id, s.crawls.c.kind == "full")).scalar_one())


def crawl_job_of(engine: Engine, crawl_id: int) -> int | None:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM procrastinate_jobs WHERE task_name = :task "
                                  "AND (args->>'crawl_id')::int = :crawl ORDER BY id DESC LIMIT 1"),
                             {"task": tasks.CRAWL, "crawl": crawl_id}).scalar()
    return None if found is None else int(found)


class CrawlCounter:
    """Samples the crawl processes of one site every 0.1 s; ``most`` is the largest count seen."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir, self.most, self._stop = site_dir, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> CrawlCounter:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.most = max(self.most, len(crawl_processes(self.site_dir)))
            time.sleep(0.1)


def test_a_worker_killed_alone_takes_its_crawl_with_it(scale_setup: ScaleSetup, fleet: Fleet,
                                                       engine: Engine) -> None:
    fleet.start("run", "run", "--no-ui")
    for n in range(2):
        fleet.start(f"worker{n}", "worker", "--concurrency", "1")
    assert wait_for(lambda: finished_full_crawls(engine) == set(SITES), 120), fleet.log("run")
    site_dir = scale_setup.config.settings.data_path / "crawls" / "north"
    base = scale_setup.sites["north"].base_url
    with CrawlCounter(site_dir) as counter:
        assert enqueue_crawl(engine, "north", "full", [f"{base}/slow/", f"{base}/"])
        crawl_id = latest_full_crawl(engine, "north")
        assert wait_for(lambda: crawl_job_of(engine, crawl_id) is not None, 30)
        crawl_job = crawl_job_of(engine, crawl_id) or 0
        assert wait_for(lambda: bool(full_crawl_processes(site_dir)), 30)
        (child,) = full_crawl_processes(site_dir)
        killed_crawl = Path(child.cmdline()[-1]).name.removesuffix(".job.json")
        (worker,) = [p for p in fleet.processes.values() if p.pid == child.ppid()]
        time.sleep(2)
        os.kill(worker.pid, signal.SIGKILL)  # the worker alone; its crawl is in the same process group
        worker.wait(timeout=10)
        assert wait_for(lambda: not child.is_running() or child.status() == psutil.STATUS_ZOMBIE, 5), \
            "the crawl process outlived its worker"
        assert wait_for(lambda: job_status(engine, crawl_job) == "succeeded", 120), \
            [fleet.log(n) for n in fleet.processes]
    assert counter.most == 1  # never two crawl processes of the site at once
    assert overlapping_crawls(engine) == []
    with engine.connect() as conn:
        north = conn.execute(select(s.crawls.c.status).where(s.crawls.c.site_id == "north", s.crawls.c.kind == "full")
                             .order_by(s.crawls.c.id.desc()).limit(1)).scalar_one()
        slow = conn.execute(select(func.count()).where(s.captures.c.url == f"{base}/slow/")).scalar_one()
    assert north == "finished"
    assert slow >= 1  # the page being fetched when the worker died was archived by the next crawl
    assert not list((site_dir / "warcs").glob(f"{killed_crawl}-*.open"))  # the killed crawl's files were repaired


@pytest.fixture
def catalog_url(postgres_server: Any) -> Iterator[str]:
    yield _postgres_database(postgres_server)


def test_a_second_crawl_of_a_site_waits_for_the_first(catalog_url: str) -> None:
    order: list[str] = []
    first_in = threading.Event()
    release = threading.Event()

    def first() -> None:
        with site_lock(catalog_url, "north"):
            order.append("first start")
            first_in.set()
            release.wait(10)
            order.append("first end")

    def second() -> None:
        with site_lock(catalog_url, "north", poll=0.05):
            order.append("second start")

    one = threading.Thread(target=first)
    one.start()
    assert first_in.wait(10)
    two = threading.Thread(target=second)
    two.start()
    with site_lock(catalog_url, "south"):  # another site is not held up
        order.append("south")
    time.sleep(0.5)
    assert order == ["first start", "south"]
    release.set()
    one.join(10)
    two.join(10)
    assert order == ["first start", "south", "first end", "second start"]
    catalog = create_engine(catalog_url)
    with catalog.connect() as conn:  # nothing left held
        held = conn.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                                    "(SELECT oid FROM pg_database WHERE datname = current_database())").scalar_one()
    catalog.dispose()
    assert held == 0
