"""The HTTP side of the simulated agency site: one request handler that answers from what the site
holds (:class:`spillwatch.demo.agency_site.AgencySite`), logs every request, answers conditional
requests with 304 and, with ``test_routes``, serves the awkward corners a crawler must survive.

It sees the site through :class:`SiteView` (what it reads of it), so this module does not import the
site back."""

from __future__ import annotations

import hashlib
import html
import time
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from spillwatch.demo.agency_documents import HTML_TYPE, ZIP_TYPE
from spillwatch.demo.agency_pages import NAV, LoggedRequest, Page, Resource


class SiteView(Protocol):
    """What the handler reads of the site."""

    host: str
    port: int
    test_routes: bool
    big_size: int

    def lookup(self, path: str) -> Resource | None: ...

    def paths(self) -> Iterator[str]: ...

    def _log(self, entry: LoggedRequest) -> None: ...


def _big_body(size: int) -> Iterator[bytes]:
    block = hashlib.sha256(b"spillwatch").digest() * 2048  # 64 KiB, incompressible enough
    sent = 0
    while sent < size:
        chunk = block[: min(len(block), size - sent)]
        sent += len(chunk)
        yield chunk


class AgencyHandler(BaseHTTPRequestHandler):
    site: SiteView
    protocol_version = "HTTP/1.1"
    server_version = "AgencyHTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are kept in ``site.requests`` instead."""

    def do_HEAD(self) -> None:
        self._safely(head=True)

    def do_GET(self) -> None:
        self._safely(head=False)

    def _safely(self, head: bool) -> None:
        try:
            self._answer(head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeouts, truncated downloads)

    def _answer(self, head: bool) -> None:
        site = self.site
        parts = urlsplit(self.path)
        path = parts.path or "/"
        site._log(LoggedRequest(self.command, self.path, dict(self.headers.items()), time.time()))
        if site.test_routes and path == "/big/archive.zip":
            self._send_big()
            return
        dynamic = self._dynamic(path, parts.query)
        resource = dynamic if dynamic is not None else site.lookup(path)
        if resource is None:
            self._send(404, HTML_TYPE, b"<html><body><h1>Not found</h1></body></html>", head=head)
            return
        if resource.delay:
            time.sleep(resource.delay)
        if resource.location is not None:
            self.send_response(resource.status)
            self.send_header("Location", resource.location)
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
            self.end_headers()
            if not head:
                self.wfile.write(resource.body)
            return
        if resource.status == 200 and self._not_modified(resource):
            self.send_response(304)
            self.send_header("ETag", resource.etag)
            self.send_header("Last-Modified", formatdate(resource.modified, usegmt=True))
            self.end_headers()
            return
        extra = [("ETag", resource.etag), ("Last-Modified", formatdate(resource.modified, usegmt=True))]
        if resource.gzip_encoded:
            extra.append(("Content-Encoding", "gzip"))
            extra.append(("Vary", "Accept-Encoding"))
        self._send(resource.status, resource.content_type, resource.body, extra, head=head)

    def _dynamic(self, path: str, query: str) -> Resource | None:
        site = self.site
        # absolute URLs follow the Host the client used (127.0.0.1 or localhost)
        base = f"http://{self.headers.get('Host') or f'{site.host}:{site.port}'}"
        if path == "/robots.txt":
            body = f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap.xml\n"
            return Resource(body=body.encode(), content_type="text/plain; charset=utf-8", modified=0)
        if path == "/sitemap.xml":
            locs = "".join(f"<url><loc>{html.escape(base + p)}</loc></url>" for p in site.paths()
                           if not p.startswith(("/private", "/go/", "/redirect-chain", "/big", "/slow")))
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                    f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>\n')
            return Resource(body=body.encode(), content_type="application/xml", modified=0)
        if not site.test_routes:
            return None
        if path == "/calendar/":
            month = parse_qs(query).get("month", ["2022-11"])[0]
            year, _, mon = month.partition("-")
            try:
                index = int(year) * 12 + int(mon) - 1
            except ValueError:
                index = 2022 * 12 + 10
            prev_m, next_m = index - 1, index + 1
            page = Page(title=f"Events in {month}", paragraphs=["No events."], links=[
                (f"/calendar/?month={prev_m // 12:04d}-{prev_m % 12 + 1:02d}", "Previous month"),
                (f"/calendar/?month={next_m // 12:04d}-{next_m % 12 + 1:02d}", "Next month"),
            ], modified=0)
            return Resource(body=page.render(NAV), content_type=HTML_TYPE, modified=0)
        if path == "/go/loopback":
            return Resource(body=b"Moved", content_type="text/plain", status=301,
                            location=f"http://127.0.0.1:{site.port}/private-area/")
        if path == "/go/metadata":
            return Resource(body=b"Moved", content_type="text/plain", status=301,
                            location="http://169.254.169.254/latest/meta-data/")
        return None

    def _send_big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ZIP_TYPE)
        self.send_header("Content-Length", str(self.site.big_size))
        self.end_headers()
        try:
            for chunk in _big_body(self.site.big_size):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _not_modified(self, resource: Resource) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return resource.etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(resource.modified) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, content_type: str, body: bytes,
              extra: list[tuple[str, str]] | None = None, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra or []:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
