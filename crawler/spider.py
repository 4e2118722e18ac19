"""The one generic spider: a site entry (as a :class:`crawler.job.CrawlJob`) drives it.

Follows links within scope breadth-first up to ``max_depth`` hops and ``max_pages`` URLs, reads
sitemaps (named in robots.txt, and ``/sitemap.xml``), and skips crawler traps.  Every fetch is
recorded by the WARC writer extension whatever happens here; the spider only decides what to fetch
next.  A ``304`` page is crawled through with the links remembered from its last full capture.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from sqlalchemy.exc import SQLAlchemyError
from twisted.python.failure import Failure

from crawler.dedup import UNCONDITIONAL, DedupState, catalog_previous
from crawler.egress import is_egress_refusal
from crawler.job import CrawlJob
from crawler.render_capture import CAPTURE, RENDER_PAGE, PageCapture
from crawler.render_rules import needs_render, urls_in_json
from crawler.scope import Scope, link_kind
from crawler.traps import TrapGuard

if TYPE_CHECKING:
    from crawler.render import RenderSession

logger = logging.getLogger(__name__)

DEPTH = "spillwatch_depth"
MAX_SITEMAPS = 50
SECURITY_TXT = "/.well-known/security.txt"  # RFC 9116


class SiteSpider(Spider):
    name = "spillwatch"

    def __init__(self, job: CrawlJob, state: DedupState | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job = job
        self.allowed_domains = list(job.allowed_domains)
        self.scope = Scope(job.allowed_domains, job.include, job.exclude, job.follow_types)
        self.traps = TrapGuard(job.max_url_length, job.max_repeated_segments, job.max_query_variants)
        self.state = state
        self.seen: set[str] = set()
        self.scheduled = 0
        self.sitemaps_seen: set[str] = set()
        self._limit_logged = False
        self.render: RenderSession | None = None  # set in start() for render: browser / auto

    # -- start -----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.state is None:
            self.state = self._open_state()
        if self.job.render != "plain":
            from crawler.render import RenderSession  # Playwright: loaded by rendering crawls only

            self.render = RenderSession(self.job)
            stats = self.crawler.stats
            assert stats is not None
            self.render.guard.on_refuse = lambda url: stats.inc_value("spillwatch/egress_denied")
        if not self.job.obey_robots:
            logger.warning("site %s opts out of robots.txt (obey_robots: false); robots.txt is ignored",
                           self.job.site_id or self.job.seeds[0])
        for seed in self.job.seeds:
            request = self._request(seed, 0, seed=True)
            if request is not None:
                yield request
        origins = sorted({f"{urlsplit(s).scheme}://{urlsplit(s).netloc}" for s in self.job.seeds})
        if self.job.max_depth > 0:  # full crawls archive each host's RFC 9116 security.txt (docs/disclosure.md)
            for origin in origins:
                yield Request(origin + SECURITY_TXT, callback=self.parse_security_txt, errback=self.failed,
                              meta={UNCONDITIONAL: True})
        if self.job.sitemaps and self.job.max_depth > 0:
            for origin in origins:
                yield Request(origin + "/robots.txt", callback=self.parse_robots, errback=self.failed,
                              meta={UNCONDITIONAL: True})
                for request in self._sitemap_request(origin + "/sitemap.xml"):
                    yield request

    def _open_state(self) -> DedupState:
        catalog_rows = {}
        if self.job.catalog_url and self.job.site_id:
            try:
                catalog_rows = catalog_previous(self.job.catalog_url, self.job.site_id)
            except SQLAlchemyError as exc:
                logger.warning("cannot read earlier captures from the catalog (%s); deduplicating "
                               "against this folder's state only", exc.__class__.__name__)
        state = DedupState(self.job.state_path, catalog_rows)
        logger.info("dedup state: %d URLs known from earlier crawls", len(state))
        return state

    def closed(self, reason: str) -> None:
        if self.state is not None:
            self.state.close()
        for trap, count in self.traps.tripped.items():
            logger.info("crawler-trap guard %s skipped %d URLs", trap, count)

    # -- callbacks -------------------------------------------------------------------------------

    def parse(self, response: Response) -> Iterator[Request]:
        stats = self.crawler.stats
        assert stats is not None
        if response.status >= 400:
            stats.inc_value("spillwatch/errors")
            stats.inc_value(f"spillwatch/http_{response.status}")
            logger.info("%s: HTTP %d", response.url, response.status)
            return
        stats.inc_value("spillwatch/pages")
        depth = int(response.meta.get(DEPTH, 0))
        rendered = self._render(response, depth)
        if rendered is not None:
            yield rendered
        links = self._links(response)
        if links is None or depth >= self.job.max_depth:
            return
        for url in links:
            request = self._request(url, depth + 1)
            if request is not None:
                yield request

    def parse_rendered(self, response: Response) -> Iterator[Request]:
        """A page as the browser rendered it: links of its DOM and document URLs of its JSON answers."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("spillwatch/rendered")
        capture: PageCapture = response.meta[CAPTURE]
        stats.inc_value("spillwatch/browser_requests", len(capture.exchanges))
        depth = int(response.meta.get(DEPTH, 0))
        if depth >= self.job.max_depth or not isinstance(response, TextResponse):
            return
        try:
            extracted = LinkExtractor(deny_extensions=[], unique=True).extract_links(response)
        except (ValueError, UnicodeError, AttributeError) as exc:
            logger.warning("%s: cannot extract links of the rendered page (%s)", response.url, exc)
            extracted = []
        urls = [urldefrag(link.url)[0] for link in extracted]
        for exchange in capture.exchanges:
            if "json" in exchange.content_type.lower() and 200 <= exchange.status < 300:
                urls.extend(urls_in_json(exchange.body, response.url))
        for url in dict.fromkeys(urls):
            request = self._request(url, depth + 1)
            if request is not None:
                yield request

    def parse_security_txt(self, response: Response) -> Iterator[Request]:
        """Archived only: the disclosure package reads the capture from the catalog (a 404 is normal)."""
        return iter(())

    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield from self._sitemap_request(url)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError):
                logger.warning("%s: broken gzip sitemap; skipped", response.url)
                return
        try:
            sitemap = Sitemap(body)
        except (ValueError, TypeError):
            logger.warning("%s: not a sitemap; skipped", response.url)
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield from self._sitemap_request(loc)
            elif sitemap.type == "urlset":
                request = self._request(loc, 1)
                if request is not None:
                    yield request

    def failed(self, failure: Failure) -> None:
        stats = self.crawler.stats
        assert stats is not None
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        message = failure.getErrorMessage()
        if request is not None and request.meta.get("playwright"):
            stats.inc_value("spillwatch/render_errors")
            message = f"rendering failed (the page as fetched is archived): {message.splitlines()[0]}"
        if is_egress_refusal(failure):
            stats.inc_value("spillwatch/egress_denied")
        stats.inc_value("spillwatch/errors")
        logger.warning("%s: %s: %s", url, failure.type.__name__ if failure.type else "error", message)

    # -- helpers ---------------------------------------------------------------------------------

    def _render(self, response: Response, depth: int) -> Request | None:
        """The rendered request for a fetched page, when its site (or ``render: auto``'s rule) wants one."""
        if self.render is None or response.meta.get("playwright"):
            return None
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        wanted = (self.job.render == "browser" and response.status == 304) or (
            response.status == 200 and needs_render(self.job.render, response.body, content_type))
        if not wanted:
            return None
        return self.render.request(response, self.parse_rendered, self.failed, {DEPTH: depth})

    def _links(self, response: Response) -> list[str] | None:
        """Links of an HTML page (remembered for 304s); None for documents."""
        if response.status == 304:
            previous = self.state.lookup(response.url) if self.state is not None else None
            return list(previous.links or ()) if previous is not None else None
        content_type = response.headers.get(b"Content-Type") or b"text/html"
        if not isinstance(response, TextResponse) or b"html" not in content_type.lower():
            return None
        try:
            extracted = LinkExtractor(deny_extensions=[], unique=True).extract_links(response)
        except (ValueError, UnicodeError, AttributeError) as exc:
            logger.warning("%s: cannot extract links (%s); page kept, links skipped", response.url, exc)
            return None
        links = list(dict.fromkeys(urldefrag(link.url)[0] for link in extracted))
        if self.state is not None and response.status == 200:
            self.state.set_links(response.url, links)
        return links

    def _request(self, url: str, depth: int, *, seed: bool = False) -> Request | None:
        url = urldefrag(url)[0]
        if url in self.seen:
            return None
        if self.scope.why_not(url, seed=seed):
            return None
        if not seed and self.traps.check(url):
            return None
        if self.scheduled >= self.job.max_pages:
            if not self._limit_logged:
                logger.info("max_pages (%d) reached; no more URLs scheduled", self.job.max_pages)
                self._limit_logged = True
            return None
        self.seen.add(url)
        self.scheduled += 1
        meta: dict[str, Any] = {DEPTH: depth}
        if self.render is not None and link_kind(url) == "html":
            # a page to render needs its bytes (the browser is served them): no 304 for unchanged HTML,
            # and a full response record (readers find its rendered DOM after it)
            meta[UNCONDITIONAL] = meta[RENDER_PAGE] = True
        return Request(url, callback=self.parse, errback=self.failed, meta=meta)

    def _sitemap_request(self, url: str) -> Iterator[Request]:
        if url in self.sitemaps_seen or len(self.sitemaps_seen) >= MAX_SITEMAPS:
            return
        if self.scope.why_not(url, seed=True):
            return
        self.sitemaps_seen.add(url)
        yield Request(url, callback=self.parse_sitemap, errback=self.failed, meta={UNCONDITIONAL: True})
