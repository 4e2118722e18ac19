"""WARC records of a rendered page (docs/architecture.md §3 "WARC"), as a browser crawler writes them.

For every request the browser made (its :class:`crawler.render.BrowserExchange` list): a
``response`` record and a ``request`` record, as for any fetch.  Then two ``resource`` records:

- ``urn:rendered-dom:<url>`` — the DOM after scripts ran (``text/html; charset=utf-8``), read by the
  indexer (:mod:`indexer.rendered`) instead of the page's HTML as fetched;
- ``urn:screenshot:<url>`` — a full-page PNG screenshot, shown by the web diff view.

The page's own HTML is not written again: the browser was served the bytes Scrapy fetched and the
WARC writer already recorded (:mod:`crawler.render`).  Bodies are as received from the server by the
pinned client (:mod:`crawler.pinned_fetch`), ``Content-Encoding`` included, with the address connected
to as ``WARC-IP-Address``; ``Transfer-Encoding`` is kept as ``X-Archive-Orig-Transfer-Encoding`` (the
chunked framing is already removed, as in the plain crawler's records).  Bodies beyond
``max_response_size`` are cut and marked ``WARC-Truncated: length``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import BufferWARCWriter

from crawler.render_capture import BrowserExchange, PageCapture

RENDERED_DOM = "urn:rendered-dom:"
SCREENSHOT = "urn:screenshot:"
# The chunked framing is gone from the body stored, so readers must not de-chunk it again.
RENAMED = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}


def rendered_records(builder: BufferWARCWriter, capture: PageCapture, dom: bytes, date: str,
                     max_size: int, digest: Callable[[bytes], str]) -> list[ArcWarcRecord]:
    """The records of one rendered page, in the order they are written."""
    records: list[ArcWarcRecord] = []
    for exchange in capture.exchanges:
        records.extend(_exchange_records(builder, exchange, date, max_size, digest))
    records.append(_resource(builder, RENDERED_DOM + capture.url, dom, "text/html; charset=utf-8", date, digest))
    if capture.screenshot:
        records.append(_resource(builder, SCREENSHOT + capture.url, capture.screenshot, "image/png", date, digest))
    return records


def _resource(builder: BufferWARCWriter, uri: str, body: bytes, content_type: str, date: str,
              digest: Callable[[bytes], str]) -> ArcWarcRecord:
    return builder.create_warc_record(uri, "resource", payload=io.BytesIO(body), length=len(body),
                                      warc_content_type=content_type,
                                      warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": digest(body)})


def _exchange_records(builder: BufferWARCWriter, exchange: BrowserExchange, date: str, max_size: int,
                      digest: Callable[[bytes], str]) -> list[ArcWarcRecord]:
    body = exchange.body
    headers = {"WARC-Date": date}
    if exchange.truncated or (max_size and len(body) > max_size):
        body = body[:max_size] if max_size else body
        headers["WARC-Truncated"] = "length"
    headers["WARC-Payload-Digest"] = digest(body)
    if exchange.address:
        headers["WARC-IP-Address"] = exchange.address
    response_headers = [(RENAMED.get(name.lower(), name), value) for name, value in exchange.response_headers]
    reason = exchange.reason or _reason(exchange.status)
    http = StatusAndHeaders(f"{exchange.status} {reason}".strip(), response_headers, protocol="HTTP/1.1")
    response = builder.create_warc_record(exchange.url, "response", payload=io.BytesIO(body), length=len(body),
                                          http_headers=http, warc_headers_dict=headers)
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = [(n, v) for n, v in exchange.request_headers if not n.startswith(":")]
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", parts.netloc))
    request_http = StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", request_headers, is_http_request=True)
    request = builder.create_warc_record(
        exchange.url, "request", payload=io.BytesIO(exchange.request_body), length=len(exchange.request_body),
        http_headers=request_http,
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
    return [response, request]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
