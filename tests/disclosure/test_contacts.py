"""Contact discovery: a full crawl archives /.well-known/security.txt; its contacts (and the site's
configured disclosure_contact) are recorded per site; a missing file leaves only the configured one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.catalog.schema import captures
from disclosure import contacts
from tests.disclosure.conftest import Crawled

WELL_KNOWN = "%/.well-known/security.txt"
SECURITY_TXT = b"""Contact: mailto:security@agency.example
Contact: https://agency.example/vulnerability-report
Expires: 2030-01-01T00:00:00Z
Preferred-Languages: en, es
Policy: https://agency.example/vdp
"""


def test_crawl_archives_security_txt_and_contacts_are_recorded(crawled: Crawled) -> None:
    crawled.site.publish("/.well-known/security.txt", SECURITY_TXT, "text/plain", link_from=None)
    crawled.crawl_and_index()
    with crawled.engine.begin() as conn:
        found = contacts.refresh(conn, crawled.config.site("agency"), datetime.now(UTC))
    assert [(c.source, c.contact) for c in found] == [
        ("security.txt", "mailto:security@agency.example"),
        ("security.txt", "https://agency.example/vulnerability-report"),
        ("config", "mailto:foia@agency.example"),
    ]
    with crawled.engine.connect() as conn:
        stored = contacts.for_site(conn, "agency")
        archived = conn.execute(select(captures.c.status).where(captures.c.url.like(WELL_KNOWN))).all()
    assert archived == [(200,)]
    assert stored[0].source == "config" and stored[0].email == "foia@agency.example"
    assert stored[1].preferred_languages == "en, es" and stored[1].policy == "https://agency.example/vdp"
    assert stored[1].email == "security@agency.example" and stored[1].problems == []


def test_site_without_security_txt_keeps_the_configured_contact(crawled: Crawled) -> None:
    crawled.crawl_and_index()
    with crawled.engine.begin() as conn:
        found = contacts.refresh(conn, crawled.config.site("agency"), datetime.now(UTC))
        archived = conn.execute(select(captures.c.status).where(captures.c.url.like(WELL_KNOWN))).all()
    assert archived == [(404,)]  # asked, answered 404: archived as evidence that there was none
    assert [(c.source, c.contact) for c in found] == [("config", "mailto:foia@agency.example")]


def test_expired_file_is_recorded_with_its_problem(crawled: Crawled) -> None:
    expired = b"Contact: mailto:old@agency.example\nExpires: 2020-01-01T00:00:00Z\n"
    crawled.site.publish("/.well-known/security.txt", expired, "text/plain", link_from=None)
    crawled.crawl_and_index()
    with crawled.engine.begin() as conn:
        contacts.refresh(conn, crawled.config.site("agency"), datetime.now(UTC))
        stored = contacts.for_site(conn, "agency")
    assert [c.contact for c in stored] == ["mailto:foia@agency.example", "mailto:old@agency.example"]
    assert any("expired on 2020-01-01" in p for p in stored[1].problems)
