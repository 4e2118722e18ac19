"""The egress guard refuses non-public destinations unless private addresses are allowed."""

from __future__ import annotations

import pytest

from core.egress import EgressDenied, address_problem, check_url


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8080/", "http://[::1]/", "http://10.1.2.3/", "http://172.16.0.1/",
    "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://[fd00:ec2::254]/", "http://224.0.0.1/",
])
def test_non_public_destinations_are_refused(url: str) -> None:
    with pytest.raises(EgressDenied, match="allow_private_addresses"):
        check_url(url)


@pytest.mark.parametrize("url", ["ftp://example.org/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(EgressDenied, match="only http and https"):
        check_url(url, allow_private=True)


def test_public_addresses_pass_and_are_pinned() -> None:
    target = check_url("https://8.8.8.8:8443/path")
    assert (target.scheme, target.host, target.port, target.address) == ("https", "8.8.8.8", 8443, "8.8.8.8")
    assert address_problem("1.1.1.1") is None


def test_private_allowed_explicitly() -> None:
    target = check_url("http://localhost:9/", allow_private=True)
    assert target.address in ("127.0.0.1", "::1")


def test_unresolvable_host_is_refused() -> None:
    with pytest.raises(EgressDenied, match="cannot resolve"):
        check_url("http://no-such-host.invalid/")
