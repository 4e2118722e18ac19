"""Limits keep a crawl alive: a decompression bomb is stored compressed, not expanded."""

from __future__ import annotations

import gzip
from pathlib import Path

from crawler.run import run_crawl
from spillwatch.demo.agency_documents import HTML_TYPE
from spillwatch.demo.agency_site import AgencySite, Resource
from tests.crawler.conftest import MAX_SIZE, fast_job, payload_of, read_records


def test_gzip_bomb_is_archived_compressed_and_not_expanded(tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html><body>" + b" " * (20 * MAX_SIZE) + b"</body></html>", mtime=0)
    with AgencySite() as site:
        site.set_resource("/bomb.html", Resource(body=bomb, content_type=HTML_TYPE, gzip_encoded=True))
        site.add_link("/", "/bomb.html", "Compressed page")
        manifest = run_crawl(fast_job(tmp_path, [site.url("/")]))
    assert manifest.status == "finished"
    records = read_records(manifest.warc_files)
    stored = payload_of(records, "/bomb.html")
    assert stored.payload == bomb and stored.header("Content-Encoding") == "gzip"
    assert "WARC-Truncated" not in stored.warc
    assert payload_of(records, "/statistics/releases/fy2022-report.pdf").status == "200"
    log = Path(manifest.log_file).read_text()
    assert "/bomb.html" in log and "decompression" in log
