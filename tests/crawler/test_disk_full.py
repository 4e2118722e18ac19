"""A full disk fails the fetch and the crawl, loudly (issue 12 item 1): never a 'finished' crawl
whose WARC files lost what it fetched.  The disk is a real 1 MB tmpfs (tests/small_disk.py)."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pytest

from crawler.run import run_crawl
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job, read_records
from tests.small_disk import small_disk


def test_a_warc_write_error_fails_the_crawl_with_why(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with AgencySite() as site, small_disk(tmp_path / "out" / "warcs", "1m") as warcs:
        # a roster that does not compress: it cannot fit on the 1 MB disk
        site.publish("/statistics/releases/roster.csv", os.urandom(3_000_000), "text/csv")
        url = site.url("/statistics/releases/roster.csv")
        job = fast_job(tmp_path / "out", [url], max_depth=0, max_response_size=10_000_000)
        with caplog.at_level(logging.ERROR, logger="crawler.run"):
            manifest = run_crawl(job)
        files = list((tmp_path / "out" / "warcs").iterdir())
        records = read_records([p for p in files if p.name.endswith(".warc.gz")])
        # space returns: the next crawl fetches the roster in full (no 304 from a capture that was lost)
        subprocess.run(["mount", "-o", "remount,size=20m", str(warcs)], check=True)
        again = run_crawl(fast_job(tmp_path / "out", [url], max_depth=0, max_response_size=10_000_000))
        retried = [r for r in read_records(again.warc_files) if r.uri == url]
    assert manifest.status == "failed"
    assert "No space left on device" in manifest.reason and "not archived" in manifest.reason
    assert manifest.errors >= 1 and manifest.warc_write_errors >= 1
    assert manifest.not_archived == [url]
    assert any("No space left on device" in r.getMessage() for r in caplog.records)
    # the repaired file keeps what was written whole (robots.txt); no half-written roster
    assert [r.uri for r in records if r.type == "response"] == [site.url("/robots.txt")]
    assert again.status == "finished" and [r.type for r in retried] == ["response", "request"]
    assert len(retried[0].payload) == 3_000_000
