"""The ``sites:`` of the config file: each site's seeds, scope, schedule and watch pages."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from core.config_vocabulary import DOCUMENT_TYPES, RENDER_MODES, Strict, check_duration, check_regexes, one_of

SITE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Schedule(Strict):
    """When a site's full crawl runs: a cron expression or a fixed interval."""

    cron: str | None = None
    interval: str | int | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Schedule:
        if (self.cron is None) == (self.interval is None):
            raise ValueError("give exactly one of 'cron' (e.g. '0 */6 * * *') or 'interval' (e.g. '6h')")
        if self.interval is not None:
            check_duration(self.interval)
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"cron {self.cron!r} must have 5 fields: minute hour day month weekday")
        return self


class WatchPage(Strict):
    """A page where releases appear, polled often; new linked documents are fetched at once."""

    url: str
    interval: str | int = "5m"
    render: str | None = None  # plain, auto or browser; None: as the site

    @field_validator("render")
    @classmethod
    def _render_mode(cls, value: str | None) -> str | None:
        return None if value is None else one_of(value, RENDER_MODES, "render mode")

    _duration = field_validator("interval")(check_duration)


class Site(Strict):
    id: str
    name: str = ""
    seeds: list[str] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    max_depth: int = Field(default=5, ge=0)
    max_pages: int = Field(default=10_000, ge=1)
    follow_types: list[str] = Field(default_factory=lambda: list(DOCUMENT_TYPES))
    sitemaps: bool = True
    obey_robots: bool = True
    allow_private_addresses: bool = False
    download_delay: str | int | float | None = None
    render: str = "plain"
    schedule: Schedule | None = None
    watch_pages: list[WatchPage] = Field(default_factory=list)
    # where to report a disclosure on this site (an email address or an https URL), besides the
    # contacts of its /.well-known/security.txt (docs/disclosure.md)
    disclosure_contact: str | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not SITE_ID.match(value):
            raise ValueError(f"{value!r} is not a site id; use lowercase letters, digits, '-' and '_'")
        return value

    @field_validator("seeds")
    @classmethod
    def _seed_urls(cls, values: list[str]) -> list[str]:
        for url in values:
            if not re.match(r"^https?://[^/\s]+", url):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return values

    _regexes = field_validator("include", "exclude")(check_regexes)

    @field_validator("download_delay")
    @classmethod
    def _delay(cls, value: str | int | float | None) -> str | int | float | None:
        return None if value is None else check_duration(value)

    @field_validator("render")
    @classmethod
    def _render_mode(cls, value: str) -> str:
        return one_of(value, RENDER_MODES, "render mode")

    @field_validator("follow_types")
    @classmethod
    def _known_types(cls, values: list[str]) -> list[str]:
        return [one_of(value, DOCUMENT_TYPES, "document type") for value in values]
