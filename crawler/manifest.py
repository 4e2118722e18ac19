"""The crawl manifest: what a crawl did, as JSON next to its WARC files (and in the catalog)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("running", "finished", "failed", "killed")


@dataclass
class Manifest:
    crawl: str  # crawl name, also the WARC file prefix
    site_id: str | None
    kind: str  # full | watch | adhoc
    started_at: str  # ISO 8601 UTC
    finished_at: str | None = None
    status: str = "running"  # running | finished | failed | killed
    reason: str = ""  # Scrapy's finish reason or why it was killed
    seeds: list[str] = field(default_factory=list)
    pages: int = 0
    bytes: int = 0  # WARC bytes written (compressed)
    errors: int = 0
    revisits: int = 0
    not_modified: int = 0
    truncated: int = 0
    egress_denied: int = 0
    requests: int = 0
    downloaded_bytes: int = 0
    warc_write_errors: int = 0  # records that could not be written (disk full…): the crawl failed
    not_archived: list[str] = field(default_factory=list)  # URLs fetched but not written
    seconds: float = 0.0  # time the spider ran (without process start-up)
    warc_files: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    log_file: str = ""
    manifest_file: str = ""
    crawl_id: int | None = None  # catalog crawls.id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls(**json.loads(path.read_text(encoding="utf-8")))
