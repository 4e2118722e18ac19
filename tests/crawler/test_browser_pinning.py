"""The browser connects only to the address the egress guard checked (issue 17, docs/architecture.md §5
rule 1): real Chromium, a real DNS server that rebinds (first answer the agency site on 127.0.0.1, then
a server on 127.0.0.2), and Chromium's own resolver pointed at that second server.  If anything but the
guard's pinned client opened a connection — Chromium itself, or a second lookup — the second server
would see it."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright
from scrapy import Request

from crawler.browser_guard import BrowserEgressGuard
from crawler.egress import PrivateAddressPolicy
from crawler.pinned_fetch import PinnedClient
from crawler.render import RenderSession
from crawler.render_capture import CAPTURE, PageCapture
from crawler.render_settings import CHROMIUM_ARGS
from spillwatch.demo.agency_documents import JSON_TYPE
from spillwatch.demo.agency_site import AgencySite, Resource
from tests.crawler.conftest import fast_job
from tests.crawler.rebinding_dns import RebindingDns
from tests.crawler.script_site import API, CHROMIUM, ROSTER, STATS_PAGE, need_chromium, releases_json

HOST = "agency.test"
PNA_FEATURES = ("BlockInsecurePrivateNetworkRequests", "PrivateNetworkAccessSendPreflights",
                "PrivateNetworkAccessRespectPreflightResults", "LocalNetworkAccessChecks")


class _Record(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        body = b'{"releases": [{"title": "from the rebound address", "url": "/stolen.xlsx"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


class Elsewhere:
    """The server the name rebinds to: 127.0.0.2, on the agency site's port; records every request."""

    def __init__(self, port: int) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.2", port), _Record)
        self.server.hits = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def hits(self) -> list[str]:
        return list(self.server.hits)  # type: ignore[attr-defined]

    def __enter__(self) -> Elsewhere:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


