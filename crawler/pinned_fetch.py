"""The browser's HTTP client: every request of a rendered page is sent from here, to the address the
egress guard checked (docs/architecture.md §5 rule 1: resolve, check and pin).

:class:`crawler.browser_guard.BrowserEgressGuard` resolves the host once and checks every address;
:class:`PinnedClient` connects to one of those very addresses (the URL's host replaced by the address,
the original ``Host`` header kept, and for https the host name as TLS SNI and certificate name, as
:mod:`alerts.http` does for webhooks), so no second lookup happens between check and connect.  Redirects
are never followed here: :mod:`crawler.render` checks every ``Location`` before the next hop.

Bodies are read as received (content codings kept, for the WARC) and at most ``limit`` bytes of them:
a longer body is cut there and marked ``truncated``.  httpx is used (already a dependency) rather than
Playwright's own request API, which resolves the name again in Playwright's driver process.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urlsplit, urlunsplit

import httpx

from crawler.browser_guard import BrowserEgressGuard
from crawler.limits import ACCEPT_ENCODING

logger = logging.getLogger(__name__)

# request headers that describe one connection, not the request (httpx sets its own), and the codings
# asked for: the crawler's own (crawler.limits.ACCEPT_ENCODING, which leaves zstd out for replay's sake)
NOT_FORWARDED = frozenset({"host", "connection", "keep-alive", "proxy-connection", "proxy-authorization",
                           "transfer-encoding", "te", "trailer", "upgrade", "content-length", "accept-encoding"})


@dataclass(frozen=True)
class Fetched:
    """One answer, as received from ``address``."""

    url: str
    address: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes  # as received (content codings kept), at most the limit
    truncated: bool  # the body was longer than the limit and is cut there
    declared_too_large: bool  # Content-Length above the limit: the body was not read at all


def pinned_url(url: str, address: str) -> str:
    """``url`` with its host replaced by ``address`` (port, path and query kept, fragment dropped)."""
    parts = urlsplit(url)
    host = f"[{address}]" if isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address) else address
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, host + port, parts.path or "/", parts.query, ""))


class PinnedClient:
    """One connection pool per rendered page; ``await fetch(...)`` sends one request, no redirects."""

    def __init__(self, guard: BrowserEgressGuard, *, timeout: float, limit: int, user_agent: str) -> None:
        self.guard = guard
        self.limit = limit
        # trust_env=False: no proxy from the environment (a proxy would connect where it likes); a cookie
        # jar that keeps nothing: the browser keeps its cookies and sends them itself (this client sees
        # hosts as addresses, so its own jar would mix the cookies of hosts sharing one)
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False,
                                        cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
                                        headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING.decode()})

    async def fetch(self, url: str, method: str, headers: list[tuple[str, str]],
                    body: bytes | None) -> Fetched | None:
        """The answer for ``url``, or None when the guard refused it (logged and counted there).
        Connection errors raise :class:`httpx.HTTPError` after every checked address was tried."""
        pinned = await self.guard.pin(url)
        if pinned is None:
            return None
        netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
        sent = [(k, v) for k, v in headers if not k.startswith(":") and k.lower() not in NOT_FORWARDED]
        sent.insert(0, ("Host", netloc))
        extensions = {"sni_hostname": pinned.host} if urlsplit(url).scheme.lower() == "https" else {}
        error: httpx.HTTPError | None = None
        for address in pinned.addresses:
            request = self.client.build_request(method, pinned_url(url, address), headers=sent, content=body,
                                                extensions=extensions)
            try:
                return await self._send(url, address, request)
            except httpx.ConnectError as exc:  # nothing was sent: the next checked address may answer
                error = exc
        raise error or httpx.ConnectError(f"{url}: no address to connect to")

    async def _send(self, url: str, address: str, request: httpx.Request) -> Fetched:
        response = await self.client.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if self.limit > 0 and declared.isdigit() and int(declared) > self.limit:
                return self._answer(url, address, response, b"", truncated=True, declared_too_large=True)
            chunks: list[bytes] = []
            size = 0
            truncated = False
            async for chunk in response.aiter_raw():
                chunks.append(chunk)
                size += len(chunk)
                if self.limit > 0 and size > self.limit:
                    truncated = True
                    break
            raw = b"".join(chunks)
            return self._answer(url, address, response, raw[:self.limit] if truncated else raw, truncated=truncated,
                                declared_too_large=False)
        finally:
            await response.aclose()

    @staticmethod
    def _answer(url: str, address: str, response: httpx.Response, body: bytes, *, truncated: bool,
                declared_too_large: bool) -> Fetched:
        reason = response.reason_phrase if isinstance(response.reason_phrase, str) else ""
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        return Fetched(url, address, response.status_code, reason, headers, body, truncated, declared_too_large)

    async def aclose(self) -> None:
        await self.client.aclose()
