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
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from playwright._impl._api_structures import HttpHeader
from playwright.async_api import APIResponse, Page, Route, WebSocketRoute
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as PlaywrightRequest
from scrapy import Request
from scrapy.http import Response
from scrapy_playwright.page import PageMethod

from crawler.browser_guard import BrowserEgressGuard
from crawler.egress import PrivateAddressPolicy
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
        second fetch); anything else fetched here hop by hop, each hop checked by the egress guard
        (Chromium would follow redirects without asking the route again)."""
        try:
            if capture.body is not None and capture.main_request is None and req.is_navigation_request() \
                    and urldefrag(req.url)[0] == urldefrag(capture.url)[0]:
                capture.main_request = req
                headers = {k: v for k, v in capture.headers if k.lower() not in HEADER_DROPPED_ON_FULFIL}
                await route.fulfill(status=capture.status, headers=headers, body=capture.body)
                return
            answer = await self._fetch(page, route, req, capture)
            if answer is None:
                await route.abort("blockedbyclient")
            else:
                await route.fulfill(response=answer)
        except PlaywrightError as exc:  # the page closed meanwhile, or the target did not answer
            logger.debug("%s: %s", req.url, exc.message.splitlines()[0])
            with suppress(PlaywrightError):
                await route.abort("failed")

    async def _fetch(self, page: Page, route: Route, req: PlaywrightRequest,
                     capture: PageCapture) -> APIResponse | None:
        url, method, data = req.url, req.method, req.post_data_buffer
        sent = _pairs(await req.headers_array())
        timeout = self.job.render_page_timeout * 1000
        for hop in range(MAX_REDIRECTS + 1):
            if not await self.guard.allows(url):
                return None
            if hop == 0:
                answer = await route.fetch(max_redirects=0, timeout=timeout)
            else:
                answer = await page.context.request.fetch(url, method=method, data=data, max_redirects=0,
                                                          timeout=timeout, headers=dict(sent))
            if _too_large(answer, self.job.max_response_size):
                logger.warning("%s: the browser's answer is larger than max_response_size (%d bytes); not kept, "
                               "not shown to the page", url, self.job.max_response_size)
                await answer.dispose()
                return None
            body = await answer.body()
            capture.exchanges.append(BrowserExchange(
                url=url, method=method, request_headers=sent, request_body=data or b"", status=answer.status,
                reason=answer.status_text, response_headers=_pairs(answer.headers_array), body=body,
                resource_type=req.resource_type))
            location = answer.headers.get("location")
            if not (300 <= answer.status < 400 and location):
                return answer
            url = urljoin(url, location)
            if answer.status in (301, 302, 303) and method not in ("GET", "HEAD"):
                method, data = "GET", None
            sent = [(k, v) for k, v in sent if k.lower() not in ("host", "content-length", "content-type")]
        logger.info("%s: more than %d redirects; not followed", req.url, MAX_REDIRECTS)
        return None

    @staticmethod
    async def _refuse_websocket(ws: WebSocketRoute) -> None:
        logger.warning("browser WebSocket %s refused (rendered pages get no WebSockets)", ws.url)
        await ws.close()

    @staticmethod
    def _close_popup(popup: Page) -> None:
        logger.info("pop-up %s closed", popup.url)
        asyncio.ensure_future(popup.close())


def _too_large(answer: APIResponse, limit: int) -> bool:
    declared = answer.headers.get("content-length", "")
    return limit > 0 and declared.isdigit() and int(declared) > limit


def _pairs(headers: list[HttpHeader]) -> list[tuple[str, str]]:
    return [(h["name"], h["value"]) for h in headers]
