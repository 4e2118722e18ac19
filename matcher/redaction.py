"""Failed redactions in PDFs: text still present under filled dark rectangles.

A proper redaction removes the text; a failed one draws a black box over it.  pdfplumber gives
the filled rectangles and the characters with their colours: dark text under a dark box is a
failed redaction, light text on a dark box is a styled heading, an empty box is a redaction done
right (no finding).  No AGPL dependency (PyMuPDF) is needed.
"""

from __future__ import annotations

from typing import Any

MIN_BOX_WIDTH = 4.0
MIN_BOX_HEIGHT = 4.0


def _components(color: Any) -> list[float] | None:
    """A pdfplumber colour as numbers (grey, RGB or CMYK); None when absent or a pattern colour
    space (not a plain fill)."""
    if color is None:
        return None
    values = list(color) if isinstance(color, list | tuple) else [color]
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError):
        return None


def _is_dark(color: Any) -> bool:
    numbers = _components(color)
    if numbers is None:
        return False
    if len(numbers) == 1:
        return numbers[0] <= 0.2
    if len(numbers) == 3:
        return max(numbers) <= 0.2
    if len(numbers) == 4:
        c, m, y, k = numbers
        return k >= 0.8 or min(c, m, y) >= 0.8
    return False


def _is_light(color: Any) -> bool:
    numbers = _components(color)
    if numbers is None:
        return False
    if len(numbers) in (1, 3):
        return min(numbers) >= 0.8
    if len(numbers) == 4:
        return max(numbers) <= 0.2
    return False


def dark_boxes(page: Any) -> list[dict[str, Any]]:
    return [
        r for r in page.rects
        if r.get("fill") and _is_dark(r.get("non_stroking_color"))
        and (r["x1"] - r["x0"]) >= MIN_BOX_WIDTH and (r["bottom"] - r["top"]) >= MIN_BOX_HEIGHT
    ]


def text_under_boxes(page: Any) -> tuple[int, int, list[str]]:
    """(boxes with text under them, characters under them, the words under them)."""
    boxes = dark_boxes(page)
    if not boxes:
        return 0, 0, []
    covered: dict[int, list[dict[str, Any]]] = {}
    for char in page.chars:
        if not char.get("text", "").strip() or _is_light(char.get("non_stroking_color")):
            continue
        cx = (char["x0"] + char["x1"]) / 2
        cy = (char["top"] + char["bottom"]) / 2
        for i, box in enumerate(boxes):
            if box["x0"] <= cx <= box["x1"] and box["top"] <= cy <= box["bottom"]:
                covered.setdefault(i, []).append(char)
                break
    words: list[str] = []
    chars = 0
    for i in sorted(covered):
        line = sorted(covered[i], key=lambda c: (round(c["top"]), c["x0"]))
        chars += len(line)
        text = ""
        previous: dict[str, Any] | None = None
        for char in line:
            if previous is not None and char["x0"] - previous["x1"] > char.get("size", 10) * 0.25:
                text += " "
            text += char["text"]
            previous = char
        words.extend(text.split())
    return len(covered), chars, words
