"""Watch-page bursts through the durable fetch queue (:mod:`spillwatch.service.fetches`): the
documents a watch page newly links are queued in the catalog first, then fetched, indexed and
settled (fetched, retried with backoff, or given up with the reason)."""

from __future__ import annotations

import logging
import random
import threading
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from core.config import Config
from core.settings import Settings
from spillwatch.service.state import ServiceState

log = logging.getLogger("spillwatch.service")


class BurstHost(Protocol):
    """What a burst needs of the service (:class:`spillwatch.service.loop.Service` is one), described
    here so that this module does not import the loop back."""

    engine: Engine
    config: Config
    settings: Settings
    stop_event: threading.Event
    state: ServiceState

    def _event(self, name: str, **data: Any) -> None: ...

    def _index(self, paths: list[str], crawl_id: int | None = None) -> Any: ...


class Bursts:
    def __init__(self, service: BurstHost) -> None:
        self.service = service
        self.rng = random.Random()  # jitter of fetch retries

    def queue_documents(self, site_id: str, crawl_id: int, pages: list[str]) -> None:
        """Documents the watch pages link for the first time, and those they link that were never
        captured (a burst lost earlier), into the catalog's fetch queue: durable before any fetch."""
        from spillwatch.service import fetches

        now = datetime.now(UTC)
        with self.service.engine.begin() as conn:
            wanted = fetches.linked_in_crawl(conn, crawl_id, pages) + fetches.requeue_unfetched(conn, site_id, pages)
            queued = fetches.enqueue(conn, site_id, wanted, now)
        if queued:
            log.info("%d newly linked document(s) of %s queued for fetching", queued, site_id)

    def fetch_due(self, site_id: str | None = None) -> bool:
        """Fetch the due documents of one site (``site_id``, or the first due) in a burst; False when
        none was due."""
        from crawler.run import fetch_urls
        from spillwatch.service import fetches

        now = datetime.now(UTC)
        with self.service.engine.begin() as conn:
            batch = fetches.claim(conn, fetches.due(conn, now, site_id=site_id), now)
        if not batch:
            return False
        site_id = batch[0].site_id
        self.service._event("burst", site=site_id, urls=len(batch))
        crawl_id: int | None = None
        error = ""
        self.service.state.current_crawl = f"fetch {site_id}"
        try:
            manifest = fetch_urls(self.service.config, site_id, [f.url for f in batch], catalog=self.service.engine,
                                  stop=self.service.stop_event)
            crawl_id = manifest.crawl_id
            error = manifest.reason if manifest.status != "finished" else ""
            self.service._index(manifest.warc_files, crawl_id=manifest.crawl_id)
        except Exception as exc:  # the rows go back to the queue with why; logged with the traceback
            log.exception("fetching %d document(s) of %s failed", len(batch), site_id)
            error = f"the fetch failed in the service ({exc.__class__.__name__}); see its log"
        finally:
            self.service.state.current_crawl = None
        with self.service.engine.begin() as conn:
            outcome = fetches.settle(conn, batch, crawl_id, error, self.service.settings, datetime.now(UTC), self.rng)
        if outcome["retry"] or outcome["given_up"]:
            log.warning("fetch of %d document(s) of %s: %d fetched, %d to retry, %d given up (%s)", len(batch),
                        site_id, outcome["fetched"], outcome["retry"], outcome["given_up"], error or "not archived")
        return True

