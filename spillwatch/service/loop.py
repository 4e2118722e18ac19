"""``spillwatch run``: one process that schedules, crawls, indexes, alerts and serves the UI.

Threads, each owning one kind of work, all stopped by one event:

- the APScheduler scheduler (job store in the catalog) queues crawls on each site's schedule and
  each watch page's interval (:mod:`spillwatch.service.schedule`);
- the crawl worker runs queued crawls one at a time, each in a subprocess with a time limit, then
  indexes the WARC files at once; after a watch-page crawl, documents newly linked from the page are
  fetched in a burst and indexed, without waiting for the next full crawl;
- the index worker picks up WARC files still pending (left by a crash, or written by another tool);
- the alert dispatcher sends the outbox continuously;
- the HTTP server serves the UI, ``/healthz`` and ``/metrics``, and the replay origin.

SIGTERM/SIGINT: stop scheduling, let the running crawl close its WARC files (SIGTERM to the crawl
process), finish the record being indexed, release the lease and exit 0.  A restart resumes pending
work: queued crawls, unindexed WARC files and undelivered alerts all live in the catalog.
"""

from __future__ import annotations

import importlib
import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import Engine, and_, select, update
from sqlalchemy.exc import SQLAlchemyError

from core.catalog import open_catalog
from core.catalog import schema as s
from core.config import Config
from spillwatch.service.lease import Lease, LeaseHeld
from spillwatch.service.schedule import build_scheduler
from spillwatch.service.state import ServiceState

log = logging.getLogger("spillwatch.service")
RETENTION_INTERVAL = 3600.0  # seconds between two checks for closed findings to purge

HEARTBEAT_SECONDS = 10.0
# what the crawl, index, dispatcher and HTTP threads import lazily (see Service.start)
WORKER_MODULES = ("crawler.run", "indexer.pipeline", "alerts.dispatcher", "web", "web.server", "disclosure.contacts",
                  "spillwatch.service.bursts", "spillwatch.service.fetches", "spillwatch.service.crawl_retries",
                  "disclosure.removal_watch")
RESTART_DELAY = 2.0  # first pause before a crashed worker is restarted; doubled up to the maximum
MAX_RESTART_DELAY = 60.0
DISK_CHECK_SECONDS = 5.0


