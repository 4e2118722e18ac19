"""Egress guard for the browser (docs/architecture.md §5 rule 1): every request a rendered page makes.

Chromium resolves and connects by itself, so Scrapy's pinned resolver (:mod:`crawler.egress`) never
sees what a page loads through an ``<img>``, a ``fetch``, an ``<iframe>`` or a redirect.  Playwright's
route interception does, so :mod:`crawler.render` takes every request of a page in its route handler
and no request goes through Chromium's network stack: each URL is checked here (:meth:`pin`: the host
resolved once and every address checked), fetched by :class:`crawler.pinned_fetch.PinnedClient`
connecting to that very checked address, without following redirects (every ``Location`` is checked
here again before the next hop), and the answer handed to the browser with ``route.fulfill``.  The
address checked is the address connected to: a DNS answer that changes after the check (rebinding)
is never asked for.  A page whose route handler could not be installed gets nothing:
scrapy-playwright's own handler, the only other one, refuses every request (:func:`refuse_unguarded`).

The rule is the plain crawler's (:class:`crawler.egress.PrivateAddressPolicy`): http and https only
(``data:`` and ``blob:`` URLs stay inside the page); a host name is resolved and every address
checked; loopback, private, link-local, CGNAT and metadata addresses are refused unless the crawl
allows private addresses for its seed hosts and the host is one of them.  A host's checked addresses
are kept for the crawl (as Scrapy's resolver cache does), so one crawl never sees two answers for a
name.  WebSockets, WebRTC and service workers bypass routing altogether: :mod:`crawler.render` turns
them off.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from core.egress import ALLOWED_SCHEMES, address_problem
from crawler.egress import EGRESS_MARK, PrivateAddressPolicy

logger = logging.getLogger(__name__)

IN_PAGE_SCHEMES = ("data", "blob", "about")


class _Request(Protocol):
    @property
    def url(self) -> str: ...


def refuse_unguarded(request: _Request) -> bool:
    """scrapy-playwright's ``PLAYWRIGHT_ABORT_REQUEST``: reached only by a request our route handler did
    not take (its installation failed), so it is refused: fail closed."""
    logger.warning("browser request %s refused: the page's egress route was not installed", request.url)
    return True


Resolver = Callable[[str], Awaitable[list[str]]]


async def system_resolver(host: str) -> list[str]:
    """The host's addresses from the operating system's resolver (getaddrinfo), in its order."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Pinned:
    """Where to connect for a checked URL: ``addresses`` (checked, in resolver order) of ``host``."""

    url: str
    host: str
    addresses: list[str]


@dataclass
class BrowserEgressGuard:
    """``await guard.pin(url)``: the checked addresses to connect to for ``url``, or None when refused.

    ``refused`` keeps every refused URL (for the crawl's counters and log); ``resolver`` answers host
    names (the system's by default)."""

    policy: PrivateAddressPolicy
    refused: list[str] = field(default_factory=list)
    on_refuse: Callable[[str], None] | None = None  # the spider counts refusals in the crawl's stats
    resolver: Resolver = system_resolver
    _answers: dict[str, asyncio.Future[list[str]]] = field(default_factory=dict)

    async def allows(self, url: str) -> bool:
        """Whether the browser may fetch ``url``; a refusal is logged and counted."""
        return await self.pin(url) is not None

    async def pin(self, url: str) -> Pinned | None:
        """The checked addresses for ``url`` (none for ``data:``/``blob:`` URLs, which stay in the page),
        or None when it is refused: logged and counted."""
        problem, pinned = await self._check(url)
        if problem is None:
            return pinned
        self.refused.append(url)
        logger.warning("browser request %s", problem)
        if self.on_refuse is not None:
            self.on_refuse(url)
        return None

    async def problem(self, url: str) -> str | None:
        """Why the browser must not fetch ``url``, or None."""
        return (await self._check(url))[0]

    async def _check(self, url: str) -> tuple[str | None, Pinned]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        none = Pinned(url, host, [])
        if scheme in IN_PAGE_SCHEMES:
            return None, none
        if scheme not in ALLOWED_SCHEMES:
            return f"{url}: scheme {scheme!r} {EGRESS_MARK}; only http and https are allowed", none
        if not host:
            return f"{url}: no host; {EGRESS_MARK}", none
        try:
            addresses = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            addresses = await self._resolve(host)
            if not addresses:
                return f"{url}: cannot resolve {host}; {EGRESS_MARK}", none
        if not self.policy.allows_private(host):
            for address in addresses:
                reason = address_problem(address)
                if reason:
                    return (f"{url}: {host} resolves to {address}, {reason}; {EGRESS_MARK}. Only for local tests "
                            "or the demo: set the site's allow_private_addresses (seed hosts only)"), none
        return None, Pinned(url, host, addresses)

    async def _resolve(self, host: str) -> list[str]:
        """Addresses of ``host``, asked once per crawl: the pinned answer for every later request."""
        answer = self._answers.get(host)
        if answer is None:  # a future, so that requests for a host at the same time share one lookup
            answer = self._answers[host] = asyncio.ensure_future(self.resolver(host))
        return list(await answer)
