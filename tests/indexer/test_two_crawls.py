"""Successive crawls of a live fixture site whose pages change, where a document is added and
another removed: versions, changes, significance, findings and their exposure timeline."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faker import Faker

from core.catalog.schema import captures, changes, finding_events, findings, versions
from indexer.search import SearchQuery
from spillwatch.demo.agency_documents import CSV_TYPE, aggregate_csv
from spillwatch.demo.agency_site import AgencySite
from tests.indexer.conftest import count, rows
from tests.indexer.crawl_helper import crawl

STATUS_PAGE = """<!DOCTYPE html><html><head><title>System status</title></head><body>
<h1>System status</h1><p>All systems operational. Page generated at {time} UTC.</p>
<form><input type="hidden" name="csrf" value="{token}"></form>
<p>Session {token}</p>
<p>The statistics portal, the press office mailbox and the publications archive are available.
Scheduled maintenance is announced one week in advance on this page.</p></body></html>"""

ABOUT_V2 = """<!DOCTYPE html><html><head><title>About the Office</title></head><body><h1>About the Office</h1>
<p>The Office was reorganised: statistics are now published by the Division of Enforcement Data,
which answers requests under the public records law within twenty working days.</p></body></html>"""


def detainee_csv(seed: int = 7, rows_count: int = 30) -> bytes:
    """Synthetic person-level table (Faker; no real people)."""
    fake = Faker()
    Faker.seed(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Full Name", "Date of Birth", "Country of Citizenship", "A-Number", "Detention Facility"])
    for i in range(rows_count):
        writer.writerow([fake.name(), fake.date_of_birth(minimum_age=18, maximum_age=70).isoformat(),
                         fake.country(), f"A{200000000 + i * 7919:09d}", "Example Processing Center"])
    return out.getvalue().encode("utf-8")


def at(day: int) -> datetime:
    return datetime(2026, 1, day, 12, 0, tzinfo=UTC)


def kinds(engine, url: str) -> list[str]:
    return [c["kind"] for c in rows(engine, changes, changes.c.url == url, order=changes.c.id)]


@pytest.fixture
def site():
    with AgencySite() as running:
        running.set_page("/status.html", STATUS_PAGE.format(time="10:42:13", token="a8f3c2d19e4b7a6c5d2e1f0a"))
        running.add_link("/", "/status.html", "Status")
        running.publish("/statistics/releases/old-list.csv", aggregate_csv(";"), CSV_TYPE,
                        link_text="Old list")
        yield running


def test_successive_crawls(site: AgencySite, make_indexer, catalog, search_backend, tmp_path: Path) -> None:
    base = site.base_url
    old_doc = site.url("/statistics/releases/old-list.csv")
    gone_page = site.url("/news/2022-10-03-new-website.html")
    leak = site.url("/statistics/releases/detainees-fy2023.csv")
    copy = site.url("/statistics/releases/copy.csv")

    # crawl 1: the site as it is
    first = make_indexer(removed_after_crawls=1).index_paths([crawl(base, tmp_path / "c1.warc.gz", when=at(1))])
    assert first.errors == 0 and first.findings == 0 and first.changed == 0
    assert first.new == count(catalog, versions) >= 10
    assert kinds(catalog, old_doc) == ["new"]

    # between crawls: a timestamp/token-only change, a real change, a leak published, a file removed,
    # a page deleted (still fetched: 404)
    site.set_page("/status.html", STATUS_PAGE.format(time="11:07:55", token="0b9e8d7c6f5a4b3c2d1e0f9a"))
    site.set_page("/about/", ABOUT_V2)
    site.publish("/statistics/releases/detainees-fy2023.csv", detainee_csv(), CSV_TYPE,
                 link_text="FY2023 book-ins")
    site.unpublish("/statistics/releases/old-list.csv")
    site.unpublish("/news/2022-10-03-new-website.html")
    second = make_indexer(removed_after_crawls=1).index_paths(
        [crawl(base, tmp_path / "c2.warc.gz", when=at(2), extra=("/news/2022-10-03-new-website.html",))])

    status = rows(catalog, changes, changes.c.url == site.url("/status.html"), order=changes.c.id)
    assert [c["kind"] for c in status] == ["new", "unchanged"]
    assert status[1]["significance"] < 0.02 and status[1]["details"]["reason"] == "insignificant"
    assert count(catalog, versions, versions.c.url == site.url("/status.html")) == 1

    about = rows(catalog, changes, changes.c.url == site.url("/about/"), order=changes.c.id)
    assert [c["kind"] for c in about] == ["new", "changed"] and about[1]["significance"] > 0.3
    about_versions = rows(catalog, versions, versions.c.url == site.url("/about/"), order=versions.c.id)
    assert len(about_versions) == 2 and about_versions[1]["previous_version_id"] == about_versions[0]["id"]

    assert kinds(catalog, leak) == ["new_document_linked", "new"]
    linked = rows(catalog, changes, changes.c.url == leak, changes.c.kind == "new_document_linked")[0]
    assert linked["details"]["page_url"] == site.url("/statistics/")

    assert kinds(catalog, gone_page) == ["new", "removed"]
    assert rows(catalog, changes, changes.c.url == gone_page)[1]["details"]["status"] == 404
    assert kinds(catalog, old_doc) == ["new", "removed"]
    unlinked = rows(catalog, changes, changes.c.url == old_doc, changes.c.kind == "removed")[0]
    assert unlinked["details"]["reason"] == "unlinked"
    assert second.removed == 2 and second.new == 1 and second.documents_linked == 1

    leak_findings = rows(catalog, findings)
    assert len(leak_findings) == 1 and second.findings == 1
    finding = leak_findings[0]
    assert finding["kind"] == "person_table" and finding["severity"] == "critical" and finding["rows"] == 30
    assert finding["url"] == leak and finding["first_seen"].replace(tzinfo=UTC) == at(2)
    # findings carry masked samples only
    names = set(detainee_csv().decode().split("\n")[1].split(",")[:1])
    assert not any(name in str(finding["sample"]) for name in names)

    search_backend.refresh()
    hits = search_backend.search(SearchQuery(text="Processing Center", has_finding=True))
    assert hits.total == 1 and hits.hits[0].url == leak and hits.hits[0].severity == "critical"
    assert search_backend.search(SearchQuery(text="Division of Enforcement Data")).total == 1

    # crawl 3: the same file appears at a second URL: no second finding; the first URL is unchanged
    site.publish("/statistics/releases/copy.csv", detainee_csv(), CSV_TYPE, link_text="Copy")
    third = make_indexer(removed_after_crawls=1).index_paths([crawl(base, tmp_path / "c3.warc.gz", when=at(3))])
    assert third.findings == 0 and count(catalog, findings) == 1
    assert kinds(catalog, copy) == ["new_document_linked", "new"]
    assert rows(catalog, findings)[0]["last_seen"].replace(tzinfo=UTC) == at(3)

    # crawl 4: both copies taken down: the finding's exposure ends
    site.unpublish("/statistics/releases/detainees-fy2023.csv")
    site.unpublish("/statistics/releases/copy.csv")
    make_indexer(removed_after_crawls=1).index_paths([crawl(base, tmp_path / "c4.warc.gz", when=at(4))])
    finding = rows(catalog, findings)[0]
    assert finding["removed_at"].replace(tzinfo=UTC) == at(4) and finding["reappeared_at"] is None
    assert kinds(catalog, leak)[-1] == "removed"

    # crawl 5: it is back
    site.publish("/statistics/releases/detainees-fy2023.csv", detainee_csv(), CSV_TYPE, link_text="FY2023")
    fifth = make_indexer(removed_after_crawls=1).index_paths([crawl(base, tmp_path / "c5.warc.gz", when=at(5))])
    finding = rows(catalog, findings)[0]
    assert finding["removed_at"] is None and finding["reappeared_at"].replace(tzinfo=UTC) == at(5)
    assert finding["first_seen"].replace(tzinfo=UTC) == at(2) and fifth.reappeared == 1
    assert kinds(catalog, leak)[-2:] == ["new_document_linked", "reappeared"]
    events = [e["event"] for e in rows(catalog, finding_events, order=finding_events.c.id)]
    assert events == ["new", "removed", "reappeared"]
    assert count(catalog, findings) == 1
    # every capture of the run is in the catalog with its WARC position
    assert all(c["warc_length"] > 0 for c in rows(catalog, captures))
