"""Egress guard for the crawler (docs/architecture.md §5 rule 1), built on :mod:`core.egress`.

Two parts, so that the address checked is the address connected to (no DNS rebinding):

- :class:`EgressMiddleware` (downloader middleware, runs first for every request, so again for every
  redirect hop): only http/https; literal IP hosts checked at once.
- :class:`GuardedResolver` (Scrapy's ``TWISTED_DNS_RESOLVER``): resolves each host name and checks the
  answer before Twisted connects to it; the connection uses exactly that checked (pinned) address.

``allow_private`` never opens the whole private network: it allows loopback/private addresses only
for the hosts the crawl was pointed at (the seed hosts).  A redirect or link to any other private,
loopback, link-local or metadata address is still refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from core.egress import EgressDenied, address_problem, check_url
from crawler.scope import host_in

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.base import ReactorBase

logger = logging.getLogger(__name__)

EGRESS_MARK = "refused by the egress guard"


class PrivateAddressPolicy:
    def __init__(self, allow_private: bool, hosts: Iterable[str]) -> None:
        self.allow_private = allow_private
        self.hosts = [h for h in hosts if h]

    @classmethod
    def from_settings(cls, settings: Any) -> PrivateAddressPolicy:
        return cls(settings.getbool("SPILLWATCH_ALLOW_PRIVATE"), settings.getlist("SPILLWATCH_SCOPE_HOSTS"))

    def allows_private(self, host: str) -> bool:
        return self.allow_private and host_in(host, self.hosts)


class EgressMiddleware:
    def __init__(self, crawler: Crawler, policy: PrivateAddressPolicy) -> None:
        self.crawler = crawler
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EgressMiddleware:
        return cls(crawler, PrivateAddressPolicy.from_settings(crawler.settings))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlsplit(request.url).hostname or ""
        if host in denied_hosts():
            raise IgnoreRequest(f"{request.url}: {host} was {EGRESS_MARK} before")
        try:
            check_url(request.url, allow_private=self.policy.allows_private(host), resolve=False)
        except EgressDenied as exc:
            logger.warning("%s", exc)
            raise IgnoreRequest(str(exc)) from None


def denied_hosts() -> set[str]:
    """Host names the installed :class:`GuardedResolver` has refused in this process."""
    from twisted.internet import reactor

    resolver = getattr(reactor, "resolver", None)
    denied: set[str] = getattr(resolver, "denied", set())
    return denied


def is_egress_refusal(failure: Failure) -> bool:
    """Whether a failed request was stopped by the egress guard (middleware or resolver)."""
    if EGRESS_MARK in failure.getErrorMessage():
        return True
    request = getattr(failure, "request", None)
    host = urlsplit(request.url).hostname if request is not None else None
    return bool(host) and failure.check(DNSLookupError, CannotResolveHostError) is not None \
        and host in denied_hosts()


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver plus the egress check on every answer (cached or not)."""

    def __init__(self, reactor: ReactorBase, cache_size: int, timeout: float,
                 policy: PrivateAddressPolicy) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy
        self.denied: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> GuardedResolver:  # type: ignore[override]
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"),
                   PrivateAddressPolicy.from_settings(settings))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        d: defer.Deferred[str] = super().getHostByName(name, timeout)
        d.addCallback(self._check, name)
        return d

    def _check(self, address: str, name: str) -> str:
        problem = address_problem(address)
        if problem and not self.policy.allows_private(name):
            message = (f"{name} resolves to {address}, {problem}; {EGRESS_MARK}. Only for local tests or the "
                       "demo: set the site's allow_private_addresses or --allow-private-addresses")
            if name not in self.denied:
                logger.warning("%s", message)
            self.denied.add(name)
            raise DNSLookupError(message)
        return address