class Service:
    def __init__(self, config: Config, *, serve_http: bool = True, poll_interval: float = 1.0,
                 on_event: Callable[[str, dict[str, Any]], None] | None = None,
                 notifier_factory: Callable[..., Any] | None = None) -> None:
        self.config = config
        self.settings = config.settings
        self.serve_http = serve_http
        self.poll_interval = poll_interval
        self.on_event = on_event
        self.notifier_factory = notifier_factory
        self.stop_event = threading.Event()
        self.state = ServiceState()
        self.engine: Engine = open_catalog(self.settings)
        self.catalog_url = self.engine.url.render_as_string(hide_password=False)
        self.lease = Lease(self.engine)
        self.threads: list[threading.Thread] = []
        # one indexing run at a time: the crawl worker (right after a crawl) and the index worker
        # (files left pending) must never index the same WARC file concurrently
        self.index_lock = threading.Lock()
        self.scheduler: Any = None
        self.dispatcher: Any = None
        from spillwatch.service.bursts import Bursts
        from spillwatch.service.crawl_retries import CrawlRetries
        from spillwatch.service.removal_checks import RemovalChecks

        self.bursts, self.removal_checks = Bursts(self), RemovalChecks(self)
        self.retries = CrawlRetries(self.engine, self.config, self._notify)
        self.http: Any = None

    # -- life cycle ----------------------------------------------------------------------------

    def start(self, *, schedule: bool = True) -> None:
        # APScheduler logs every job run at INFO: every few seconds with watch pages
        logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLogger().level))
        self.lease.acquire()
        if self.settings.queue != "procrastinate":  # with workers, a redelivered job recovers its own work
            self._recover()
        # import what the worker threads import before they start: two threads importing one package
        # for the first time at once can deadlock in the import system (warcio's package imports its
        # own submodules back), and the thread that loses dies with _DeadlockError
        for module in WORKER_MODULES:
            importlib.import_module(module)
        from indexer.search import open_search
        from matcher.isolation import IsolatedScanner

        self.search = open_search(self.settings)
        # the matcher runs in a capped child process: a hostile file can exhaust a parser's memory or
        # time there, never the service's (docs/architecture.md §5 rule 5)
        self.scanner = IsolatedScanner()
        self.scheduler = build_scheduler(self.engine, self.catalog_url, self.config)
        if schedule:  # False: queued crawls run, nothing is scheduled until scheduler.resume() (the demo)
            self.scheduler.resume()
        from alerts.dispatcher import Dispatcher

        self._thread("heartbeat", self._heartbeat)
        if self.settings.queue == "procrastinate":  # `spillwatch worker` processes do the work (docs/scaling.md)
            from spillwatch.jobs.deferrer import Deferrer

            self._thread("deferrer", Deferrer(self.engine, self.config, self.stop_event).run)
        else:
            self.dispatcher = self._make_dispatcher(Dispatcher)
            self._thread("crawl-worker", self._crawl_worker)
            self._thread("index-worker", self._index_worker)
            self._thread("dispatcher", self.dispatcher.run_forever, self.stop_event)
            if self.settings.purge_closed_after > 0:
                self._thread("retention", self._retention)
        if self.serve_http:
            from spillwatch.service.http import ServiceHttp

            self.http = ServiceHttp(self.config, self.engine, self.state,
                                    lambda: bool(self.scheduler is not None and self.scheduler.running))
            self.http.start()
        log.info("spillwatch run: %d site(s) scheduled, catalog %s", len(self.config.sites),
                 self.engine.url.render_as_string(hide_password=True))

    def _make_dispatcher(self, dispatcher_class: Any) -> Any:
        if self.notifier_factory is not None:
            return dispatcher_class(self.engine, self.config, notifier_factory=self.notifier_factory)
        return dispatcher_class(self.engine, self.config)

    def _thread(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=self._guard, args=(name, target, *args), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _guard(self, name: str, target: Callable[..., None], *args: Any) -> None:
        """Run a worker; a crash is logged with its traceback, reported (/healthz says degraded, and
        the admin route is told) and the worker restarted after a pause: the service never exits
        because one worker died."""
        delay = RESTART_DELAY
        while not self.stop_event.is_set():
            started = time.monotonic()
            try:
                target(*args)
                return
            except LeaseHeld as exc:
                log.error("%s", exc)
                self.stop()
                return
            except Exception as exc:  # logged with its traceback, reported, and the worker restarted
                log.exception("worker %s crashed; restarting it in %.0f s", name, delay)
                reason = f"worker {name} crashed ({exc.__class__.__name__}) at {datetime.now(UTC):%H:%M:%S} UTC"
                self.state.degraded[name] = reason
                self.state.last_error = reason
                self._notify(f"worker:{name}:{datetime.now(UTC):%Y%m%d%H}", f"worker {name} crashed",
                             f"{reason}; it is restarted. See the service log for the traceback.")
            if time.monotonic() - started > 10 * RESTART_DELAY:
                delay = RESTART_DELAY  # it ran a while: start again from a short pause
            self.stop_event.wait(delay)
            delay = min(delay * 2, MAX_RESTART_DELAY)

    def _notify(self, topic: str, subject: str, text: str) -> None:
        """A service notice to the admin route (alerts.ops); failing to queue it is logged only."""
        from alerts.ops import enqueue_ops

        try:
            with self.engine.begin() as conn:
                enqueue_ops(conn, self.config, topic, subject, text, datetime.now(UTC))
        except SQLAlchemyError as exc:
            log.error("cannot queue the service notice %r: %s", subject, exc)
        if self.dispatcher is not None:
            self.dispatcher.wake()

    def stop(self) -> None:
        if self.stop_event.is_set():
            return
        self.state.stopping = True
        self.stop_event.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.dispatcher is not None:
            self.dispatcher.wake()

    def wait(self) -> None:
        current = threading.current_thread()
        for thread in self.threads:
            if thread is not current:
                thread.join(timeout=60)
        if self.http is not None:
            self.http.stop()
        if self.dispatcher is not None:
            self.dispatcher.close()
        try:
            self.lease.release()
        except SQLAlchemyError as exc:  # the catalog is unwritable: the lease expires by itself
            log.error("cannot release the scheduler lease (%s); it expires %d s after the last heartbeat",
                      exc.__class__.__name__, 30)
        finally:
            self.search.close()
            self.scanner.close()
        log.info("spillwatch run: stopped")

    def run_forever(self) -> int:
        def handle(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s: finishing current work and stopping", signal.Signals(signum).name)
            self.stop()

        previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while not self.stop_event.wait(1.0):
                pass
            self.wait()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _event(self, name: str, **data: Any) -> None:
        if self.on_event is not None:
            self.on_event(name, data)

    # -- workers -------------------------------------------------------------------------------

    def _heartbeat(self) -> None:
        while not self.stop_event.wait(HEARTBEAT_SECONDS):
            self.lease.renew()

    def _recover(self) -> None:
        """Crawls left 'running' by a crash are marked failed; queued crawls stay queued."""
        from spillwatch.service import crawl_retries, fetches

        with self.engine.begin() as conn:
            conn.execute(update(s.crawls).where(s.crawls.c.status == "running").values(
                status="failed", finished_at=datetime.now(UTC),
                message="interrupted: the service stopped while it ran"))
            if fetches.recover(conn):
                log.info("documents left mid-fetch by the last run are queued again")
            if crawl_retries.recover(conn, datetime.now(UTC)):
                log.info("full crawls failed by a write error, whose retry the last run did not start, wait again")

    def _next_queued(self) -> dict[str, Any] | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(s.crawls).where(s.crawls.c.status == "queued")
                               .order_by(s.crawls.c.kind.desc(), s.crawls.c.id).limit(1)).mappings().first()
            if row is None:
                return None
            taken = conn.execute(update(s.crawls).where(and_(s.crawls.c.id == row["id"],
                                                             s.crawls.c.status == "queued"))
                                 .values(status="running", started_at=datetime.now(UTC))).rowcount
            return dict(row) if taken == 1 else None

    def _crawl_worker(self) -> None:
        next_disk_check = 0.0
        while not self.stop_event.is_set():
            if time.monotonic() >= next_disk_check:
                self._check_disk()
                next_disk_check = time.monotonic() + DISK_CHECK_SECONDS
            if self.state.paused:  # crawls wait for disk space; alerts and the UI go on
                self.stop_event.wait(self.poll_interval)
                continue
            self.retries.queue_due()
            request = self._next_queued()
            if request is None:
                if not self.bursts.fetch_due() and not self.removal_checks.check_due():
                    self.stop_event.wait(self.poll_interval)
                continue
            try:
                self._run_request(request)
            except Exception:  # one failed crawl or index run must not stop the service: log, record, go on
                log.exception("crawl request %d (%s %s) failed", request["id"], request["kind"], request["site_id"])
                self.state.last_error = f"crawl request {request['id']} failed"
                with self.engine.begin() as conn:
                    conn.execute(update(s.crawls).where(s.crawls.c.id == request["id"],
                                                        s.crawls.c.status.in_(("queued", "running")))
                                 .values(status="failed", finished_at=datetime.now(UTC),
                                         message="failed in the service; see its log"))

    def _check_disk(self) -> None:
        """Pause crawls and fetches below ``min_free_disk`` (and say so once), resume above it."""
        from spillwatch.service.disk import check

        disk = check(self.config)
        if disk.paused and not self.state.paused:
            log.error("%s", disk.reason)
            self._notify(f"disk-low:{datetime.now(UTC):%Y%m%dT%H%M%S}", "crawls paused: disk space low",
                         disk.reason)
        elif self.state.paused and not disk.paused:
            log.info("disk space is back above min_free_disk: crawls and fetches resume")
        self.state.paused = disk.reason

    def _run_request(self, request: dict[str, Any]) -> None:
        from crawler.run import crawl_site, fetch_urls

        site_id = request["site_id"]
        try:
            seeds = list(json.loads(request["message"] or "{}").get("seeds", []))
        except ValueError:
            seeds = []
        self.state.current_crawl = f"{request['kind']} {site_id}"
        self._event("crawl_started", site=site_id, kind=request["kind"], seeds=seeds)
        try:
            if request["kind"] == "watch" and seeds:
                manifest = fetch_urls(self.config, site_id, seeds, catalog=self.engine, crawl_id=request["id"],
                                      stop=self.stop_event)
            else:
                manifest = crawl_site(self.config, site_id, catalog=self.engine, crawl_id=request["id"],
                                      stop=self.stop_event)
        finally:
            self.state.current_crawl = None
        self.state.crawls_run += 1
        self._event("crawl_finished", site=site_id, kind=request["kind"], status=manifest.status,
                    pages=manifest.pages, warc_files=len(manifest.warc_files))
        if manifest.status == "failed":
            log.error("%s crawl of %s failed: %s", request["kind"], site_id, manifest.reason)
            self.state.last_error = f"{request['kind']} crawl of {site_id} failed: {manifest.reason}"[:500]
        if request["kind"] == "full":  # failed by a write error: run again once space returns
            self.retries.after_crawl(site_id, request["id"], manifest)
        self._index(manifest.warc_files, crawl_id=request["id"])
        if request["kind"] != "watch":  # the site's security.txt contacts (docs/disclosure.md)
            self.removal_checks.refresh_contacts(site_id)
        if request["kind"] == "watch":
            self.bursts.queue_documents(site_id, request["id"], seeds)
            while not self.stop_event.is_set() and not self.state.paused and self.bursts.fetch_due():
                pass  # the burst: newly linked documents fetched at once, through the durable queue
        if self.dispatcher is not None:
            self.dispatcher.wake()

    def _index(self, paths: list[str], crawl_id: int | None = None) -> Any:
        from indexer.pipeline import index_paths

        with self.index_lock:
            summary = index_paths([Path(p) for p in paths], self.config, self.engine, self.search,
                                  crawl_id=crawl_id, scan=self.scanner.scan_bytes,
                                  max_attempts=int(self.settings.index_max_attempts))
        self.state.files_indexed += len(paths)
        self._event("indexed", files=len(paths), findings=summary.findings, captures=summary.captures)
        return summary

    def _retention(self) -> None:
        """Hourly: purge the payloads of findings closed longer than purge_closed_after (indexer.purge)."""
        from indexer.purge import purge_due

        while not self.stop_event.is_set():
            with self.index_lock:  # never while a WARC file is being indexed
                try:
                    purge_due(self.engine, self.search, self.settings.data_path, self.settings.purge_closed_after)
                except Exception:  # a failed purge is retried next hour; the service goes on
                    log.exception("retention: purging closed findings failed; retrying in an hour")
            self.stop_event.wait(RETENTION_INTERVAL)

    def _index_worker(self) -> None:
        while not self.stop_event.wait(max(self.poll_interval, 5.0)):
            if self.state.current_crawl is not None:
                continue
            self._index_pending()

    def _index_pending(self) -> None:
        """WARC files left pending (a crash, another tool's files): each indexed on its own; a file
        that keeps failing is given up after ``index_max_attempts`` (status ``failed``, with why)."""
        from indexer.warc_files import give_up_folder, give_up_stalled, pending_paths, sync_folder

        with self.engine.begin() as conn:
            for site in self.config.sites:  # WARC files another tool put there, or that changed since
                found = sync_folder(conn, self.settings.data_path / "crawls" / site.id / "warcs")
                if found:
                    log.info("%d new or changed WARC file(s) in the %s folder", found, site.id)
            given_up = give_up_stalled(conn, int(self.settings.index_max_attempts))
            pending = pending_paths(conn)
            for path in [p for p in pending if Path(p).is_dir()]:
                given_up.append(path)
                give_up_folder(conn, path)
        for path in given_up:
            log.error("%s: not indexed, given up; the dashboard says why", path)
            self._notify(f"warc-failed:{path}", "a WARC file was given up", f"{path} could not be indexed; "
                         "the dashboard lists it with the reason, `spillwatch index FILE` tries it again")
        existing = [p for p in pending if Path(p).is_file()]
        if existing:
            log.info("indexing %d pending WARC file(s)", len(existing))
            try:
                self._index(existing)
            except Exception:  # the catalog or search backend failed: retried on the next round
                log.exception("indexing pending WARC files failed; retrying in a moment")


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False
