"""Egress guard for the browser (docs/architecture.md §5 rule 1): every request a rendered page makes.

Chromium resolves and connects by itself, so Scrapy's pinned resolver (:mod:`crawler.egress`) never
sees what a page loads through an ``<img>``, a ``fetch``, an ``<iframe>`` or a redirect.  Playwright's
route interception does, except for redirects, which Chromium follows without asking the route
again: so :mod:`crawler.render` sends no request through Chromium's network stack at all.  Its route
handler checks each URL here, fetches it itself without following redirects, checks every
``Location`` here before the next hop, and hands the browser the final answer.  A page whose route
handler could not be installed gets nothing: scrapy-playwright's own handler, the only other one,
refuses every request (:func:`refuse_unguarded`).

The rule is the plain crawler's (:class:`crawler.egress.PrivateAddressPolicy`): http and https only
(``data:`` and ``blob:`` URLs stay inside the page); a host name is resolved and every address
checked; loopback, private, link-local, CGNAT and metadata addresses are refused unless the crawl
allows private addresses for its seed hosts and the host is one of them.

What route interception cannot do: pin the address.  Chromium resolves the name again after the
guard has checked it, so a DNS answer that changes in between (rebinding with a zero TTL) is not
caught here; the operating system's resolver cache makes that window small.  WebSockets, WebRTC and
service workers bypass routing altogether: :mod:`crawler.render` turns them off.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable
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


@dataclass
class BrowserEgressGuard:
    """``await guard(request)`` is True when the browser must not send ``request``.

    ``refused`` keeps every refused URL (for the crawl's counters and log)."""

    policy: PrivateAddressPolicy
    refused: list[str] = field(default_factory=list)
    on_refuse: Callable[[str], None] | None = None  # the spider counts refusals in the crawl's stats
    _answers: dict[str, list[str]] = field(default_factory=dict)

    async def allows(self, url: str) -> bool:
        """Whether the browser may fetch ``url``; a refusal is logged and counted."""
        problem = await self.problem(url)
        if problem is None:
            return True
        self.refused.append(url)
        logger.warning("browser request %s", problem)
        if self.on_refuse is not None:
            self.on_refuse(url)
        return False

    async def problem(self, url: str) -> str | None:
        """Why the browser must not fetch ``url``, or None."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in IN_PAGE_SCHEMES:
            return None
        if scheme not in ALLOWED_SCHEMES:
            return f"{url}: scheme {scheme!r} {EGRESS_MARK}; only http and https are allowed"
        host = (parts.hostname or "").lower()
        if not host:
            return f"{url}: no host; {EGRESS_MARK}"
        if self.policy.allows_private(host):
            return None
        try:
            addresses = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            addresses = await self._resolve(host)
            if not addresses:
                return f"{url}: cannot resolve {host}; {EGRESS_MARK}"
        for address in addresses:
            reason = address_problem(address)
            if reason:
                return (f"{url}: {host} resolves to {address}, {reason}; {EGRESS_MARK}. Only for local tests "
                        "or the demo: set the site's allow_private_addresses (seed hosts only)")
        return None

    async def _resolve(self, host: str) -> list[str]:
        """Addresses of ``host`` (cached for the crawl: the browser asks for the same hosts again)."""
        if host not in self._answers:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError):
                infos = []
            self._answers[host] = list(dict.fromkeys(str(info[4][0]) for info in infos))
        return self._answers[host]
