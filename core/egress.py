"""Egress guard (docs/architecture.md §5 rule 1), shared by the crawler and the alert notifiers.

Every outbound request is checked here: only http and https; the host is resolved once, every
address it resolves to is checked, and the caller connects to the returned (pinned) address so a
DNS answer cannot change between check and connect (DNS rebinding).  Redirects are checked again
by the caller for each hop.  Loopback, private, link-local, CGNAT, multicast, reserved and
cloud-metadata ranges are refused unless ``allow_private`` is set explicitly (tests and the demo).

The stdlib ``ipaddress`` module knows the IANA special-purpose registries; this module only adds
the ranges it does not flag (CGNAT's 100.64/10 is "shared", not "private", and the AWS/Azure/GCP
metadata addresses).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import SpillwatchError

ALLOWED_SCHEMES = ("http", "https")

_EXTRA_BLOCKED = (
    ipaddress.ip_network("100.64.0.0/10"),  # CGNAT (RFC 6598)
    ipaddress.ip_network("169.254.169.254/32"),  # cloud metadata (also link-local)
    ipaddress.ip_network("168.63.129.16/32"),  # Azure wire server
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS IMDS over IPv6
    ipaddress.ip_network("100.100.100.200/32"),  # Alibaba metadata
)


class EgressDenied(SpillwatchError):
    """The guard refused a URL; the message says why and which setting would allow it."""


@dataclass(frozen=True)
class EgressTarget:
    """A checked destination: connect to ``address`` (pinned), send ``host`` as Host/SNI."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def address_problem(address: str) -> str | None:
    """Why an address is not public, or None if it may be contacted."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for network in _EXTRA_BLOCKED:
        if ip.version == network.version and ip in network:
            return "a cloud-metadata or carrier-grade NAT address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a reserved or non-global address"
    return None


def check_url(url: str, *, allow_private: bool = False, resolve: bool = True) -> EgressTarget:
    """Check ``url`` and return where to connect; raise :class:`EgressDenied` if refused.

    With ``resolve=False`` only the scheme and literal-IP hosts are checked (for callers whose
    transport resolves and checks itself, e.g. the crawler's pinned DNS resolver).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise EgressDenied(f"{url}: scheme {scheme or '(none)'!r} refused; only http and https are allowed")
    host = parts.hostname
    if not host:
        raise EgressDenied(f"{url}: no host in URL")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise EgressDenied(f"{url}: invalid port") from None
    addresses = _literal(host)
    if addresses is None:
        if not resolve:
            return EgressTarget(url, scheme, host, port, "")
        addresses = resolve_host(host, port, url)
    for address in addresses:
        problem = address_problem(address)
        if problem and not allow_private:
            raise EgressDenied(
                f"{url}: {host} resolves to {address}, {problem}; refused by the egress guard. "
                "Only for local tests or the demo: set allow_private_addresses (or the site's "
                "allow_private_addresses / --allow-private-addresses)"
            )
    return EgressTarget(url, scheme, host, port, addresses[0])


def _literal(host: str) -> list[str] | None:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        return None


def resolve_host(host: str, port: int, url: str = "") -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise EgressDenied(f"{url or host}: cannot resolve {host} ({exc.strerror})") from None
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    if not seen:
        raise EgressDenied(f"{url or host}: {host} has no addresses")
    return seen
