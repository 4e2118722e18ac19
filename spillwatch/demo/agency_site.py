"""A simulated government agency web site served on 127.0.0.1, whose content changes at runtime.

Used by the crawler and indexer tests, the benchmark and the demo (docs/architecture.md §6: real parts in tests).
Only synthetic content: the statistics releases are aggregates made up here, no real people.

    with AgencySite() as site:             # starts on an ephemeral port
        site.base_url                      # http://127.0.0.1:PORT
        site.publish("/statistics/releases/detainees.xlsx", data,
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        site.unpublish("/statistics/releases/detainees.xlsx")   # 404 and link removed

Every resource has an ETag and a Last-Modified header and answers conditional requests with 304.
``AgencySite(test_routes=True)`` adds the awkward corners a crawler must survive (redirect chain,
gzip-encoded page, 404/500, slow and over-size responses, a robots.txt-disallowed area, a page only
listed in the sitemap, a calendar trap, redirects to loopback and cloud-metadata addresses), linked
from ``/test-routes/``.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from types import TracebackType

from spillwatch.demo.agency_documents import HTML_TYPE, RELEASE_BUILDERS, RELEASES
from spillwatch.demo.agency_http import AgencyHandler
from spillwatch.demo.agency_pages import NAV, LoggedRequest, Page, Resource


class AgencySite:
    """The simulated site; thread-safe; start/stop or use as a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        test_routes: bool = False,
        slow_seconds: float = 3.0,
        big_size: int = 3_000_000,
        default_pages: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.test_routes = test_routes
        self.slow_seconds = slow_seconds
        self.big_size = big_size
        self.requests: list[LoggedRequest] = []
        self._pages: dict[str, Page] = {}
        self._resources: dict[str, Resource] = {}
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        if default_pages:
            self._add_default_pages()
        if test_routes:
            self._add_test_routes()

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving in a background thread; returns the base URL (no trailing slash)."""
        if self._server is not None:
            return self.base_url
        handler = type("AgencyHandler", (AgencyHandler,), {"site": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="agency-site", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> AgencySite:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- content ---------------------------------------------------------------------------------

    def publish(self, path: str, body: bytes, content_type: str, link_from: str | None = "/statistics/",
                link_text: str | None = None) -> str:
        """Serve ``body`` at ``path`` and (unless ``link_from`` is None) link to it from that page.

        Returns the absolute URL of the document."""
        with self._lock:
            self._resources[path] = Resource(body=body, content_type=content_type)
            if link_from is not None:
                page = self._pages.setdefault(link_from, Page(title=link_from.strip("/") or "Home"))
                if not any(href == path for href, _ in page.links):
                    page.links.append((path, link_text or path.rsplit("/", 1)[-1]))
                    page.modified = time.time()
        return self.url(path)

    def unpublish(self, path: str) -> None:
        """Remove a document or page: 404 from now on, and every link to it disappears."""
        with self._lock:
            self._resources.pop(path, None)
            self._pages.pop(path, None)
            for page in self._pages.values():
                kept = [(href, text) for href, text in page.links if href != path]
                if len(kept) != len(page.links):
                    page.links = kept
                    page.modified = time.time()

    def set_page(self, path: str, html_text: str) -> str:
        """Serve raw HTML at ``path`` (links added with ``publish`` are inserted before </body>)."""
        with self._lock:
            existing = self._pages.get(path)
            links = existing.links if existing else []
            self._pages[path] = Page(raw_html=html_text, links=links)
        return self.url(path)

    def add_link(self, page_path: str, href: str, text: str) -> None:
        with self._lock:
            page = self._pages.setdefault(page_path, Page(title=page_path.strip("/") or "Home"))
            page.links.append((href, text))
            page.modified = time.time()

    def set_resource(self, path: str, resource: Resource) -> None:
        with self._lock:
            self._resources[path] = resource

    def requests_for(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def paths(self) -> Iterator[str]:
        with self._lock:
            return iter(sorted(set(self._pages) | set(self._resources)))

    # -- answering -------------------------------------------------------------------------------

    def lookup(self, path: str) -> Resource | None:
        with self._lock:
            page = self._pages.get(path)
            if page is not None:
                return Resource(body=page.render(NAV), content_type=HTML_TYPE, modified=page.modified)
            return self._resources.get(path)

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def _add_default_pages(self) -> None:
        self._pages["/"] = Page(
            title="Office of Border Statistics",
            paragraphs=["We publish monthly and yearly statistics on border enforcement and detention.",
                        "All figures are aggregates."],
            links=[("/about/", "About us"), ("/news/", "News"), ("/statistics/", "Statistics")],
        )
        self._pages["/about/"] = Page(
            title="About the Office",
            paragraphs=["The Office of Border Statistics is a fictitious agency used to test Spillwatch.",
                        "Contact: press office, 1 Example Plaza."],
        )
        self._pages["/news/"] = Page(
            title="News",
            paragraphs=["Press releases of the Office."],
            links=[("/news/2022-11-01-fy2022-statistics.html", "FY2022 statistics released"),
                   ("/news/2022-10-03-new-website.html", "Our new website")],
        )
        self._pages["/news/2022-11-01-fy2022-statistics.html"] = Page(
            title="FY2022 statistics released",
            paragraphs=["The yearly detention statistics for fiscal year 2022 are now online."],
            links=[("/statistics/", "Go to the statistics")],
        )
        self._pages["/news/2022-10-03-new-website.html"] = Page(
            title="Our new website", paragraphs=["We redesigned our website."])
        statistics = Page(
            title="Detention statistics",
            paragraphs=["Yearly releases of aggregate detention statistics by country of citizenship."],
        )
        for name, content_type, text in RELEASES:
            path = f"/statistics/releases/{name}"
            self._resources[path] = Resource(body=RELEASE_BUILDERS[name.rsplit(".", 1)[1]](),
                                             content_type=content_type)
            statistics.links.append((path, text))
        self._pages["/statistics/"] = statistics

    def _add_test_routes(self) -> None:
        links = [
            ("/redirect-chain/1", "Old link (301 chain)"),
            ("/gzip/report.html", "Compressed page"),
            ("/missing/page.html", "A page that is gone (404)"),
            ("/broken/", "A page that fails (500)"),
            ("/slow/", "A slow page"),
            ("/big/archive.zip", "A very large file"),
            ("/private/internal.html", "Disallowed by robots.txt"),
            ("/calendar/?month=2022-11", "Events calendar"),
            ("/go/loopback", "Redirect to a loopback address"),
            ("/go/metadata", "Redirect to the cloud metadata address"),
        ]
        self._pages["/test-routes/"] = Page(title="Test routes", links=links)
        self._pages["/"].links.append(("/test-routes/", "Test routes"))
        for step in (1, 2):
            self._resources[f"/redirect-chain/{step}"] = Resource(
                body=b"Moved", content_type="text/plain", status=301, location=f"/redirect-chain/{step + 1}")
        self._resources["/redirect-chain/3"] = Resource(body=b"Moved", content_type="text/plain", status=301,
                                                        location="/about/")
        page = Page(title="Compressed annual report", paragraphs=["This page is sent gzip-encoded."])
        self._resources["/gzip/report.html"] = Resource(
            body=gzip.compress(page.render(NAV), mtime=0), content_type=HTML_TYPE, gzip_encoded=True)
        self._resources["/broken/"] = Resource(body=b"<h1>Internal error</h1>", content_type=HTML_TYPE,
                                               status=500)
        self._resources["/slow/"] = Resource(body=b"<html><body>slow</body></html>", content_type=HTML_TYPE,
                                             delay=self.slow_seconds)
        self._pages["/private/internal.html"] = Page(title="Internal", paragraphs=["Not for crawlers."])
        self._pages["/sitemap-only/hidden-release.html"] = Page(
            title="Release listed only in the sitemap", paragraphs=["Linked from nowhere."])
        self._pages["/private-area/"] = Page(title="Private area", paragraphs=["Must never be fetched."])
