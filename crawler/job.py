"""What one crawl does: a plain, JSON-serialisable description handed to the crawl subprocess."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.config import DOCUMENT_TYPES, RENDER_MODES, Site
from core.settings import Settings, parse_duration

# The catalog URL may hold a database password: it reaches the crawl process through this
# environment variable, never through the job file.
CATALOG_URL_ENV = "SPILLWATCH_CRAWL_CATALOG_URL"

# Trap guards: not settings of their own (yet); a site rarely needs other values.
DEFAULT_MAX_URL_LENGTH = 2048
DEFAULT_MAX_REPEATED_SEGMENTS = 3
DEFAULT_MAX_QUERY_VARIANTS = 100


@dataclass
class CrawlJob:
    """One crawl.  ``out_dir`` holds ``warcs/``, ``manifests/``, ``logs/`` and the dedup state."""

    name: str
    out_dir: str
    seeds: list[str]
    site_id: str | None = None
    kind: str = "full"  # full | watch | adhoc
    allowed_domains: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    max_depth: int = 5
    max_pages: int = 10_000
    follow_types: list[str] = field(default_factory=lambda: list(DOCUMENT_TYPES))
    sitemaps: bool = True
    obey_robots: bool = True
    allow_private: bool = False
    user_agent: str = "Spillwatch/0.1"
    download_delay: float = 1.0
    download_timeout: float = 60.0
    autothrottle: bool = True
    concurrent_per_host: int = 2
    max_response_size: int = 200_000_000
    warc_rotate_size: int = 1_000_000_000
    time_limit: float = 6 * 3600.0
    max_url_length: int = DEFAULT_MAX_URL_LENGTH
    max_repeated_segments: int = DEFAULT_MAX_REPEATED_SEGMENTS
    max_query_variants: int = DEFAULT_MAX_QUERY_VARIANTS
    catalog_url: str | None = None
    write_warc: bool = True
    progress_interval: float = 1.0
    log_level: str = "INFO"
    # rendering (crawler/render.py): plain | auto | browser, and the browser's limits
    render: str = "plain"
    chromium_path: str = "/usr/bin/chromium"
    render_page_timeout: float = 30.0
    render_pages: int = 2
    render_max_pages: int = 1000
    render_memory_limit: int = 1536 * 1024 * 1024

    def __post_init__(self) -> None:
        if not self.allowed_domains:
            self.allowed_domains = sorted({urlsplit(s).hostname or "" for s in self.seeds} - {""})

    @property
    def out_path(self) -> Path:
        return Path(self.out_dir)

    @property
    def warc_dir(self) -> Path:
        return self.out_path / "warcs"

    @property
    def state_path(self) -> Path:
        return self.out_path / "crawler-state.sqlite3"

    @property
    def lock_path(self) -> Path:
        return self.out_path / "running" / f"{self.name}.lock"

    @property
    def manifest_path(self) -> Path:
        return self.out_path / "manifests" / f"{self.name}.json"

    @property
    def log_path(self) -> Path:
        return self.out_path / "logs" / f"{self.name}.log"

    @property
    def scope_hosts(self) -> list[str]:
        """The seed hosts: the only hosts that may resolve to private addresses when ``allow_private``
        is set (``allowed_domains`` may widen the crawl, but only to public addresses)."""
        return sorted({urlsplit(s).hostname or "" for s in self.seeds} - {""})

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CrawlJob:
        data: dict[str, Any] = json.loads(text)
        return cls(**data)


def crawl_name(label: str, now: datetime | None = None) -> str:
    """``<label>-20261124T204410123456Z``: unique per crawl, sortable, used for WARC file names."""
    moment = now or datetime.now(UTC)
    return f"spillwatch-{label}-{moment.strftime('%Y%m%dT%H%M%S%fZ')}"


def _common(settings: Settings) -> dict[str, Any]:
    return {
        "user_agent": settings.effective_user_agent,
        "download_delay": float(settings.download_delay),
        "download_timeout": float(settings.download_timeout),
        "max_response_size": int(settings.max_response_size),
        "warc_rotate_size": int(settings.warc_rotate_size),
        "time_limit": float(settings.crawl_time_limit),
        "log_level": str(settings.log_level).upper(),
        "chromium_path": settings.chromium_path,
        "render_page_timeout": float(settings.render_page_timeout),
        "render_pages": int(settings.render_pages),
        "render_max_pages": int(settings.render_max_pages),
        "render_memory_limit": int(settings.render_memory_limit),
    }


def job_for_site(site: Site, settings: Settings, out_dir: Path, *, kind: str = "full",
                 catalog_url: str | None = None, name: str | None = None) -> CrawlJob:
    """A full crawl of a configured site."""
    values = _common(settings)
    if site.download_delay is not None:
        values["download_delay"] = parse_duration(site.download_delay)
    return CrawlJob(
        name=name or crawl_name(site.id),
        out_dir=str(out_dir),
        seeds=list(site.seeds),
        site_id=site.id,
        kind=kind,
        allowed_domains=list(site.allowed_domains),
        include=list(site.include),
        exclude=list(site.exclude),
        max_depth=site.max_depth,
        max_pages=site.max_pages,
        follow_types=list(site.follow_types),
        sitemaps=site.sitemaps,
        obey_robots=site.obey_robots,
        allow_private=site.allow_private_addresses or bool(settings.allow_private_addresses),
        catalog_url=catalog_url,
        render=site.render,
        **values,
    )


def job_for_urls(site: Site, urls: list[str], settings: Settings, out_dir: Path, *,
                 catalog_url: str | None = None) -> CrawlJob:
    """Fetch exactly ``urls`` now (a watch-page burst): depth 0, no sitemaps, site's scope and policy."""
    job = job_for_site(site, settings, out_dir, kind="watch", catalog_url=catalog_url)
    job.seeds = list(urls)
    job.max_depth = 0
    job.max_pages = max(len(urls), 1)
    job.sitemaps = False
    job.include = []
    # a watch page may be rendered although its site is not (or the reverse)
    modes = [page.render for page in site.watch_pages if page.url in urls and page.render]
    if modes:
        job.render = max(modes, key=RENDER_MODES.index)
    return job


def job_adhoc(url: str, out_dir: Path, settings: Settings, *, max_pages: int = 10_000,
              allow_private: bool = False, max_depth: int = 5) -> CrawlJob:
    """``spillwatch crawl --url URL --out DIR``: no config, state kept in ``out_dir``."""
    host = urlsplit(url).hostname or "site"
    return CrawlJob(
        name=crawl_name(host.replace(".", "-").replace(":", "-")[:40]),
        out_dir=str(out_dir),
        seeds=[url],
        kind="adhoc",
        max_pages=max_pages,
        max_depth=max_depth,
        allow_private=allow_private or bool(settings.allow_private_addresses),
        **_common(settings),
    )
