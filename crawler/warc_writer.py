"""WARC writer extension (docs/architecture.md §3 "WARC"): a request and a response record for every fetch.

Connected to Scrapy's ``response_downloaded`` signal, which fires as the download handler returns,
before any downloader middleware: redirects are recorded hop by hop, and bodies are exactly as
received (a ``Content-Encoding: gzip`` body is stored gzipped, with its header), not as decoded by
``HttpCompressionMiddleware``.

Unchanged payloads become ``revisit`` records (profile identical-payload-digest, refers to the last
full capture); ``304`` answers to conditional requests become ``revisit`` records with profile
server-not-modified carrying the previous payload digest.  Bodies cut at ``max_response_size`` get
``WARC-Truncated: length``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import platform
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import scrapy
import warcio
from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from core import __version__
from crawler.dedup import GONE, DedupState, Previous, warc_date
from crawler.limits import TRUNCATED
from crawler.render_archive import rendered_records
from crawler.render_capture import CAPTURE, RENDER_PAGE
from crawler.warc_files import WarcFiles

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

WRITE_ERROR_REASON = "warc_write_error"  # Scrapy close reason; crawler.run makes it a failed crawl
WRITE_ERROR_STAT = "spillwatch/warc_write_error"
NOT_ARCHIVED_STAT = "spillwatch/not_archived"
MAX_LISTED = 1000
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# Transport framing Twisted has already removed: kept under another name so readers do not try to
# de-chunk the stored (de-chunked) payload.
RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}


def payload_digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _headers(raw: object) -> list[tuple[str, str]]:
    """Every header value, in order, as latin-1 text (what HTTP/1.1 puts on the wire)."""
    pairs: list[tuple[str, str]] = []
    for name, values in raw.items():  # type: ignore[attr-defined]
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        key = RENAMED_HEADERS.get(key.lower(), key)
        for value in values if isinstance(values, list) else [values]:
            pairs.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return pairs


class WarcWriterExtension:
    def __init__(self, crawler: Crawler, files: WarcFiles, max_size: int) -> None:
        self.crawler = crawler
        self.files = files
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriterExtension:
        settings = crawler.settings
        if not settings.getbool("SPILLWATCH_WARC_ENABLED", True):
            raise NotConfigured("SPILLWATCH_WARC_ENABLED is off: no WARC files written")
        directory = settings.get("SPILLWATCH_WARC_DIR")
        if not directory:
            raise NotConfigured("SPILLWATCH_WARC_DIR not set")
        info = {
            "software": f"Spillwatch/{__version__} (Scrapy {scrapy.__version__}, warcio "
                        f"{getattr(warcio, '__version__', '1.x')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": platform.node(),
            "isPartOf": settings.get("SPILLWATCH_CRAWL_NAME"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "description": f"Spillwatch crawl of {settings.get('SPILLWATCH_SITE_ID') or 'an ad-hoc URL'}",
        }
        if settings.get("SPILLWATCH_RENDER", "plain") != "plain":
            # read by the indexer (indexer/rendered.py): this file may hold urn:rendered-dom: records
            info["spillwatch-render"] = settings.get("SPILLWATCH_RENDER")
        files = WarcFiles(Path(directory), settings.get("SPILLWATCH_CRAWL_NAME"),
                          settings.getint("SPILLWATCH_WARC_ROTATE_SIZE"),
                          lambda name: {**info, "filename": name})
        ext = cls(crawler, files, settings.getint("SPILLWATCH_MAX_RESPONSE_SIZE"))
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        assert self.crawler.stats is not None
        try:
            self.files.close()
        except OSError as exc:  # recorded: the crawl fails with it (crawler.run), never "finished"
            self._write_failed(exc, None)
            for url in self.files.lost_urls:  # queued behind a large record when the disk filled up
                self._not_archived(url)
        finally:
            self.crawler.stats.set_value("spillwatch/warc_bytes", self.files.bytes_written)

    def _write_failed(self, exc: OSError, url: str | None) -> None:
        """A WARC write error (disk full…): counted as an error, its message kept in the stats for
        the crawl's manifest and catalog row, and the URL listed as not archived."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("spillwatch/errors")
        stats.inc_value("spillwatch/warc_write_errors")
        if not stats.get_value(WRITE_ERROR_STAT):
            stats.set_value(WRITE_ERROR_STAT, f"cannot write the WARC file in {self.files.directory}: "
                                              f"{exc.strerror or exc.__class__.__name__}")
        if url is not None:
            self._not_archived(url)
        logger.error("cannot write WARC record%s: %s", f" for {url}" if url else "", exc)

    def _not_archived(self, url: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        state: DedupState | None = getattr(self.crawler.spider, "state", None)
        if state is not None:  # recorded when queued for writing: the next crawl must not get a 304
            state.forget([url])
        lost = stats.get_value(NOT_ARCHIVED_STAT) or []
        if url not in lost and len(lost) < MAX_LISTED:
            stats.set_value(NOT_ARCHIVED_STAT, [*lost, url])

    def response_downloaded(self, response: Response, request: Request, spider: Spider | None = None) -> None:
        try:
            self.record(response, request)
        except OSError as exc:
            self._write_failed(exc, request.url)
            logger.error("stopping the crawl: its responses cannot be archived")
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=WRITE_ERROR_REASON))
        except (ValueError, UnicodeError, TypeError, AttributeError):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("spillwatch/warc_errors")
            logger.exception("cannot record %s in the WARC file; skipped, the crawl goes on", request.url)

    def record(self, response: Response, request: Request) -> None:
        stats = self.crawler.stats
        assert stats is not None
        if CAPTURE in request.meta:  # a rendered page: the browser's requests, its DOM and screenshot
            records = rendered_records(self.files.builder, request.meta[CAPTURE], response.body,
                                       warc_date(datetime.now(UTC)), self.max_size, payload_digest)
            self.files.write(records)
            stats.inc_value("spillwatch/warc_records", len(records))
            stats.set_value("spillwatch/warc_bytes", self.files.bytes_written)
            return
        state: DedupState | None = getattr(self.crawler.spider, "state", None)
        url = response.url
        now = datetime.now(UTC)
        date = warc_date(now)
        body = response.body
        truncated = bool(request.meta.get(TRUNCATED)) or "download_stopped" in response.flags
        if self.max_size and len(body) > self.max_size:
            body = body[: self.max_size]
            truncated = True
        digest = payload_digest(body)
        common = {"WARC-Date": date}
        if response.ip_address is not None:
            common["WARC-IP-Address"] = str(response.ip_address)
        header_list = _headers(response.headers)
        first: dict[str, str] = {}
        for name, value in header_list:
            first.setdefault(name.lower(), value)
        etag, modified = first.get("etag"), first.get("last-modified")
        http = StatusAndHeaders(
            f"{response.status} {_reason(response.status)}".strip(), header_list,
            protocol=response.protocol or "HTTP/1.1")
        previous = state.lookup(url) if state is not None else None
        content_type = first.get("content-type", "")
        builder = self.files.builder
        remember: Previous | None = None
        if previous is not None and response.status == 200 and not truncated \
                and previous.payload_digest == digest and not request.meta.get(RENDER_PAGE):
            main = self._revisit(url, IDENTICAL_PAYLOAD, previous, http, common)
            stats.inc_value("spillwatch/revisits")
        elif previous is not None and response.status == 304:
            main = self._revisit(url, SERVER_NOT_MODIFIED, previous, http, common)
            stats.inc_value("spillwatch/not_modified")
        else:
            headers = dict(common, **{"WARC-Payload-Digest": digest})
            if truncated:
                headers["WARC-Truncated"] = "length"
            main = builder.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                              http_headers=http, warc_headers_dict=headers)
            if response.status == 200 and not truncated and state is not None:
                remember = Previous(
                    url, digest, date, etag, modified, content_type,
                    previous.links if previous is not None and previous.payload_digest == digest else None)
        req = self._request_record(request, url, common, main)
        self.files.write([main, req])
        if remember is not None and state is not None:
            # only once written: a capture that never reached the disk must not become the
            # "previous" one (the next poll would get a 304 and never archive it)
            state.record(remember)
        elif response.status in GONE and state is not None and previous is not None:
            # gone: the next fetch must not ask for a 304 against the removed copy, or a file put
            # back unchanged would answer 304 and never be archived as back (docs/disclosure.md)
            state.forget([url])
        stats.inc_value("spillwatch/warc_records", 2)
        stats.set_value("spillwatch/warc_bytes", self.files.bytes_written)
        if previous is not None and state is not None and main.rec_type == "revisit":
            # validators may have changed even though the payload did not
            if (etag or modified) and (etag, modified) != (previous.etag, previous.last_modified):
                state.record(Previous(previous.url, previous.payload_digest, previous.captured_at,
                                      etag or previous.etag, modified or previous.last_modified,
                                      previous.media_type, previous.links))

    def _revisit(self, url: str, profile: str, previous: Previous, http: StatusAndHeaders,
                 common: dict[str, str]) -> ArcWarcRecord:
        record = self.files.builder.create_revisit_record(
            url, previous.payload_digest, previous.url, previous.captured_at, http_headers=http,
            warc_headers_dict=dict(common))
        record.rec_headers.replace_header("WARC-Profile", profile)
        return record

    def _request_record(self, request: Request, url: str, common: dict[str, str],
                        main: ArcWarcRecord) -> ArcWarcRecord:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = _headers(request.headers)
        if not any(name.lower() == "host" for name, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        http = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
        warc_headers = dict(common)
        warc_headers["WARC-Concurrent-To"] = main.rec_headers.get_header("WARC-Record-ID")
        return self.files.builder.create_warc_record(
            url, "request", payload=io.BytesIO(request.body), length=len(request.body), http_headers=http,
            warc_headers_dict=warc_headers)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
