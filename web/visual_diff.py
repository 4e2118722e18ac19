"""Visual change between two rendered captures of a URL: their screenshots compared with Pillow.

A rendering crawl stores a page's full-page PNG as a ``resource`` record ``urn:screenshot:<url>`` in the
same WARC file as the page's response, a few records later (crawler/render_archive.py).
:func:`find_screenshot` reads forward from the capture's record to it.  :func:`compare` pads both
images to the same size (white), counts the pixels whose colour differs by more than
:data:`PIXEL_TOLERANCE` (anti-aliasing and JPEG-like noise do not count), and paints the changed pixels
and the box around them red over the newer screenshot.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

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


def find_screenshot(capture: dict[str, Any], data_dir: Path) -> bytes | None:
    """The PNG screenshot taken when ``capture``'s page was rendered, or None (not rendered)."""
    path = Path(capture["warc_file"])
    if not path.is_absolute() and not path.exists():
        path = data_dir / path
    wanted = SCREENSHOT + capture["url"]
    try:
        with path.open("rb") as fh:
            fh.seek(int(capture["warc_offset"]))
            for index, record in enumerate(ArchiveIterator(fh)):
                if index >= SCAN_RECORDS:
                    return None
                if record.rec_type == "resource" and record.rec_headers.get_header("WARC-Target-URI") == wanted:
                    body: bytes = record.content_stream().read(MAX_PNG_BYTES + 1)
                    if len(body) > MAX_PNG_BYTES:
                        raise ScreenshotError(f"the screenshot of {capture['url']} is larger than "
                                              f"{MAX_PNG_BYTES >> 20} MB; not shown")
                    return body
    except FileNotFoundError:
        raise ScreenshotError(f"{path}: WARC file not found; it was moved or deleted after indexing") from None
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise ScreenshotError(f"{path}: cannot read the screenshot record ({exc})") from None
    return None


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


def compare(old_png: bytes, new_png: bytes) -> VisualDiff:
    old, new = _image(old_png), _image(new_png)
    size = (max(old.width, new.width), max(old.height, new.height))
    old, new = _padded(old, size), _padded(new, size)
    channels = ImageChops.difference(old, new).split()
    largest = channels[0]
    for channel in channels[1:]:
        largest = ImageChops.lighter(largest, channel)
    mask = largest.point(lambda value: 255 if value > PIXEL_TOLERANCE else 0)
    changed = mask.histogram()[255]
    box = mask.getbbox()
    highlighted = new.copy()
    if box is not None:
        highlighted.paste(Image.new("RGB", size, HIGHLIGHT), (0, 0), mask.point(lambda v: 160 if v else 0))
        ImageDraw.Draw(highlighted).rectangle(box, outline=HIGHLIGHT, width=3)
    out = io.BytesIO()
    highlighted.save(out, format="PNG", optimize=False)
    return VisualDiff(changed, size[0] * size[1], box, out.getvalue())
