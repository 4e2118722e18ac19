"""Crawler test fixtures: the simulated agency site (a real HTTP server) and fast crawl jobs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.job import CrawlJob, crawl_name
from crawler.manifest import Manifest
from crawler.run import run_crawl
from spillwatch.demo.agency_site import AgencySite

MAX_SIZE = 1_000_000
QUERY_VARIANTS = 5


def fast_job(out: Path, seeds: list[str], **overrides: Any) -> CrawlJob:
    """A job tuned for tests: no politeness delay, short timeouts, small limits."""
    values: dict[str, Any] = {
        "name": crawl_name("test"),
        "out_dir": str(out),
        "seeds": seeds,
        "allow_private": True,
        "download_delay": 0.0,
        "download_timeout": 1.5,
        "max_response_size": MAX_SIZE,
        "max_query_variants": QUERY_VARIANTS,
        "progress_interval": 0.2,
        "time_limit": 60.0,
    }
    values.update(overrides)
    return CrawlJob(**values)


@dataclass
class Record:
    type: str
    uri: str
    warc: dict[str, str]
    status: str | None
    http: list[tuple[str, str]]
    payload: bytes  # exactly as stored (not de-chunked, not decoded)
    file: Path

    def header(self, name: str) -> str | None:
        for key, value in self.http:
            if key.lower() == name.lower():
                return value
        return None


def read_records(paths: list[str] | list[Path]) -> list[Record]:
    records = []
    for path in paths:
        with open(path, "rb") as handle:
            for rec in ArchiveIterator(handle, no_record_parse=False, arc2warc=False):
                status = rec.http_headers.get_statuscode() if rec.http_headers else None
                http = list(rec.http_headers.headers) if rec.http_headers else []
                records.append(Record(rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI") or "",
                                      dict(rec.rec_headers.headers), status, http, rec.raw_stream.read(),
                                      Path(path)))
    return records


def warcio_check(paths: list[str] | list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def gzip_members(path: Path) -> int:
    """Number of gzip members in a file."""
    import zlib

    data = path.read_bytes()
    count = 0
    while data:
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        d.decompress(data)
        assert d.eof, f"{path}: incomplete gzip member"
        data = d.unused_data
        count += 1
    return count


@pytest.fixture(scope="session")
def agency() -> Iterator[AgencySite]:
    """The site with every awkward corner, shared by the tests that only read it."""
    with AgencySite(test_routes=True, slow_seconds=4.0, big_size=3 * MAX_SIZE) as site:
        yield site


@dataclass
class CrawlResult:
    manifest: Manifest
    records: list[Record]
    job: CrawlJob
    progress: list[dict[str, Any]]


@pytest.fixture(scope="session")
def full_crawl(agency: AgencySite, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """One crawl of the test-route site, seeded on ``localhost`` so that the redirect to the
    ``127.0.0.1`` literal is a *different*, non-seed host the egress guard must refuse."""
    out = tmp_path_factory.mktemp("full-crawl")
    seed = f"http://localhost:{agency.port}/"
    job = fast_job(out, [seed], allowed_domains=["localhost", "127.0.0.1", "169.254.169.254"])
    progress: list[dict[str, Any]] = []
    agency.clear_requests()
    manifest = run_crawl(job, on_progress=progress.append)
    return CrawlResult(manifest, read_records(manifest.warc_files), job, progress)


def payload_of(records: list[Record], uri_end: str, rec_type: str = "response") -> Record:
    matches = [r for r in records if r.type == rec_type and r.uri.endswith(uri_end)]
    assert matches, f"no {rec_type} record for {uri_end}"
    return matches[0]
