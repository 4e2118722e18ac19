"""The job functions: what a worker does for each kind of job.

Each calls the functions ``spillwatch run`` calls in-process (``crawler.run.crawl_site`` /
``fetch_urls``, ``indexer.pipeline.index_paths``, the burst code of :mod:`spillwatch.service.bursts`,
``alerts.dispatcher.Dispatcher.run_once``, ``indexer.purge.purge_due``), and each is idempotent under
redelivery (a worker killed after the work but before the acknowledgement): running a job twice
changes nothing more.  How, job by job:

- crawl: the catalog's crawl row says whether the crawl is still to run (``queued``, or ``running``
  when the worker running it died: it is run again, its WARC files repaired and kept) or done (then
  only its files are published and handed on again);
- index: re-indexing a WARC file changes nothing (docs/architecture.md §3: the catalog's
  ``warc_files`` rows and capture keys);
- burst: rows of the fetch queue are claimed in the catalog; rows left ``fetching`` by a dead
  worker go back to the queue first (the per-site lock guarantees no other burst of the site runs);
- dispatch: deliveries carry idempotency keys; an alert is sent at least once (docs/alerts.md).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from core.catalog import schema as s
from spillwatch.jobs.host import WorkerHost

log = logging.getLogger("spillwatch.jobs")


@dataclass
class CrawlOutcome:
    crawl_id: int
    status: str
    to_index: list[str] = field(default_factory=list)  # WARC files for index jobs
    burst_sites: list[str] = field(default_factory=list)  # sites with newly linked documents queued


def crawl_request(host: WorkerHost, crawl_id: int) -> CrawlOutcome:
    """Run the queued crawl ``crawl_id`` (unless it already ran), publish its WARC files."""
    from crawler.run import crawl_site, fetch_urls
    from spillwatch.service.bursts import Bursts

    with host.engine.connect() as conn:
        row = conn.execute(select(s.crawls).where(s.crawls.c.id == crawl_id)).mappings().first()
    if row is None:
        log.warning("crawl request %d is no longer in the catalog; nothing to do", crawl_id)
        return CrawlOutcome(crawl_id, "missing")
    site_id, kind = str(row["site_id"]), str(row["kind"])
    seeds = _seeds(row["message"]) if row["status"] in ("queued", "running") else []
    status = str(row["status"])
    if row["status"] in ("queued", "running"):
        if kind == "watch" and seeds:
            manifest = fetch_urls(host.config, site_id, seeds, catalog=host.engine, crawl_id=crawl_id,
                                  stop=host.stop_event)
        else:
            manifest = crawl_site(host.config, site_id, catalog=host.engine, crawl_id=crawl_id, stop=host.stop_event)
        status = manifest.status
        host.state.crawls_run += 1
        if manifest.status == "failed":
            log.error("%s crawl of %s failed: %s", kind, site_id, manifest.reason)
    paths = unindexed_files(host, crawl_id)
    for path in paths:  # idempotent: a redelivered job uploads the same files again
        host.store.publish(Path(path))
    if kind != "watch":
        return CrawlOutcome(crawl_id, status, to_index=paths)
    # a watch poll is indexed at once: the documents it links for the first time are known only then
    host._index(paths, crawl_id=crawl_id)
    pages = seeds or _seeds(row["message"])
    Bursts(host).queue_documents(site_id, crawl_id, pages)
    return CrawlOutcome(crawl_id, status, burst_sites=[site_id])


def unindexed_files(host: WorkerHost, crawl_id: int) -> list[str]:
    """The crawl's WARC files not yet indexed (repaired files of an interrupted run included)."""
    with host.engine.connect() as conn:
        return list(conn.execute(select(s.warc_files.c.path).where(
            s.warc_files.c.crawl_id == crawl_id, s.warc_files.c.status.in_(("pending", "indexing")))
            .order_by(s.warc_files.c.id)).scalars())


def index_warc(host: WorkerHost, path: str, crawl_id: int | None = None) -> int:
    """Index one WARC file (streamed down from the store first when it is not on this machine);
    returns the number of findings this run recorded."""
    summary = host._index([path], crawl_id=crawl_id)
    if summary.files_failed:  # recorded on the file's row; the job is retried, the file given up in the end
        why = "; ".join(str(p.message) for p in summary.problems[:3]) or "see the worker's log"
        raise IndexFailed(f"{path}: indexing stopped ({why}); the job is retried")
    return int(summary.findings)


class IndexFailed(RuntimeError):
    """An index run stopped on a file (the catalog or search backend failed): retried by the queue."""


def burst(host: WorkerHost, site_id: str) -> bool:
    """Fetch one batch of ``site_id``'s due documents; True when one was fetched (more may be due)."""
    from spillwatch.service.bursts import Bursts

    now = datetime.now(UTC)
    with host.engine.begin() as conn:  # left mid-fetch by a dead worker (no other burst of the site runs)
        conn.execute(update(s.fetches).where(s.fetches.c.site_id == site_id, s.fetches.c.status == "fetching")
                     .values(status="queued", next_attempt_at=now, updated_at=now,
                             last_error="interrupted: the worker stopped while it was fetched"))
    return Bursts(host).fetch_due(site_id)


def dispatch(host: WorkerHost) -> int:
    """Plan finding events into deliveries and send what is due; returns how many were handled."""
    dispatcher = host.dispatcher()
    try:
        return int(dispatcher.run_once().handled)
    finally:
        dispatcher.close()


def maintenance(host: WorkerHost) -> list[str]:
    """Give up WARC files that keep failing, purge closed findings past ``purge_closed_after``;
    returns the paths given up."""
    from indexer.purge import purge_due
    from indexer.warc_files import give_up_stalled

    with host.engine.begin() as conn:
        given_up = give_up_stalled(conn, int(host.settings.index_max_attempts))
    for path in given_up:
        log.error("%s: not indexed, given up; the dashboard says why", path)
    if host.settings.purge_closed_after > 0:
        with host.index_lock:
            purge_due(host.engine, host.search, host.settings.data_path, host.settings.purge_closed_after)
    return given_up


def _seeds(message: str | None) -> list[str]:
    try:
        return [str(u) for u in json.loads(message or "{}").get("seeds", [])]
    except (ValueError, AttributeError):
        return []
