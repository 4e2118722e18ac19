"""Maximum response size: larger bodies are cut, kept and marked truncated, never silently dropped.

Scrapy's own ``DOWNLOAD_MAXSIZE`` cancels the download and loses what arrived; this extension stops
the download instead (``StopDownload(fail=False)``), so the WARC writer stores the first
``max_response_size`` bytes with ``WARC-Truncated: length``.

With ``DOWNLOAD_MAXSIZE`` off, Scrapy's decompression would have no bomb guard either:
:class:`BoundedDecompressionMiddleware` gives it ``max_response_size`` as its limit.  Only what the
spider parses is decompressed; the WARC keeps the compressed bytes as received.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Response

from core.encodings import decode_body

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# not zstd: pywb, cdxj-indexer and the replay tools of the day cannot read zstd bodies in a WARC
ACCEPT_ENCODING = b"gzip, deflate, br"
RECEIVED = "spillwatch_received"
TRUNCATED = "spillwatch_truncated"


class ResponseSizeLimit:
    def __init__(self, crawler: Crawler, max_size: int) -> None:
        self.crawler = crawler
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseSizeLimit:
        max_size = crawler.settings.getint("SPILLWATCH_MAX_RESPONSE_SIZE")
        if max_size <= 0:
            raise NotConfigured("SPILLWATCH_MAX_RESPONSE_SIZE is 0: no response size limit")
        ext = cls(crawler, max_size)
        crawler.signals.connect(ext.bytes_received, signal=signals.bytes_received)
        return ext

    def bytes_received(self, data: bytes, request: Request, spider: object = None) -> None:
        received = int(request.meta.get(RECEIVED, 0)) + len(data)
        request.meta[RECEIVED] = received
        if received > self.max_size and not request.meta.get(TRUNCATED):
            request.meta[TRUNCATED] = True
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("spillwatch/truncated")
            logger.warning(
                "%s: response larger than max_response_size (%d bytes); kept the first %d bytes as a "
                "truncated WARC record (WARC-Truncated: length). Raise max_response_size to keep it whole",
                request.url, self.max_size, self.max_size)
            raise StopDownload(fail=False)


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's ``HttpCompressionMiddleware`` refusing to decompress beyond ``max_response_size``
    (a decompression bomb is logged and skipped; its compressed bytes are in the WARC).

    It asks for :data:`ACCEPT_ENCODING` only (docs/crawler.md, "Content codings"), and decodes with
    :mod:`core.encodings`, the decoder the indexer uses: Scrapy's own brotli step calls whichever
    ``brotli`` module imports first, and pywb's dependency ``brotlipy`` installs one with another API.
    """

    def process_request(self, request: Request, spider: object = None) -> None:
        request.headers.setdefault("Accept-Encoding", ACCEPT_ENCODING)
        return None

    def process_response(self, request: Request, response: Response, spider: object = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            logger.warning("%s: %s", response.url, exc)
            raise

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        limit = max_size if max_size > 0 else 2**62
        decoded = decode_body(body, encoding.decode("latin-1"), limit=limit + 1)
        if len(decoded.body) > limit or "bomb" in decoded.problem:
            raise IgnoreRequest(f"decompression stopped: the body grows past max_response_size ({max_size} B) "
                                f"or is a decompression bomb; not parsed, its encoded bytes are in the WARC")
        if decoded.problem:
            logger.warning("%s; the spider reads what could be decoded", decoded.problem)
        return decoded.body

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoundedDecompressionMiddleware:
        middleware = super().from_crawler(crawler)
        limit = crawler.settings.getint("SPILLWATCH_MAX_RESPONSE_SIZE")
        if limit > 0:
            middleware._max_size = limit
            middleware._warn_size = 0
        return middleware
