"""Whether a rendered page changed visually: its screenshot against its current version's (docs/indexer.md).

The text rule (:func:`indexer.versions.significance` against ``change_threshold``) misses a change that
is only a picture: a scanned list of people put up as an image, a photo replaced, a section recoloured
or laid out anew.  So when a rendered page (one with a ``urn:screenshot:`` record) gets a new payload
whose text changed less than ``change_threshold``, its screenshot is compared with the screenshot of the
capture that started its current version: when the share of changed pixels is above
``visual_change_threshold`` the change counts (a new version, ``details.reason = "pixels changed
12.3 %"``).  Comparing with the version's first capture, not the last one, lets slow drift add up
rather than hide under the threshold crawl after crawl.  Pages without screenshots keep the text rule.

A screenshot that cannot be read is a warning: the text rule decides for that capture.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.screenshots import ScreenshotError, changed_share, read_screenshot, screenshot_offsets
from indexer.versions import VersionState
from indexer.warc_reader import WarcRecord

log = logging.getLogger(__name__)

FILES_REMEMBERED = 8  # WARC files whose screenshot offsets are kept (this crawl's, the versions' own)


@dataclass(frozen=True)
class PageAt:
    """A capture of a page: the WARC file and offset of its record, and its URL."""

    path: Path
    offset: int
    url: str


def reason(share: float) -> str:
    """What a change's ``details.reason`` says when the pixels decided it."""
    return f"pixels changed {100.0 * share:.1f} %"


def significant(share: float | None, threshold: float) -> bool:
    """Whether a share of changed pixels (None: no screenshots to compare) makes a change significant."""
    return share is not None and share > threshold


class VisualChange:
    """Compares the screenshots of two captures of a page; remembers where the screenshots of the last
    few files are (one pass over each rendering crawl's file)."""

    def __init__(self) -> None:
        self._offsets: OrderedDict[Path, dict[str, list[int]]] = OrderedDict()

    def _screenshot_offset(self, page: PageAt) -> int | None:
        """Offset of the first screenshot of ``page.url`` after the page's record, None if none."""
        offsets = self._offsets.get(page.path)
        if offsets is None:
            offsets = screenshot_offsets(page.path)
            self._offsets[page.path] = offsets
            while len(self._offsets) > FILES_REMEMBERED:
                self._offsets.popitem(last=False)
        self._offsets.move_to_end(page.path)
        return next((at for at in offsets.get(page.url, []) if at > page.offset), None)

    def share(self, old: PageAt, new: PageAt) -> float | None:
        """The share (0..1) of pixels that changed from ``old``'s screenshot to ``new``'s; None when either
        page has no screenshot or one cannot be read (logged as a warning)."""
        try:
            new_at = self._screenshot_offset(new)
            if new_at is None:
                return None
            old_at = self._screenshot_offset(old)
            if old_at is None:
                return None
            return changed_share(read_screenshot(old.path, old_at, old.url),
                                 read_screenshot(new.path, new_at, new.url))
        except ScreenshotError as exc:
            log.warning("%s: screenshots not compared, the text decides: %s", new.url, exc)
            return None

    def share_since(self, state: VersionState, record: WarcRecord) -> float | None:
        """:meth:`share` from the capture that started ``state``'s version to ``record`` (same URL)."""
        return self.share(PageAt(Path(state.text_file), state.text_offset, record.url),
                          PageAt(Path(record.path), record.offset, record.url))


def details(share: float, kind: str) -> dict[str, Any]:
    """What a change row's details say about the screenshots compared (``kind``: changed or unchanged)."""
    said: dict[str, Any] = {"pixels_changed": round(share, 4)}
    if kind == "changed":
        said["reason"] = reason(share)
    return said
