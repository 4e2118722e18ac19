"""HTTP POST for the Slack and webhook notifiers, through the egress guard (docs/architecture.md §5 rule 1).

The URL is checked by :mod:`core.egress` on every send: http/https only; the host is resolved
and every address checked (loopback, private, link-local, CGNAT and metadata ranges are refused unless
``allow_private_addresses`` is set); the connection goes to the checked address (pinned) with the
original ``Host`` header and TLS SNI/certificate name.  Redirects are never followed: a webhook that
redirects is a configuration problem, and following it would bypass the check.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import httpx

from alerts.errors import DeliveryError
from core.egress import EgressDenied, address_problem, check_url, resolve_host


@dataclass(frozen=True)
class Pinned:
    url: str  # with a checked IP address as host
    host_header: str
    sni: str | None


def redact_url(url: str) -> str:
    """``scheme://host[:port]/…`` — webhook URLs are secrets (Slack's path is its token), so errors,
    logs and the outbox name only where they point."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname or '?'}{port}/…"


def _scrubbed(message: str, *urls: str) -> str:
    for secret in urls:
        if secret:
            message = message.replace(secret, redact_url(secret))
    return message


def pin(url: str, *, allow_private: bool) -> list[Pinned]:
    """Check ``url`` and return where to connect, one entry per checked address (in resolver order);
    DeliveryError(permanent) when the guard refuses it, DeliveryError(temporary) when the host does not
    resolve right now.  Every address must pass: one refused address refuses the URL."""
    try:
        literal = check_url(url, allow_private=allow_private, resolve=False)
    except EgressDenied as exc:
        raise DeliveryError(_scrubbed(str(exc), url), permanent=True) from None
    if literal.address:
        addresses = [literal.address]
    else:
        try:
            addresses = resolve_host(literal.host, literal.port, redact_url(url))
        except EgressDenied as exc:
            raise DeliveryError(_scrubbed(str(exc), url)) from None
        for candidate in addresses:
            problem = address_problem(candidate)
            if problem and not allow_private:
                raise DeliveryError(
                    f"{redact_url(url)}: {literal.host} resolves to {candidate}, {problem}; refused by the egress "
                    "guard (set allow_private_addresses only for local tests or the demo)", permanent=True)
    parts = urlsplit(url)
    default_port = 443 if literal.scheme == "https" else 80
    port_suffix = "" if literal.port == default_port else f":{literal.port}"
    host = f"[{literal.host}]" if ":" in literal.host else literal.host
    out = []
    for address in addresses:
        ip_host = f"[{address}]" if isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address) else address
        pinned_url = urlunsplit((literal.scheme, ip_host + port_suffix, parts.path or "/", parts.query, ""))
        out.append(Pinned(pinned_url, host + port_suffix, literal.host if literal.scheme == "https" else None))
    return out


def retry_after_seconds(value: str | None, default: float) -> float:
    """``Retry-After`` as seconds: an integer or an HTTP date; ``default`` when absent or unreadable."""
    if not value:
        return default
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


DEFAULT_RETRY_AFTER = 30.0


def answer_error(kind: str, response: httpx.Response, detail: str = "") -> DeliveryError:
    """The delivery error for a receiver's non-success answer: 429 waits ``Retry-After``; other 4xx
    (but 408) are permanent; the rest may succeed later.  ``detail`` is appended to the message."""
    if response.status_code == 429:
        wait = retry_after_seconds(response.headers.get("Retry-After"), DEFAULT_RETRY_AFTER)
        return DeliveryError(f"{kind}: rate limited (429); retry after {wait:g}s", retry_after=wait)
    permanent = 400 <= response.status_code < 500 and response.status_code != 408
    return DeliveryError(f"{kind}: HTTP {response.status_code}{detail}", permanent=permanent)


class GuardedPoster:
    """One httpx client per notifier; every POST passes the egress guard first."""

    def __init__(self, *, timeout: float, allow_private: bool, user_agent: str) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False,
                                   headers={"User-Agent": user_agent})

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        """POST to the first checked address that accepts a connection (the next one only if the
        connection itself failed, so a request is never sent twice)."""
        host = urlsplit(url).hostname or "?"
        error: DeliveryError | None = None
        for target in pin(url, allow_private=self.allow_private):
            extensions = {"sni_hostname": target.sni} if target.sni else {}
            try:
                response = self.client.post(target.url, content=body, headers={**headers, "Host": target.host_header},
                                            extensions=extensions)
            except httpx.ConnectError as exc:
                error = DeliveryError(_scrubbed(f"{host}: ConnectError: {exc}", url, target.url))
                continue
            except httpx.TimeoutException:
                raise DeliveryError(f"{host}: no answer within {self.timeout:g}s (timeout)") from None
            except httpx.HTTPError as exc:
                raise DeliveryError(_scrubbed(f"{host}: {type(exc).__name__}: {exc}", url, target.url)) from None
            if 300 <= response.status_code < 400:
                raise DeliveryError(f"{host}: answered {response.status_code} redirect; redirects are not "
                                    "followed — configure the final URL", permanent=True)
            return response
        raise error or DeliveryError(f"{host}: no address to connect to")

    def close(self) -> None:
        self.client.close()
