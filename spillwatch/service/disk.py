"""Free disk space: crawls and fetches pause before the disk is full (``min_free_disk``).

The folders checked are the data folder (catalog, search index) and each configured site's crawl
folder (its WARC files may sit on a volume of their own).  Alerts and the UI never pause: they write
little, and an alert is what must still go out when the disk is nearly full.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.config import Config

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiskState:
    paused: bool
    reason: str  # empty when not paused
    free: dict[str, int]  # free bytes per folder checked


def _existing(path: Path) -> Path:
    """The folder itself or its nearest existing parent (a site never crawled has no folder yet)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def folders(config: Config) -> list[Path]:
    data = config.settings.data_path
    found = [data] + [data / "crawls" / site.id / "warcs" for site in config.sites]
    unique: dict[Path, None] = {}
    for folder in found:
        unique.setdefault(_existing(folder.expanduser()), None)
    return list(unique)


def check(config: Config) -> DiskState:
    """Free space of every folder checked; paused when one has less than ``min_free_disk``."""
    limit = int(config.settings.min_free_disk)
    free: dict[str, int] = {}
    low: list[str] = []
    for folder in folders(config):
        try:
            available = shutil.disk_usage(folder).free
        except OSError as exc:  # an unmounted volume: as good as full
            log.error("cannot read the free space of %s: %s", folder, exc)
            available = 0
        free[str(folder)] = available
        if limit and available < limit:
            low.append(f"{folder} has {available / 1e6:.1f} MB free")
    if not low:
        return DiskState(False, "", free)
    reason = (f"crawls paused: {'; '.join(low)}, less than min_free_disk ({limit / 1e6:.0f} MB); free space "
              "and they resume by themselves")
    return DiskState(True, reason, free)
