"""From a WARC record to the catalog's capture row: URL, SURT, time, status, media types, digest,
validators and the record's position; plus which configured site a URL belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.timestamps import as_utc
from indexer import media_types
from indexer.surt import host_of, surt_key
from indexer.warc_reader import WarcRecord

GONE_STATUSES = frozenset({404, 410})


def clean_text(value: str | None) -> str | None:
    """Text as PostgreSQL accepts it: no NUL characters (archived pages do contain them)."""
    return value.replace("\x00", "") if value and "\x00" in value else value


class SiteResolver:
    """Site id of a URL from the configured sites (their allowed domains, else their seeds' hosts)."""

    def __init__(self, sites: Iterable[Any] = ()) -> None:
        self._hosts: list[tuple[str, str]] = []
        for site in sites:
            hosts = list(site.allowed_domains) or [host_of(seed) for seed in site.seeds]
            for host in hosts:
                host = host.lower().removeprefix("www.")
                if host:
                    self._hosts.append((host, site.id))
        self._hosts.sort(key=lambda pair: -len(pair[0]))

    def site_id(self, url: str) -> str | None:
        return self.site_of_host(host_of(url))

    def site_of_host(self, host: str) -> str | None:
        for known, site_id in self._hosts:
            if host == known or host.endswith("." + known):
                return site_id
        return None


@dataclass
class CaptureInfo:
    """One capture as it goes into ``captures`` (id filled in once inserted)."""

    record: WarcRecord
    surt: str
    site_id: str | None
    search_site: str
    media_type_declared: str
    media_type_sniffed: str = ""
    refers_to_capture_id: int | None = None
    title: str = ""
    id: int | None = None

    @property
    def url(self) -> str:
        return self.record.url

    @property
    def captured_at(self) -> datetime:
        return self.record.date

    @property
    def digest(self) -> str:
        return self.record.payload_digest

    @property
    def status(self) -> int | None:
        return self.record.status

    @property
    def holds_content(self) -> bool:
        return holds_content(self.record)

    @property
    def is_gone(self) -> bool:
        return self.record.status in GONE_STATUSES

    @property
    def not_modified(self) -> bool:
        return self.record.status == 304

    def row(self, crawl_id: int | None) -> dict[str, Any]:
        rec = self.record
        length = rec.headers.get("content-length")
        return {
            "site_id": self.site_id,
            "url": clean_text(rec.url),
            "surt": self.surt,
            "captured_at": as_utc(rec.date),
            "record_type": rec.rec_type,
            "status": rec.status,
            "media_type_declared": clean_text(self.media_type_declared[:255]),
            "media_type_sniffed": self.media_type_sniffed[:255],
            "payload_digest": rec.payload_digest[:128],
            "refers_to_capture_id": self.refers_to_capture_id,
            "etag": clean_text(rec.headers.get("etag")),
            "last_modified": clean_text(rec.headers.get("last-modified")),
            "content_length": int(length) if length and length.strip().isdigit() else rec.payload_size or None,
            "title": clean_text(self.title[:2000]),
            "warc_file": rec.path,
            "warc_offset": rec.offset,
            "warc_length": rec.length,
            "crawl_id": crawl_id,
        }


def holds_content(record: WarcRecord) -> bool:
    """A 2xx response, a resource, or a revisit of one: the URL served this payload."""
    if record.rec_type == "resource":
        return True
    status = record.status
    if record.rec_type == "revisit":
        return status is None or 200 <= status < 300
    return status is not None and 200 <= status < 300


def is_indexable_url(url: str) -> bool:
    """Web captures only: crawler logs and metadata (``metadata://``, ``urn:``) are not indexed."""
    return url.lower().startswith(("http://", "https://", "ftp://", "file:"))


def capture_info(record: WarcRecord, sites: SiteResolver, crawl_site: str | None = None) -> CaptureInfo:
    host = record.host or host_of(record.url)
    site_id = crawl_site or sites.site_of_host(host)
    return CaptureInfo(
        record=record,
        surt=record.surt or surt_key(record.url),
        site_id=site_id,
        search_site=site_id or host or "(none)",
        media_type_declared=media_types.essence(record.content_type),
    )
