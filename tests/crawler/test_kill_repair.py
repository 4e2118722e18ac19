"""A crawl killed with SIGKILL leaves only valid WARC files after repair; time limits stop crawls."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from crawler.repair import crawl_is_running, repair_file, repair_open_files
from crawler.run import run_crawl
from crawler.warc_files import gzip_member
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job, read_records, warcio_check


def _many_pages(site: AgencySite, count: int) -> None:
    for index in range(count):
        links = "".join(f'<a href="/p/{index * 3 + k}.html">page {index * 3 + k}</a>' for k in (1, 2, 3))
        site.set_page(f"/p/{index}.html", f"<html><body><h1>Page {index}</h1>{links}</body></html>")
    site.add_link("/", "/p/0.html", "archive")


def test_sigkill_then_repair_leaves_only_valid_files(tmp_path: Path) -> None:
    with AgencySite() as site:
        _many_pages(site, 2000)
        job = fast_job(tmp_path, [site.url("/")], download_delay=0.02, autothrottle=False,
                       concurrent_per_host=1, sitemaps=False)
        job.warc_dir.mkdir(parents=True)
        job_file = tmp_path / "job.json"
        job_file.write_text(job.to_json())
        with open(tmp_path / "crawl.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "crawler", "run", "--job", str(job_file)],
                                       stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 60
        open_files: list[Path] = []
        while time.monotonic() < deadline:
            open_files = list(job.warc_dir.glob("*.warc.gz.open"))
            if open_files and open_files[0].stat().st_size > 20_000:
                break
            time.sleep(0.05)
        assert open_files, (tmp_path / "crawl.log").read_text()
        assert crawl_is_running(job.lock_path)
        assert repair_open_files(job.warc_dir, job.lock_path.parent) == []  # a running crawl is left alone
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    path = open_files[0]
    # make sure the tail is an incomplete record, whatever instant the kill hit
    half = gzip_member(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 100000\r\n\r\n" + b"x" * 5000)
    with open(path, "ab") as handle:
        handle.write(half[: len(half) // 2])
    assert not crawl_is_running(job.lock_path)
    results = repair_open_files(job.warc_dir, job.lock_path.parent)
    assert len(results) == 1 and results[0].records > 3 and results[0].dropped_bytes > 0
    assert not list(job.warc_dir.glob("*.open"))
    final = results[0].path
    assert final.name.endswith(".warc.gz") and final.exists()
    check = warcio_check([final])
    assert check.returncode == 0, check.stdout + check.stderr
    records = read_records([final])
    assert records[0].type == "warcinfo"
    assert len(records) == results[0].records


def test_repair_drops_garbage_and_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "x-00001.warc.gz.open"
    empty.write_bytes(gzip_member(b"WARC/1.1\r\nContent-Length: 10\r\n\r\nshort"))  # body too short
    result = repair_file(empty)
    assert result.deleted and not empty.exists()
    good = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"
    mixed = tmp_path / "y-00001.warc.gz.open"
    mixed.write_bytes(gzip_member(good) + gzip_member(good) + b"\x1f\x8b\x08garbage")
    result = repair_file(mixed)
    assert result.records == 2 and not result.deleted
    assert result.path.read_bytes() == gzip_member(good) * 2


def test_time_limit_stops_the_crawl_and_files_stay_valid(tmp_path: Path) -> None:
    with AgencySite() as site:
        _many_pages(site, 2000)
        job = fast_job(tmp_path, [site.url("/")], download_delay=0.02, autothrottle=False,
                       concurrent_per_host=1, sitemaps=False, time_limit=3.0)
        started = time.monotonic()
        manifest = run_crawl(job, grace=5.0)
    assert time.monotonic() - started < 20
    assert manifest.status == "killed", manifest
    assert "time limit" in manifest.reason
    assert manifest.warc_files and not list(job.warc_dir.glob("*.open"))
    assert warcio_check(manifest.warc_files).returncode == 0
