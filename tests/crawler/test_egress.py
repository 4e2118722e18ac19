"""The egress guard refuses private addresses unless allowed, checked again on every redirect hop."""

from __future__ import annotations

from pathlib import Path

from crawler.egress import PrivateAddressPolicy
from crawler.run import run_crawl
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job


def test_loopback_seed_refused_without_allow_private(tmp_path: Path) -> None:
    with AgencySite() as site:
        manifest = run_crawl(fast_job(tmp_path, [site.url("/")], allow_private=False))
        assert site.requests == []  # not even robots.txt
    assert manifest.status == "finished"
    assert manifest.pages == 0 and manifest.egress_denied >= 1
    log = Path(manifest.log_file).read_text()
    assert "127.0.0.1, a loopback address; refused by the egress guard" in log


def test_hostname_resolving_to_loopback_refused_by_the_resolver(tmp_path: Path) -> None:
    with AgencySite() as site:
        manifest = run_crawl(fast_job(tmp_path, [f"http://localhost:{site.port}/"], allow_private=False))
        assert site.requests == []
    assert manifest.pages == 0 and manifest.egress_denied >= 1
    assert "localhost resolves to 127.0.0.1" in Path(manifest.log_file).read_text()


def test_allow_private_covers_the_seed_hosts_only() -> None:
    policy = PrivateAddressPolicy(True, ["localhost", "intranet.example"])
    assert policy.allows_private("localhost")
    assert policy.allows_private("files.intranet.example")
    assert not policy.allows_private("127.0.0.1")
    assert not policy.allows_private("169.254.169.254")
    assert not PrivateAddressPolicy(False, ["localhost"]).allows_private("localhost")
