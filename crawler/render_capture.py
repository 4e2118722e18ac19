"""What one rendered page did (filled by :mod:`crawler.render` while the page is open, written by
:mod:`crawler.render_archive`).  No Playwright import here: plain crawls never load the browser's
libraries."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Request as PlaywrightRequest

CAPTURE = "spillwatch_render"  # request.meta key: the PageCapture of a rendered request
# request.meta key of a page of a rendering site: fetched whole (no validators) and stored whole (no
# identical-payload revisit), since its rendered DOM may change while its HTML does not
RENDER_PAGE = "spillwatch_render_page"


@dataclass
class BrowserExchange:
    """One request the browser made and the answer it got: the body as received from the server
    (content codings kept), cut at ``max_response_size`` when ``truncated``."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    resource_type: str
    address: str | None = None
    truncated: bool = False

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.response_headers if k.lower() == "content-type"), "")


@dataclass
class PageCapture:
    """What one rendered page did: filled while the page is open, written by the WARC writer."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes | None  # the page as Scrapy fetched it (None: the browser fetches it itself)
    exchanges: list[BrowserExchange] = field(default_factory=list)
    screenshot: bytes = b""
    main_request: PlaywrightRequest | None = None
    _pending: set[asyncio.Task[None]] = field(default_factory=set)

    def track(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def settle(self, timeout: float) -> None:
        """Wait for the bodies still being read (at most ``timeout`` seconds)."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)
