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

import csv
import gzip
import hashlib
import html
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

CSV_TYPE = "text/csv; charset=utf-8"
TSV_TYPE = "text/tab-separated-values; charset=utf-8"
JSON_TYPE = "application/json"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
ZIP_TYPE = "application/zip"
HTML_TYPE = "text/html; charset=utf-8"

# Aggregate detention statistics (invented numbers): per country, never per person.
AGGREGATE_ROWS: tuple[tuple[str | int | float, ...], ...] = (
    ("Country", "Book-ins", "Releases", "Average stay (days)"),
    ("Mexico", 11240, 10875, 28.4),
    ("Guatemala", 6120, 5902, 35.1),
    ("Honduras", 5480, 5311, 33.7),
    ("El Salvador", 2210, 2140, 41.2),
    ("Ecuador", 1305, 1260, 30.9),
    ("Total", 26355, 25488, 32.1),
)


@dataclass
class Resource:
    """One URL's current answer."""

    body: bytes
    content_type: str
    status: int = 200
    modified: float = field(default_factory=time.time)
    gzip_encoded: bool = False
    location: str | None = None
    delay: float = 0.0

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


@dataclass
class Page:
    """An HTML page: either generated from title/paragraphs or raw HTML; links can be added."""

    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    raw_html: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    modified: float = field(default_factory=time.time)

    def render(self, nav: list[tuple[str, str]]) -> bytes:
        items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>\n'
                        for href, text in self.links)
        link_list = f'<ul class="links">\n{items}</ul>\n' if self.links else ""
        if self.raw_html is not None:
            marker = self.raw_html.lower().rfind("</body>")
            if marker < 0:
                return (self.raw_html + link_list).encode("utf-8")
            return (self.raw_html[:marker] + link_list + self.raw_html[marker:]).encode("utf-8")
        menu = " | ".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in nav)
        paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in self.paragraphs)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)} | Office of Border Statistics</title></head>\n"
            f"<body><nav>{menu}</nav>\n<main><h1>{html.escape(self.title)}</h1>\n{paragraphs}{link_list}"
            "</main>\n<footer>Office of Border Statistics (a fictitious agency)</footer></body></html>\n"
        ).encode()


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float


NAV = [("/", "Home"), ("/about/", "About"), ("/news/", "News"), ("/statistics/", "Statistics")]


def aggregate_csv(delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows(AGGREGATE_ROWS)
    return out.getvalue().encode("utf-8")


def aggregate_json() -> bytes:
    header, *rows = AGGREGATE_ROWS
    return json.dumps([dict(zip(header, row, strict=True)) for row in rows], indent=1).encode("utf-8")


def aggregate_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "FY2022 by country"
    for row in AGGREGATE_ROWS:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def aggregate_docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("Detention statistics, fiscal year 2022", level=1)
    document.add_paragraph("Aggregate book-ins and releases by country of citizenship.")
    table = document.add_table(rows=0, cols=len(AGGREGATE_ROWS[0]))
    for row in AGGREGATE_ROWS:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def aggregate_ods() -> bytes:
    """A minimal OpenDocument spreadsheet (mimetype first, stored uncompressed, as the spec asks)."""
    rows = "".join(
        "<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{html.escape(str(v))}</text:p>'
            "</table:table-cell>" for v in row) + "</table:table-row>"
        for row in AGGREGATE_ROWS
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="FY2022">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_TYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", (2022, 11, 1, 0, 0, 0)), ODS_TYPE,
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr(zipfile.ZipInfo("content.xml", (2022, 11, 1, 0, 0, 0)), content,
                         compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("META-INF/manifest.xml", (2022, 11, 1, 0, 0, 0)), manifest,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def aggregate_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("fy2022-by-country.csv", (2022, 11, 1, 0, 0, 0)), aggregate_csv())
    return out.getvalue()


def simple_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF with text lines (cross-reference table computed)."""
    text = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
    ) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, obj))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def aggregate_pdf() -> bytes:
    lines = ["Detention statistics, fiscal year 2022 (aggregate)"]
    lines += ["  ".join(str(v) for v in row) for row in AGGREGATE_ROWS]
    return simple_pdf(lines)


RELEASES: tuple[tuple[str, str, str], ...] = (
    ("fy2022-by-country.csv", CSV_TYPE, "FY2022 book-ins by country (CSV)"),
    ("fy2022-by-country.tsv", TSV_TYPE, "FY2022 book-ins by country (TSV)"),
    ("fy2022-by-country.json", JSON_TYPE, "FY2022 book-ins by country (JSON)"),
    ("fy2022-by-country.xlsx", XLSX_TYPE, "FY2022 book-ins by country (Excel)"),
    ("fy2022-by-country.ods", ODS_TYPE, "FY2022 book-ins by country (OpenDocument)"),
    ("fy2022-report.pdf", PDF_TYPE, "FY2022 annual report (PDF)"),
    ("fy2022-report.docx", DOCX_TYPE, "FY2022 annual report (Word)"),
    ("fy2022-all-tables.zip", ZIP_TYPE, "All FY2022 tables (ZIP)"),
)

_RELEASE_BUILDERS = {
    "csv": aggregate_csv,
    "tsv": lambda: aggregate_csv("\t"),
    "json": aggregate_json,
    "xlsx": aggregate_xlsx,
    "ods": aggregate_ods,
    "pdf": aggregate_pdf,
    "docx": aggregate_docx,
    "zip": aggregate_zip,
}


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
        handler = type("AgencyHandler", (_Handler,), {"site": self})
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
            self._resources[path] = Resource(body=_RELEASE_BUILDERS[name.rsplit(".", 1)[1]](),
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


def _big_body(size: int) -> Iterator[bytes]:
    block = hashlib.sha256(b"spillwatch").digest() * 2048  # 64 KiB, incompressible enough
    sent = 0
    while sent < size:
        chunk = block[: min(len(block), size - sent)]
        sent += len(chunk)
        yield chunk


class _Handler(BaseHTTPRequestHandler):
    site: AgencySite
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
