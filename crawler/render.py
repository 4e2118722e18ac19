"""Rendered crawling (docs/crawler.md "Rendered crawling"): headless Chromium through scrapy-playwright.

A page of a ``render: browser`` site (or a ``render: auto`` page that :func:`needs_render` picks) is
first fetched by Scrapy like any page: size limits, egress resolver, conditional requests, the WARC
records as received.  The spider then asks for it again with ``meta["playwright"]``; the browser's
navigation is answered from those very bytes (route fulfilment, no second fetch), and everything
else the page loads (scripts, styles, images, XHR/fetch JSON) is fetched by the page's route handler,
each hop checked by :class:`crawler.browser_guard.BrowserEgressGuard`, and recorded
(:class:`crawler.render_capture.PageCapture`).  When the network is idle a full-page PNG screenshot
is taken; the response the spider gets is the rendered DOM.  :mod:`crawler.render_archive` writes it all to the WARC.

One browser per crawl (one context), at most ``render_pages`` pages open at once, ``render_max_pages``
rendered pages per crawl, ``render_page_timeout`` per page, and the crawl stops cleanly when the
crawl process and its browser together use more than ``render_memory_limit``
(:mod:`crawler.browser_memory`; settings in :mod:`crawler.render_settings`).  Service workers are
blocked, WebRTC and WebSockets refused, pop-ups closed, downloads off.  Imported only by rendering
crawls (Playwright is a large import).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from playwright._impl._api_structures import HttpHeader
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route, WebSocketRoute
from playwright.async_api import Request as PlaywrightRequest
from scrapy import Request
from scrapy.http import Response
from scrapy_playwright.page import PageMethod

from core.encodings import decode_body
from crawler.browser_guard import IN_PAGE_SCHEMES, BrowserEgressGuard
from crawler.egress import PrivateAddressPolicy
from crawler.pinned_fetch import Fetched, PinnedClient
from crawler.render_capture import CAPTURE, BrowserExchange, PageCapture
from crawler.render_settings import CONTEXT

if TYPE_CHECKING:
    from crawler.job import CrawlJob

logger = logging.getLogger(__name__)

# Pages never get WebRTC (its traffic bypasses request routing).
NO_WEBRTC = """
for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel']) {
  try { Object.defineProperty(window, name, {value: undefined, configurable: false}); } catch (e) {}
}
"""
MAX_REDIRECTS = 10
HEADER_DROPPED_ON_FULFIL = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class RenderSession:
    """The spider's side of rendering: builds rendered requests, and routes every request of a page."""

    def __init__(self, job: CrawlJob) -> None:
        self.job = job
        self.guard = BrowserEgressGuard(PrivateAddressPolicy(job.allow_private, job.scope_hosts))
        self.rendered = 0
        self._limit_logged = False
        self._clients: dict[Page, PinnedClient] = {}  # one pinned connection pool per open page

    def request(self, response: Response, callback: Any, errback: Any, meta: dict[str, Any]) -> Request | None:
        """The rendered request for a page Scrapy has fetched, or None past ``render_max_pages``."""
        if self.rendered >= self.job.render_max_pages:
            if not self._limit_logged:
                logger.info("render_max_pages (%d) reached; further pages are crawled plain",
                            self.job.render_max_pages)
                self._limit_logged = True
            return None
        self.rendered += 1
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, values in response.headers.items()
                   for v in values]
        capture = PageCapture(response.url, response.status, headers,
                              response.body if response.status == 200 else None)
        timeout = self.job.render_page_timeout
        return Request(response.url, callback=callback, errback=errback, dont_filter=True, meta={
            **meta,
            "playwright": True,
            "playwright_context": CONTEXT,
            "playwright_page_init_callback": self.init_page,
            "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": timeout * 1000},
            "playwright_page_methods": [PageMethod(self.finish, capture)],
            "download_timeout": timeout * 3,
            CAPTURE: capture,
        })

    async def init_page(self, page: Page, request: Request) -> None:
        capture: PageCapture = request.meta[CAPTURE]
        await page.add_init_script(NO_WEBRTC)
        await page.route_web_socket("**", self._refuse_websocket)
        page.on("popup", self._close_popup)
        page.on("close", lambda closed: capture.track(self.close_page(closed)))
        # registered after scrapy-playwright's handler, so it runs first and takes every request
        await page.route("**", lambda route, req: capture.track(self._route(page, route, req, capture)))

    async def finish(self, page: Page, capture: PageCapture) -> None:
        """After load: wait for the network to be idle, collect the bodies, take the screenshot."""
        timeout = self.job.render_page_timeout
        try:
            await page.wait_for_load_state("networkidle", timeout=timeout * 1000)
        except PlaywrightError:
            logger.info("%s: network not idle after %.0f s; rendered as it is", capture.url, timeout)
        await capture.settle(timeout)
        try:
            capture.screenshot = await page.screenshot(full_page=True, type="png", timeout=timeout * 1000,
                                                       animations="disabled")
        except PlaywrightError as exc:
            logger.warning("%s: no screenshot (%s)", capture.url, exc.message.splitlines()[0])

    async def _route(self, page: Page, route: Route, req: PlaywrightRequest, capture: PageCapture) -> None:
        """Every request of the page: the page itself from the bytes Scrapy fetched and recorded (no
        second fetch); anything else fetched here hop by hop through the pinned client, each hop checked
        by the egress guard, and the answer handed to the browser (route.fulfill): Chromium never opens
        a connection of its own."""
        try:
            if capture.body is not None and capture.main_request is None and req.is_navigation_request() \
                    and urldefrag(req.url)[0] == urldefrag(capture.url)[0]:
                capture.main_request = req
                headers = {k: v for k, v in capture.headers if k.lower() not in HEADER_DROPPED_ON_FULFIL}
                await route.fulfill(status=capture.status, headers=headers, body=capture.body)
                return
            if urlsplit(req.url).scheme.lower() in IN_PAGE_SCHEMES:
                await route.continue_()  # data:, blob:: no network
                return
            answer = await self._fetch(page, req, capture)
            if answer is None:
                await route.abort("blockedbyclient")
            else:
                await route.fulfill(status=answer.status, headers=_fulfil_headers(answer.headers),
                                    body=self._decoded(answer))
        except (PlaywrightError, httpx.HTTPError) as exc:  # the page closed, or the target did not answer
            logger.debug("%s: %s", req.url, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__)
            with suppress(PlaywrightError):
                await route.abort("failed")

    def _client(self, page: Page) -> PinnedClient:
        client = self._clients.get(page)
        if client is None:
            client = self._clients[page] = PinnedClient(
                self.guard, timeout=self.job.render_page_timeout, limit=self.job.max_response_size,
                user_agent=self.job.user_agent)
        return client

    async def _fetch(self, page: Page, req: PlaywrightRequest, capture: PageCapture) -> Fetched | None:
        url, method, data = req.url, req.method, req.post_data_buffer
        sent = _pairs(await req.headers_array())
        client = self._client(page)
        for _hop in range(MAX_REDIRECTS + 1):
            answer = await client.fetch(url, method, sent, data)
            if answer is None:
                return None
            if answer.declared_too_large:
                logger.warning("%s: the browser's answer is larger than max_response_size (%d bytes); not kept, "
                               "not shown to the page", url, self.job.max_response_size)
                return None
            capture.exchanges.append(BrowserExchange(
                url=url, method=method, request_headers=sent, request_body=data or b"", status=answer.status,
                reason=answer.reason, response_headers=answer.headers, body=answer.body,
                resource_type=req.resource_type, address=answer.address, truncated=answer.truncated))
            if answer.truncated:
                logger.warning("%s: the browser's answer is larger than max_response_size (%d bytes); kept cut "
                               "in the WARC, not shown to the page", url, self.job.max_response_size)
                return None
            location = _header(answer.headers, "location")
            if not (300 <= answer.status < 400 and location):
                return answer
            target = urljoin(url, location)
            if answer.status in (301, 302, 303) and method not in ("GET", "HEAD"):
                method, data = "GET", None
            # the next hop is a new request: no body headers, and another host gets none of this one's
            # credentials (the browser would not send them either)
            dropped = {"content-type"} | (set() if _origin(target) == _origin(url) else {"cookie", "authorization"})
            sent = [(k, v) for k, v in sent if k.lower() not in dropped]
            url = target
        logger.info("%s: more than %d redirects; not followed", req.url, MAX_REDIRECTS)
        return None

    def _decoded(self, answer: Fetched) -> bytes:
        """The body as the browser expects it from a fulfilled route: content codings undone."""
        # no size limit (0): decoding is still bounded by decode_body's bomb ratio
        limit = self.job.max_response_size if self.job.max_response_size > 0 else sys.maxsize
        decoded = decode_body(answer.body, _header(answer.headers, "content-encoding") or "", limit=limit)
        if decoded.problem:
            logger.info("%s: %s", answer.url, decoded.problem)
        return decoded.body

    async def close_page(self, page: Page) -> None:
        """Close the page's pinned client (its connections)."""
        client = self._clients.pop(page, None)
        if client is not None:
            await client.aclose()

    @staticmethod
    async def _refuse_websocket(ws: WebSocketRoute) -> None:
        logger.warning("browser WebSocket %s refused (rendered pages get no WebSockets)", ws.url)
        await ws.close()

    @staticmethod
    def _close_popup(popup: Page) -> None:
        logger.info("pop-up %s closed", popup.url)
        asyncio.ensure_future(popup.close())


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _fulfil_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    """Response headers for ``route.fulfill``: the body is handed over decoded, so the transfer headers
    go; repeated headers are joined (``Set-Cookie`` with newlines, as Playwright splits them)."""
    out: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key in HEADER_DROPPED_ON_FULFIL:
            continue
        if key in out:
            out[key] += ("\n" if key == "set-cookie" else ", ") + value
        else:
            out[key] = value
    return out


def _pairs(headers: list[HttpHeader]) -> list[tuple[str, str]]:
    return [(h["name"], h["value"]) for h in headers]
