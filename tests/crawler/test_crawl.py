"""One real crawl of the simulated agency site with every awkward corner (tests/crawler/conftest.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

from crawler.repair import good_prefix
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import MAX_SIZE, QUERY_VARIANTS, CrawlResult, gzip_members, payload_of, warcio_check


def test_crawl_finishes_with_a_manifest(full_crawl: CrawlResult) -> None:
    manifest = full_crawl.manifest
    assert manifest.status == "finished", manifest
    assert manifest.pages >= 20
    assert manifest.errors >= 2  # 404, 500, slow timeout, refused redirects: logged, crawl went on
    assert manifest.bytes > 0
    assert manifest.warc_files and all(Path(p).exists() for p in manifest.warc_files)
    assert Path(manifest.manifest_file).exists()
    assert not list(full_crawl.job.warc_dir.glob("*.open"))
    assert any(event["event"] == "finished" for event in full_crawl.progress)


def test_every_warc_passes_warcio_check(full_crawl: CrawlResult) -> None:
    result = warcio_check(full_crawl.manifest.warc_files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_warc_1_1_warcinfo_first_one_member_per_record(full_crawl: CrawlResult) -> None:
    by_file: dict[Path, list[str]] = {}
    for record in full_crawl.records:
        by_file.setdefault(record.file, []).append(record.type)
    for path, types in by_file.items():
        assert types[0] == "warcinfo"
        assert gzip_members(path) == len(types)
        assert good_prefix(path) == (len(types), path.stat().st_size)
    assert all(r.warc.get("WARC-Date") for r in full_crawl.records)
    with gzip.open(next(iter(by_file)), "rb") as handle:
        assert handle.readline().strip() == b"WARC/1.1"


def test_request_and_response_for_every_fetch_including_redirects(full_crawl: CrawlResult) -> None:
    records = full_crawl.records
    responses = {r.warc["WARC-Record-ID"]: r for r in records if r.type in ("response", "revisit")}
    requests = [r for r in records if r.type == "request"]
    assert len(requests) == len(responses)
    for request in requests:
        assert request.warc["WARC-Concurrent-To"] in responses
    chain = [payload_of(records, f"/redirect-chain/{step}") for step in (1, 2, 3)]
    assert [r.status for r in chain] == ["301", "301", "301"]
    assert chain[0].header("Location") == "/redirect-chain/2"
    assert payload_of(records, "/about/").status == "200"


def test_ip_address_and_all_headers_kept(full_crawl: CrawlResult) -> None:
    page = payload_of(full_crawl.records, "/statistics/")
    assert page.warc["WARC-IP-Address"] == "127.0.0.1"
    names = [name.lower() for name, _ in page.http]
    for expected in ("content-type", "content-length", "etag", "last-modified", "server", "date"):
        assert expected in names
    request = [r for r in full_crawl.records if r.type == "request" and r.uri.endswith("/statistics/")][0]
    assert request.header("User-Agent") == full_crawl.job.user_agent
    assert request.header("Host") == full_crawl.job.seeds[0].split("/")[2]


def test_gzip_encoded_body_stored_as_received(full_crawl: CrawlResult, agency: AgencySite) -> None:
    record = payload_of(full_crawl.records, "/gzip/report.html")
    assert record.header("Content-Encoding") == "gzip"
    served = agency.lookup("/gzip/report.html")
    assert served is not None
    assert record.payload == served.body  # the gzip bytes, not the decoded HTML
    assert gzip.decompress(record.payload).startswith(b"<!DOCTYPE html>")


def test_documents_stored_with_original_bytes(full_crawl: CrawlResult, agency: AgencySite) -> None:
    for ext in ("csv", "tsv", "json", "xlsx", "ods", "pdf", "docx", "zip"):
        matches = [r for r in full_crawl.records if r.type == "response" and r.uri.endswith("." + ext)
                   and "/statistics/releases/" in r.uri]
        assert matches, ext
        served = agency.lookup(matches[0].uri.split(str(agency.port), 1)[1])
        assert served is not None and matches[0].payload == served.body, ext
    assert payload_of(full_crawl.records, "fy2022-by-country.xlsx").payload[:2] == b"PK"


def test_errors_are_recorded_and_do_not_stop_the_crawl(full_crawl: CrawlResult) -> None:
    assert payload_of(full_crawl.records, "/missing/page.html").status == "404"
    assert payload_of(full_crawl.records, "/broken/").status == "500"
    assert not [r for r in full_crawl.records if r.uri.endswith("/slow/") and r.type == "response"]
    log = Path(full_crawl.manifest.log_file).read_text()
    assert "/slow/" in log and "took longer than" in log


def test_oversize_response_kept_truncated_and_logged(full_crawl: CrawlResult) -> None:
    record = payload_of(full_crawl.records, "/big/archive.zip")
    assert record.warc.get("WARC-Truncated") == "length"
    assert len(record.payload) == MAX_SIZE
    assert full_crawl.manifest.truncated == 1
    assert "larger than max_response_size" in Path(full_crawl.manifest.log_file).read_text()


def test_robots_disallowed_path_never_fetched_and_sitemap_read(full_crawl: CrawlResult,
                                                               agency: AgencySite) -> None:
    paths = {r.path for r in agency.requests}
    assert "/robots.txt" in paths
    assert "/private/internal.html" not in paths
    assert "/sitemap-only/hidden-release.html" in paths  # linked from nowhere, listed in the sitemap
    assert payload_of(full_crawl.records, "/sitemap-only/hidden-release.html").status == "200"


def test_calendar_trap_is_bounded(full_crawl: CrawlResult, agency: AgencySite) -> None:
    months = {r.path for r in agency.requests if r.path.startswith("/calendar/")}
    assert 1 < len(months) <= QUERY_VARIANTS


def test_redirects_to_loopback_and_metadata_refused(full_crawl: CrawlResult, agency: AgencySite) -> None:
    assert payload_of(full_crawl.records, "/go/loopback").status == "301"
    assert payload_of(full_crawl.records, "/go/metadata").status == "301"
    assert not agency.requests_for("/private-area/")
    assert not [r for r in full_crawl.records if "169.254.169.254" in r.uri or "/private-area/" in r.uri]
    assert full_crawl.manifest.egress_denied >= 2
    log = Path(full_crawl.manifest.log_file).read_text()
    assert "169.254.169.254" in log and "refused by the egress guard" in log


def test_user_agent_names_spillwatch(full_crawl: CrawlResult, agency: AgencySite) -> None:
    agents = {r.headers.get("User-Agent") for r in agency.requests}
    assert agents == {full_crawl.job.user_agent}
