"""Screenshots of rendered captures and their visual diff (web/visual_diff.py).

A screenshot shows the page as a visitor saw it, personal data included, and an image cannot be
masked: screenshots are for analysts and admins, and a screenshot of a capture with findings is
shown only on an unmasked request (``?unmasked=1``), which is audited like any unmasked view.  Images
are decoded and encoded again by Pillow before they are served, so what leaves this origin is a PNG
whatever the WARC record held.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, request
from flask_login import current_user
from PIL import Image
from werkzeug.wrappers import Response

from web.archive import get_capture, has_findings
from web.audit import record_now
from web.auth import require_role
from web.state import state
from web.visual_diff import ScreenshotError, VisualDiff, compare, find_screenshot

bp = Blueprint("screenshots", __name__)


@dataclass
class VisualSummary:
    """What the diff page shows about the screenshots of two captures."""

    old_id: int
    new_id: int
    diff: VisualDiff | None
    error: str = ""
    hidden: bool = False  # there are screenshots, but this user may not see them (or not masked)


def visual_summary(old: dict[str, Any], new: dict[str, Any], sensitive: bool, unmasked: bool) -> VisualSummary | None:
    """The screenshots' comparison for the diff page; None when the captures were not rendered."""
    web = state()
    try:
        old_png = find_screenshot(old, web.settings.data_path)
        new_png = find_screenshot(new, web.settings.data_path)
        if old_png is None or new_png is None:
            return None
        if not current_user.can_unmask or (sensitive and not unmasked):
            return VisualSummary(old["id"], new["id"], None, hidden=True)
        return VisualSummary(old["id"], new["id"], compare(old_png, new_png))
    except ScreenshotError as exc:
        return VisualSummary(old["id"], new["id"], None, error=str(exc))


def _png(body: bytes) -> Response:
    try:
        image = Image.open(io.BytesIO(body))
        image.load()
    except (OSError, Image.DecompressionBombError):
        abort(502, description="The archived screenshot is not a readable PNG.")
    out = io.BytesIO()
    image.save(out, format="PNG")
    response = Response(out.getvalue(), mimetype="image/png")
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _load(capture_id: int) -> dict[str, Any]:
    web = state()
    with web.engine.connect() as conn:
        capture = get_capture(conn, capture_id)
        if capture is None:
            abort(404, description=f"No capture {capture_id}.")
        if has_findings(conn, capture) and request.args.get("unmasked") != "1":
            abort(403, description="This capture holds findings: its screenshot is shown only unmasked (audited).")
    return capture


def _screenshot(capture: dict[str, Any]) -> bytes:
    try:
        png = find_screenshot(capture, state().settings.data_path)
    except ScreenshotError as exc:
        abort(502, description=str(exc))
    if png is None:
        abort(404, description="This capture was not rendered: it has no screenshot.")
    return png


@bp.route("/captures/<int:capture_id>/screenshot.png")
@require_role("analyst")
def screenshot(capture_id: int) -> Response:
    capture = _load(capture_id)
    png = _screenshot(capture)
    record_now(state().engine, current_user.id, "view_screenshot", f"capture:{capture_id}", {"url": capture["url"]})
    return _png(png)


@bp.route("/captures/<int:capture_id>/visual-diff.png")
@require_role("analyst")
def visual_diff(capture_id: int) -> Response:
    """The newer screenshot with what changed since capture ``?to=`` painted red."""
    new = _load(capture_id)
    other = request.args.get("to", type=int)
    if other is None:
        abort(400, description="Say which capture to compare with: ?to=<capture id>.")
    old = _load(other)
    if old["surt"] != new["surt"]:
        abort(400, description="Both captures must be of the same URL.")
    try:
        diff = compare(_screenshot(old), _screenshot(new))
    except ScreenshotError as exc:
        abort(502, description=str(exc))
    record_now(state().engine, current_user.id, "view_screenshot", f"diff:{other}..{capture_id}", {"url": new["url"]})
    return _png(diff.highlighted)
