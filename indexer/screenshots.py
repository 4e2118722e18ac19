"""Screenshots of rendered pages: finding them in a WARC file and comparing two of them with Pillow.

A rendering crawl stores a page's full-page PNG as a ``resource`` record ``urn:screenshot:<url>`` in the
same WARC file as the page's response, a few records later (crawler/render_archive.py).  The web diff
view (web/visual_diff.py) and the indexer's visual-change rule (indexer/visual_change.py) both use this
module.  :func:`compare` pads both images to the same size (white), counts the pixels whose colour
differs by more than :data:`PIXEL_TOLERANCE` (anti-aliasing and JPEG-like noise do not count), and
paints the changed pixels and the box around them red over the newer screenshot; :func:`changed_share`
only counts them.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from indexer.parse_errors import is_bad_input
from indexer.rendered import renders
from indexer.wacz import open_source

log = logging.getLogger(__name__)

SCREENSHOT = "urn:screenshot:"
PIXEL_TOLERANCE = 32  # on the largest channel difference, 0–255
MAX_PIXELS = 40_000_000  # a full-page screenshot larger than this is not decoded (memory)
MAX_PNG_BYTES = 30_000_000
SCAN_RECORDS = 5_000  # records read forward from the page's record to find its screenshot
HIGHLIGHT = (230, 0, 0)


class ScreenshotError(Exception):
    """A screenshot cannot be read or compared; the message says why."""


@dataclass
class VisualDiff:
    changed_pixels: int
    total_pixels: int
    box: tuple[int, int, int, int] | None  # left, top, right, bottom of the changed area
    highlighted: bytes  # PNG: the newer screenshot with the changes painted red

    @property
    def percent(self) -> float:
        return 100.0 * self.changed_pixels / self.total_pixels if self.total_pixels else 0.0


def _body(record: ArcWarcRecord, url: str) -> bytes:
    body: bytes = record.content_stream().read(MAX_PNG_BYTES + 1)
    if len(body) > MAX_PNG_BYTES:
        raise ScreenshotError(f"the screenshot of {url} is larger than {MAX_PNG_BYTES >> 20} MB; not compared")
    return body


def screenshot_after(path: Path, offset: int, url: str) -> bytes | None:
    """The PNG screenshot of ``url`` written after its page's record at ``offset``, or None (not rendered).
    Raises :class:`ScreenshotError` saying why when the file or the record cannot be read."""
    wanted = SCREENSHOT + url
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            for index, record in enumerate(ArchiveIterator(fh)):
                if index >= SCAN_RECORDS:
                    return None
                if record.rec_type == "resource" and record.rec_headers.get_header("WARC-Target-URI") == wanted:
                    return _body(record, url)
    except FileNotFoundError:
        raise ScreenshotError(f"{path}: WARC file not found; it was moved or deleted after indexing") from None
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise ScreenshotError(f"{path}: cannot read the screenshot record ({exc})") from None
    return None


def screenshot_offsets(path: Path) -> dict[str, list[int]]:
    """``{page URL: offsets of its urn:screenshot: records, in file order}`` of a rendering crawl's file
    ({} for other files).  Raises :class:`ScreenshotError` when the file cannot be read."""
    found: dict[str, list[int]] = {}
    try:
        open_source(path).close()  # a file moved or deleted is said (renders() takes it for a plain one)
        if not renders(path):
            return {}
        with open_source(path) as fh:
            iterator = ArchiveIterator(fh, arc2warc=True)
            for record in iterator:
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "resource" and uri.startswith(SCREENSHOT):
                    found.setdefault(uri[len(SCREENSHOT):], []).append(iterator.get_record_offset())
    except FileNotFoundError:
        raise ScreenshotError(f"{path}: WARC file not found; it was moved or deleted after indexing") from None
    except Exception as exc:  # bad input: the screenshots found so far are used; a bug is raised
        if not is_bad_input(exc):
            raise
        log.debug("%s: looking for screenshots stopped: %s", path, exc.__class__.__name__)
    return found


def read_screenshot(path: Path, offset: int, url: str) -> bytes:
    """The PNG held by the screenshot record at ``offset`` (found by :func:`screenshot_offsets`)."""
    try:
        with open_source(path) as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh, arc2warc=True)))
            return _body(record, url)
    except (StopIteration, ArchiveLoadFailed, OSError, ValueError) as exc:
        raise ScreenshotError(f"{path}: cannot read the screenshot of {url} at offset {offset} "
                              f"({exc.__class__.__name__})") from None


def _image(png: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(png))
        if image.width * image.height > MAX_PIXELS:
            raise ScreenshotError(f"a screenshot of {image.width}x{image.height} pixels is too large to compare")
        return image.convert("RGB")
    except (OSError, Image.DecompressionBombError) as exc:
        raise ScreenshotError(f"not a readable PNG screenshot ({exc.__class__.__name__})") from None


def _padded(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    canvas = Image.new("RGB", size, (255, 255, 255))
    canvas.paste(image, (0, 0))
    return canvas


def _changed_mask(old_png: bytes, new_png: bytes) -> tuple[Image.Image, Image.Image]:
    """The mask of the changed pixels (255) and the newer screenshot, both padded to the larger size."""
    old, new = _image(old_png), _image(new_png)
    size = (max(old.width, new.width), max(old.height, new.height))
    old, new = _padded(old, size), _padded(new, size)
    channels = ImageChops.difference(old, new).split()
    largest = channels[0]
    for channel in channels[1:]:
        largest = ImageChops.lighter(largest, channel)
    return largest.point(lambda value: 255 if value > PIXEL_TOLERANCE else 0), new


def changed_share(old_png: bytes, new_png: bytes) -> float:
    """The share (0..1) of the pixels that changed between two screenshots."""
    mask, new = _changed_mask(old_png, new_png)
    total = new.width * new.height
    return mask.histogram()[255] / total if total else 0.0


def compare(old_png: bytes, new_png: bytes) -> VisualDiff:
    mask, new = _changed_mask(old_png, new_png)
    size = new.size
    changed = mask.histogram()[255]
    box = mask.getbbox()
    highlighted = new.copy()
    if box is not None:
        highlighted.paste(Image.new("RGB", size, HIGHLIGHT), (0, 0), mask.point(lambda v: 160 if v else 0))
        ImageDraw.Draw(highlighted).rectangle(box, outline=HIGHLIGHT, width=3)
    out = io.BytesIO()
    highlighted.save(out, format="PNG", optimize=False)
    return VisualDiff(changed, size[0] * size[1], box, out.getvalue())
