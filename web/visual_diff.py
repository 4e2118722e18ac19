"""Visual change between two rendered captures of a URL: their screenshots compared with Pillow.

The reading and the comparison live in :mod:`indexer.screenshots` (the indexer's visual-change rule uses
them too); :func:`find_screenshot` finds the screenshot of a capture row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.screenshots import ScreenshotError, VisualDiff, compare, screenshot_after


def find_screenshot(capture: dict[str, Any], data_dir: Path) -> bytes | None:
    """The PNG screenshot taken when ``capture``'s page was rendered, or None (not rendered)."""
    path = Path(capture["warc_file"])
    if not path.is_absolute() and not path.exists():
        path = data_dir / path
    return screenshot_after(path, int(capture["warc_offset"]), capture["url"])


__all__ = ["ScreenshotError", "VisualDiff", "compare", "find_screenshot"]
