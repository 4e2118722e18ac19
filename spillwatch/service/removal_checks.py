"""The removal watch in the service (docs/disclosure.md "Removal watch"): due checks of incidents'
files and linking pages are fetched through the watch fetch path (a burst: the crawler's
``fetch_urls``, so each check is an archived capture), indexed, and read by
:func:`disclosure.removal_watch.evaluate`.  Run by the crawl worker between crawls, like bursts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from spillwatch.service.bursts import BurstHost

log = logging.getLogger("spillwatch.service")


class RemovalChecks:
    def __init__(self, service: BurstHost) -> None:
        self.service = service

    def refresh_contacts(self, site_id: str) -> None:
        """After a full crawl: the contacts of the site's security.txt (:mod:`disclosure.contacts`)."""
        from disclosure.contacts import refresh

        with self.service.engine.begin() as conn:
            refresh(conn, self.service.config.site(site_id), datetime.now(UTC))

    def check_due(self) -> bool:
        """Check the due watches of one site; False when none was due."""
        from crawler.run import fetch_urls
        from disclosure import removal_watch

        now = datetime.now(UTC)
        with self.service.engine.begin() as conn:
            removal_watch.sync(conn, self.service.settings, now)
            batch = removal_watch.due(conn, now)
            removal_watch.claim(conn, batch, now)
        if not batch:
            return False
        site_id = batch[0].site_id
        urls = list(dict.fromkeys(u for w in batch for u in (w.url, w.page_url) if u))
        error = ""
        self.service._event("removal_check", site=site_id, urls=len(urls))
        if site_id is None or all(site.id != site_id for site in self.service.config.sites):
            error = f"site {site_id!r} is not in the config any more; the watch cannot fetch"
        else:
            self.service.state.current_crawl = f"removal check {site_id}"
            try:
                manifest = fetch_urls(self.service.config, site_id, urls, catalog=self.service.engine,
                                      stop=self.service.stop_event)
                error = manifest.reason if manifest.status != "finished" else ""
                self.service._index(manifest.warc_files, crawl_id=manifest.crawl_id)
            except Exception as exc:  # recorded on the watch and retried at the next interval; logged with traceback
                log.exception("removal check of %d URL(s) of %s failed", len(urls), site_id)
                error = f"the check failed in the service ({exc.__class__.__name__}); see its log"
            finally:
                self.service.state.current_crawl = None
        removed: list[int] = []
        with self.service.engine.begin() as conn:
            for watch in batch:
                changed = removal_watch.evaluate(conn, watch.id, datetime.now(UTC), error)
                if changed:
                    log.info("incident %d: %s", watch.incident_id, ", ".join(sorted(changed)))
                    self.service._event("removal_watch", incident=watch.incident_id, **changed)
                if "removed_at" in changed:
                    removed.append(watch.incident_id)
        if removed and self.service.config.disclosure.mirrors:
            self._sweep(removed)  # gone from the site: now the copies elsewhere matter
        return True

    def _sweep(self, incident_ids: list[int]) -> None:
        from core.catalog.incidents import get_incident
        from disclosure.actions import sweep

        for incident_id in incident_ids:
            with self.service.engine.begin() as conn:
                incident = get_incident(conn, incident_id)
                if incident is not None:
                    sweep(conn, self.service.config, incident, None)