async def _render(session: RenderSession, url: str, capture: PageCapture) -> str:
    """Render ``url`` as a rendering crawl does (the session's route handler on a fresh page)."""
    rules = f"--host-resolver-rules=MAP {HOST} 127.0.0.2"  # Chromium's own lookups go elsewhere
    # and Chromium's Private Network Access checks off, so that its own connection would really be made
    # (a fulfilled page counts as public, and a public page may not reach a loopback address)
    features = [arg for arg in CHROMIUM_ARGS if arg.startswith("--disable-features=")]
    off = ",".join([*(arg.split("=", 1)[1] for arg in features), *PNA_FEATURES])
    args = [*(arg for arg in CHROMIUM_ARGS if arg not in features), rules, f"--disable-features={off}"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            context = await browser.new_context(service_workers="block")
            page = await context.new_page()
            await session.init_page(page, Request(url, meta={CAPTURE: capture}))
            await page.goto(url, wait_until="load", timeout=20_000)
            await session.finish(page, capture)
            dom = await page.content()
            await page.close()
            await capture.settle(5)
            return dom
        finally:
            await browser.close()


@pytest.mark.browser
def test_a_rebinding_name_is_fetched_from_the_checked_address_only(tmp_path: Path) -> None:
    need_chromium()
    with AgencySite() as site, Elsewhere(site.port) as elsewhere, \
            RebindingDns({HOST: ("127.0.0.1", "127.0.0.2")}) as dns:
        site.set_resource(API, Resource(body=releases_json(("Detainee roster (XLSX)", ROSTER)),
                                        content_type=JSON_TYPE))
        site.set_resource("/pixel.gif", Resource(body=b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
                                                 content_type="image/gif"))
        page_url = f"http://{HOST}:{site.port}/statistics/"
        html = STATS_PAGE.replace("<p>Releases:</p>", '<p>Releases:</p><img src="/pixel.gif">')
        capture = PageCapture(page_url, 200, [("Content-Type", "text/html; charset=utf-8")], html.encode())
        job = fast_job(tmp_path, [f"http://{HOST}:{site.port}/"], render="browser", render_page_timeout=10.0)
        session = RenderSession(job)
        session.guard.resolver = dns.resolver
        dom = asyncio.run(_render(session, page_url, capture))
        api_requests = site.requests_for(API)
        pixel_requests = site.requests_for("/pixel.gif")
        asked = dns.asked
        rebound = elsewhere.hits
    assert rebound == [], f"a request reached the address the name rebound to: {rebound}"
    assert asked == [HOST], "the name must be resolved once and the checked answer used for every request"
    assert len(api_requests) == 1 and len(pixel_requests) == 1
    assert api_requests[0].headers.get("Host") == f"{HOST}:{site.port}"
    assert f'href="{ROSTER}"' in dom and "from the rebound address" not in dom
    by_url = {e.url: e for e in capture.exchanges}
    assert by_url[f"http://{HOST}:{site.port}{API}"].address == "127.0.0.1"
    assert by_url[f"http://{HOST}:{site.port}/pixel.gif"].status == 200


def test_a_name_that_resolves_to_a_private_address_is_refused_before_any_connection() -> None:
    with RebindingDns({"internal.test": ("10.1.2.3", "10.1.2.3"), "meta.test": ("169.254.169.254",) * 2}) as dns:
        guard = BrowserEgressGuard(PrivateAddressPolicy(True, ["agency.test"]), resolver=dns.resolver)

        async def check() -> list[str | None]:
            return [await guard.problem("http://internal.test/x"), await guard.problem("http://meta.test/latest/"),
                    await guard.problem("http://nowhere.test/")]

        internal, meta, nowhere = asyncio.run(check())
    assert internal is not None and "internal.test resolves to 10.1.2.3, a private address" in internal
    assert meta is not None and "a cloud-metadata or carrier-grade NAT address" in meta
    assert nowhere is not None and "cannot resolve nowhere.test" in nowhere


class _Cookies(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (self.headers.get("Cookie") or "no cookie").encode() if self.path == "/echo" else bytes(5_000)
        self.send_response(200)
        if self.path == "/set":
            self.send_header("Set-Cookie", "session=secret; Path=/")
        if self.path != "/stream":  # /stream: no Content-Length, the body is read until the limit
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_the_pinned_client_keeps_no_cookies_and_bounds_bodies() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Cookies)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    async def run() -> list[Any]:
        guard = BrowserEgressGuard(PrivateAddressPolicy(True, ["127.0.0.1"]))
        client = PinnedClient(guard, timeout=5, limit=1_000, user_agent="Spillwatch-test")
        try:
            return [await client.fetch(base + path, "GET", [], None) for path in ("/set", "/echo", "/stream")]
        finally:
            await client.aclose()

    try:
        set_cookie, echo, stream = asyncio.run(run())
    finally:
        server.shutdown()
        server.server_close()
    assert ("Set-Cookie", "session=secret; Path=/") in set_cookie.headers
    assert set_cookie.declared_too_large and set_cookie.body == b""  # 5,000 bytes declared, limit 1,000
    assert echo.body == b"no cookie" and echo.address == "127.0.0.1"
    assert stream.truncated and len(stream.body) == 1_000 and not stream.declared_too_large


@pytest.mark.browser
def test_a_redirect_to_another_host_carries_none_of_the_first_hosts_cookies(tmp_path: Path) -> None:
    need_chromium()
    with AgencySite() as site:
        other = f"http://127.0.0.1:{site.port}"  # another host name for the same server: a seed host too
        site.set_resource("/to-other", Resource(body=b"", content_type="text/plain", status=302,
                                                location=f"{other}/pixel.gif"))
        site.set_resource("/pixel.gif", Resource(body=b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
                                                 content_type="image/gif"))
        page_url = f"http://localhost:{site.port}/cookies/"
        html = ("<!doctype html><html><body><p>Cookies</p><script>document.cookie = 'session=secret; path=/';"
                "const img = new Image(); img.src = '/to-other'; document.body.appendChild(img);</script>"
                "</body></html>")
        capture = PageCapture(page_url, 200, [("Content-Type", "text/html; charset=utf-8")], html.encode())
        job = fast_job(tmp_path, [f"http://localhost:{site.port}/", f"{other}/"], render="browser",
                       render_page_timeout=10.0)
        asyncio.run(_render(RenderSession(job), page_url, capture))
        first, second = site.requests_for("/to-other"), site.requests_for("/pixel.gif")
    assert len(first) == 1 and "session=secret" in first[0].headers.get("Cookie", "")
    assert len(second) == 1 and "Cookie" not in second[0].headers
    assert [e.status for e in capture.exchanges] == [302, 200]
